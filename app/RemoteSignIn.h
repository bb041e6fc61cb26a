#pragma once

#include <QObject>
#include <QUrl>

class QNetworkAccessManager;
#include <QtQml/qqmlregistration.h>

namespace quorum {

class SecretStore;

// Signs the app in to a remote quorumd as the built-in public client `quorum-desktop`: the
// OAuth 2 authorization code flow with PKCE (S256), the system browser for the user's sign-in
// and consent, and a redirect listener on 127.0.0.1 (any free port, path /callback). Qt 6.4
// has no PKCE of its own, so the challenge and the verifier go in through the flow's
// parameter hook. The tokens are kept in the SecretStore under the server's address, and the
// next sign-in to that server uses its refresh token first (rotating it), so the browser opens
// again only when the server no longer takes it.
class RemoteSignIn final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RemoteSignIn)
    QML_ELEMENT
    QML_UNCREATABLE("Made by the application")
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QUrl serverUrl READ serverUrl NOTIFY busyChanged)

public:
    explicit RemoteSignIn(SecretStore *secrets, QObject *parent = nullptr);
    ~RemoteSignIn() override;

    bool isBusy() const { return m_busy; }
    QString error() const { return m_error; }
    QUrl serverUrl() const { return m_serverUrl; }
    // Whether signIn() opens the system browser (tests take browserUrl() instead).
    void setOpensBrowser(bool opens) { m_opensBrowser = opens; }

    // Signs in for these scopes (space-separated; every scope when empty): with the stored
    // refresh token of this server when it still works, through the browser otherwise.
    Q_INVOKABLE void signIn(const QUrl &serverUrl, const QString &scope = {});
    Q_INVOKABLE void cancel();

Q_SIGNALS:
    void busyChanged();
    void errorChanged();
    // The authorization page the browser shows (opened already unless told otherwise).
    void browserUrl(const QUrl &url);
    void signedIn(const QUrl &serverUrl, const QString &accessToken);

private:
    // Where the server's tokens are kept: prefix + ":access" / ":refresh".
    QString secretPrefix() const;
    void refresh(const QString &refreshToken, const QString &scope);
    void startBrowserFlow(const QString &scope);
    void keepTokens(const QString &access, const QString &refresh);
    void finish(const QString &error);

    SecretStore *m_secrets;
    class Flow;
    Flow *m_flow = nullptr;
    QNetworkAccessManager *m_network;
    // Counts the attempts: an answer to one that was cancelled or replaced is dropped.
    quint64 m_attempt = 0;
    QUrl m_serverUrl;
    QString m_error;
    bool m_busy = false;
    bool m_opensBrowser = true;
};

} // namespace quorum
