#pragma once

#include <QJsonObject>
#include <QObject>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace quorum {

// Keeps the app's secrets (access and refresh tokens, the embedded server's token) in the
// system keychain through QtKeychain, service "Quorum". Where no keychain service exists (no
// Secret Service on a headless Linux, a locked-down session) it falls back to a JSON file,
// mode 0600, in the app's data directory, and says so in `warning` for the UI to show.
// Asynchronous: each call ends by running its callback.
class SecretStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SecretStore)
    QML_ELEMENT
    QML_UNCREATABLE("Made by the application")
    Q_PROPERTY(QString warning READ warning NOTIFY warningChanged)
    Q_PROPERTY(bool usingFallback READ usingFallback NOTIFY warningChanged)

public:
    // `fallbackDir` holds the file when the keychain fails (created 0700 when needed).
    explicit SecretStore(QString fallbackDir, QObject *parent = nullptr);
    ~SecretStore() override;

    // Skips the keychain from now on (tests, or a user's choice).
    void useFallbackOnly();

    QString warning() const { return m_warning; }
    bool usingFallback() const { return !m_warning.isEmpty(); }
    QString fallbackFile() const;

    // `value` is empty when nothing is stored under the key.
    void read(const QString &key, QObject *context, std::function<void(QString value)> done);
    void write(const QString &key, const QString &value, QObject *context,
               std::function<void(bool ok)> done = {});
    void remove(const QString &key, QObject *context, std::function<void()> done = {});

Q_SIGNALS:
    void warningChanged();

private:
    void fallBack(const QString &why);
    QJsonObject readFile() const;
    bool writeFile(const QJsonObject &secrets) const;

    QString m_fallbackDir;
    QString m_warning;
};

} // namespace quorum
