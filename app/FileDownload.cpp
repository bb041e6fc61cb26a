#include "FileDownload.h"

#include <QDir>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSaveFile>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcDownload, "quorum.app.download")

FileDownload::FileDownload(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{ }

FileDownload::~FileDownload()
{
    cancel();
}

QUrl FileDownload::defaultFolder()
{
    QString folder = QStandardPaths::writableLocation(QStandardPaths::DownloadLocation);
    if (folder.isEmpty() || !QDir(folder).exists())
        folder = QDir::homePath();
    return QUrl::fromLocalFile(folder);
}

bool FileDownload::isBusy() const
{
    return !m_reply.isNull();
}

void FileDownload::start(const QUrl &url, const QVariant &localFile)
{
    cancel();
    m_error.clear();
    m_savedFile.clear();
    m_progress = 0;
    Q_EMIT progressChanged();

    const QUrl asUrl = localFile.toUrl();
    const QString path = asUrl.isLocalFile() ? asUrl.toLocalFile() : localFile.toString();
    m_file = std::make_unique<QSaveFile>(path);
    if (path.isEmpty() || !m_file->open(QIODevice::WriteOnly)) {
        const QString why = m_file->errorString();
        m_file.reset();
        finish(tr("%1 cannot be written: %2").arg(path, why));
        return;
    }

    QNetworkRequest request(url);
    request.setTransferTimeout(30000);
    m_reply = m_network->get(request);
    Q_EMIT busyChanged();

    connect(m_reply, &QNetworkReply::readyRead, this, [this] {
        if (m_reply && m_file && m_file->write(m_reply->readAll()) < 0)
            finish(tr("Writing the file failed: %1").arg(m_file->errorString()));
    });
    connect(m_reply, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64 total) {
        m_progress = total > 0 ? double(received) / double(total) : 0;
        Q_EMIT progressChanged();
    });
    connect(m_reply, &QNetworkReply::finished, this, [this] {
        if (!m_reply)
            return;
        const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0)
            return finish(tr("The server cannot be reached: %1").arg(m_reply->errorString()));
        if (status == 403)
            return finish(tr("The link has expired; refresh the list for a new one."));
        if (status == 404)
            return finish(tr("This file no longer exists."));
        if (status != 200)
            return finish(tr("The server answered %1.").arg(status));
        if (m_file->write(m_reply->readAll()) < 0 || !m_file->commit())
            return finish(tr("Saving the file failed: %1").arg(m_file->errorString()));
        m_savedFile = m_file->fileName();
        m_file.reset();
        finish({});
    });
}

void FileDownload::cancel()
{
    if (m_reply)
        finish(tr("Cancelled."));
}

void FileDownload::finish(const QString &error)
{
    // An unfinished file is thrown away rather than left half written.
    if (m_file) {
        m_file->cancelWriting();
        m_file.reset();
    }
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
        Q_EMIT busyChanged();
    }
    m_error = error;
    if (!error.isEmpty())
        qCInfo(lcDownload) << "download failed:" << error;
    else
        m_progress = 1;
    Q_EMIT progressChanged();
    Q_EMIT finished(error.isEmpty());
}

} // namespace quorum
