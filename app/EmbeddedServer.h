#pragma once

#include <QObject>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

#include <memory>

class QThread;

namespace quorum {

class ApiClient;
class QuorumServer;
class SecretStore;

// The Quorum server inside the app: a QuorumServer on 127.0.0.1 (port 0: any free one) with
// its data under the app's data directory, and a personal access token for the workspace's
// owner minted the way `quorumd token create` does, so the app talks to its own server at once.
// The token is kept in the SecretStore and reused across starts while it still works; a new
// one replaces it otherwise, and the old one is revoked. The server lives on a thread of its
// own, so its start (database, migrations, keys) and its work never hold the window back.
class EmbeddedServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmbeddedServer)
    QML_ELEMENT
    QML_UNCREATABLE("Made by the application")
    Q_PROPERTY(bool running READ isRunning NOTIFY runningChanged)
    Q_PROPERTY(QUrl url READ url NOTIFY runningChanged)
    Q_PROPERTY(int port READ port WRITE setPort NOTIFY portChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QString initialAdminPassword READ initialAdminPassword NOTIFY runningChanged)

public:
    // `dataDir` empty: AppDataLocation/server.
    explicit EmbeddedServer(SecretStore *secrets, QString dataDir = {}, QObject *parent = nullptr);
    ~EmbeddedServer() override;

    bool isRunning() const { return m_running; }
    QUrl url() const;
    int port() const { return m_port; }
    void setPort(int port);
    QString error() const { return m_error; }
    QString dataDir() const { return m_dataDir; }
    // Set on the very first start: the owner's generated password, to show once.
    QString initialAdminPassword() const { return m_initialAdminPassword; }
    // The owner's token; empty until ready().
    QString token() const { return m_token; }

    // Starts the server and obtains the token, off this thread; returns at once and ends in
    // ready() or failed().
    Q_INVOKABLE void start();
    // Lets the requests in flight finish (a few seconds at most), then stops the server.
    Q_INVOKABLE void stop();
    // Points the client at this server with the owner's token (the way back from a remote
    // server); whether the server was running to do so.
    Q_INVOKABLE bool connectClient(quorum::ApiClient *client) const;

Q_SIGNALS:
    void runningChanged();
    void portChanged();
    void errorChanged();
    void ready(const QUrl &url, const QString &token);
    void failed(const QString &message);

private:
    struct Outcome;

    // The owner's token (the stored one while it works); runs on the server's thread.
    static Outcome obtainToken(const QuorumServer &server, const QString &stored);
    void startOnServerThread(const QString &storedToken);
    void finishStart(const Outcome &outcome);
    void fail(const QString &message);

    SecretStore *m_secrets;
    QString m_dataDir;
    std::unique_ptr<QThread> m_thread;
    // Made, run and deleted on m_thread; set while that thread runs.
    QuorumServer *m_server = nullptr;
    quint16 m_listeningPort = 0;
    QString m_token;
    QString m_error;
    QString m_initialAdminPassword;
    int m_port = 0;
    bool m_running = false;
};

} // namespace quorum
