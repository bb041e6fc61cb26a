#include "SecretStore.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QSaveFile>
#include <qt6keychain/keychain.h>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcSecrets, "quorum.app.secrets")

namespace {

const QString kService = u"Quorum"_s;

// Runs `done` on the next turn of the event loop, so every answer is asynchronous alike.
void later(QObject *context, std::function<void()> done)
{
    QMetaObject::invokeMethod(context, std::move(done), Qt::QueuedConnection);
}

} // namespace

SecretStore::SecretStore(QString fallbackDir, QObject *parent)
    : QObject(parent)
    , m_fallbackDir(std::move(fallbackDir))
{ }

SecretStore::~SecretStore() = default;

void SecretStore::useFallbackOnly()
{
    fallBack(tr("the app was told not to use it"));
}

QString SecretStore::fallbackFile() const
{
    return QDir(m_fallbackDir).filePath(u"secrets.json"_s);
}

void SecretStore::read(const QString &key, QObject *context, std::function<void(QString)> done)
{
    if (usingFallback()) {
        const QString value = readFile().value(key).toString();
        later(context, [done, value] { done(value); });
        return;
    }

    auto *job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [this, job, key, done] {
        if (job->error() == QKeychain::NoError)
            return done(job->textData());
        if (job->error() == QKeychain::EntryNotFound)
            return done({});
        fallBack(tr("it did not answer: %1").arg(job->errorString()));
        done(readFile().value(key).toString());
    });
    job->start();
}

void SecretStore::write(const QString &key, const QString &value, QObject *context,
                        std::function<void(bool)> done)
{
    auto writeToFile = [this, key, value] {
        QJsonObject secrets = readFile();
        secrets.insert(key, value);
        return writeFile(secrets);
    };
    if (usingFallback()) {
        const bool ok = writeToFile();
        if (done)
            later(context, [done, ok] { done(ok); });
        return;
    }

    auto *job = new QKeychain::WritePasswordJob(kService, this);
    job->setKey(key);
    job->setTextData(value);
    connect(job, &QKeychain::Job::finished, context, [this, job, done, writeToFile] {
        bool ok = job->error() == QKeychain::NoError;
        if (!ok) {
            fallBack(tr("it did not answer: %1").arg(job->errorString()));
            ok = writeToFile();
        }
        if (done)
            done(ok);
    });
    job->start();
}

void SecretStore::remove(const QString &key, QObject *context, std::function<void()> done)
{
    // The file may hold the key from a time without a keychain: drop it there too.
    QJsonObject secrets = readFile();
    if (secrets.contains(key)) {
        secrets.remove(key);
        writeFile(secrets);
    }
    if (usingFallback()) {
        if (done)
            later(context, done);
        return;
    }

    auto *job = new QKeychain::DeletePasswordJob(kService, this);
    job->setKey(key);
    connect(job, &QKeychain::Job::finished, context, [done] {
        if (done)
            done();
    });
    job->start();
}

void SecretStore::fallBack(const QString &why)
{
    if (usingFallback())
        return;
    qCWarning(lcSecrets).noquote()
        << "secrets are kept in" << fallbackFile()
        << "(readable by this user only), not in the system keychain:" << why;
    m_warning = tr("The system keychain is not used (%1): your sign-in is kept in %2, readable "
                   "only by you.")
                    .arg(why, fallbackFile());
    Q_EMIT warningChanged();
}

QJsonObject SecretStore::readFile() const
{
    QFile file(fallbackFile());
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

bool SecretStore::writeFile(const QJsonObject &secrets) const
{
    QDir().mkpath(m_fallbackDir);
    QFile::setPermissions(m_fallbackDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QSaveFile file(fallbackFile());
    if (!file.open(QIODevice::WriteOnly))
        return false;
    // Owner-only before the first secret byte is written.
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    file.write(QJsonDocument(secrets).toJson(QJsonDocument::Compact));
    return file.commit();
}

} // namespace quorum
