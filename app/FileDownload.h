#pragma once

#include <QObject>
#include <QPointer>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QSaveFile;

namespace quorum {

// Saves one file from a URL (a recording's signed link) to a local path, streamed to disk as
// it arrives, with progress. The file appears whole or not at all: it is written beside its
// final name and renamed when complete, so a failure or a cancel leaves nothing behind.
class FileDownload : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileDownload)
    QML_ELEMENT
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(QString error READ error NOTIFY finished)
    Q_PROPERTY(QString savedFile READ savedFile NOTIFY finished)
    Q_PROPERTY(QUrl defaultFolder READ defaultFolder CONSTANT)

public:
    explicit FileDownload(QObject *parent = nullptr);
    ~FileDownload() override;

    bool isBusy() const;
    // 0 to 1; 0 while the size is unknown.
    double progress() const { return m_progress; }
    QString error() const { return m_error; }
    QString savedFile() const { return m_savedFile; }
    // Where a save dialog opens: the user's downloads folder (home when there is none).
    static QUrl defaultFolder();

    // Starts saving `url` to `localFile` (a path or a file: URL, as a file dialog gives it);
    // a download already running is cancelled first. Ends in finished().
    Q_INVOKABLE void start(const QUrl &url, const QVariant &localFile);
    Q_INVOKABLE void cancel();

Q_SIGNALS:
    void busyChanged();
    void progressChanged();
    void finished(bool ok);

private:
    void finish(const QString &error);

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    std::unique_ptr<QSaveFile> m_file;
    QString m_error;
    QString m_savedFile;
    double m_progress = 0;
};

} // namespace quorum
