#pragma once

#include "http/HttpLimits.h"

#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QObject>
#include <QSslConfiguration>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QTcpSocket;

namespace quorum {

class FrontWorker;

struct HttpFrontConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0; // 0: any free port; HttpFront::port() tells which
    int workerThreads = 2; // one QHttpServer per thread, all on one SO_REUSEPORT port
    HttpLimits limits;
    std::optional<QSslConfiguration> tls; // set: TLS on the same accept path (HTTPS)
};

// Called in the worker thread that owns the connection. It either answers at once through the
// responder or moves the responder into a holder and answers later from the same thread
// (holding a QPointer to responder.socket(), never writing after the socket is gone).
using RequestHandler
    = std::function<void(const QHttpServerRequest &request, QHttpServerResponder &&responder)>;

// Called in the worker thread for a request with `Upgrade: websocket` whose path was registered
// with setUpgradeHandler(). The socket still holds the unread handshake bytes and is detached
// from QHttpServer; the callee takes ownership (the signalling endpoint).
using UpgradeHandler = std::function<void(QTcpSocket *socket)>;

// Makes an object that belongs to one worker thread (e.g. the signalling endpoint of that
// thread): called in each worker thread as it starts; the object is destroyed in that thread
// when the worker shuts down, after its connections are aborted.
using WorkerAttachmentFactory = std::function<std::unique_ptr<QObject>()>;

// The server's HTTP accept path: listening sockets shared by worker threads, each running one
// QHttpServer behind a guard that enforces HttpLimits and the rules of DESIGN.md's
// "The HTTP front" before QHttpServer reads a byte.
class HttpFront final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpFront)

public:
    HttpFront(HttpFrontConfig config, RequestHandler handler, QObject *parent = nullptr);
    ~HttpFront() override; // stops the workers and joins their threads

    // Registers the path (e.g. "/v1/signal") whose WebSocket upgrades go to handler. Call
    // before start(); upgrades to other paths are answered 404.
    void setUpgradeHandler(const QString &path, UpgradeHandler handler);
    // Gives each worker thread an object of its own, made by factory in that thread. Call
    // before start().
    void setWorkerAttachment(WorkerAttachmentFactory factory);

    // Called once the listening port is known and before any worker accepts a connection, so
    // that whatever derives from the port (a default public URL) is settled before requests
    // read it. Call before start().
    void setBoundCallback(std::function<void(quint16 port)> callback)
    {
        m_boundCallback = std::move(callback);
    }

    // Opens the listening sockets and starts the worker threads.
    bool start(QString *errorMessage);
    quint16 port() const;

    // Stops accepting, lets requests in flight finish (their answers carry `Connection: close`),
    // closes idle keep-alive connections, and after graceMs closes whatever is left. Emits
    // stopped() once every worker is done.
    void stop(int graceMs = 10000);

Q_SIGNALS:
    void stopped();

private:
    void onWorkerDrained();
    void joinWorkers();

    HttpFrontConfig m_config;
    RequestHandler m_handler;
    std::function<void(quint16)> m_boundCallback;
    QString m_upgradePath;
    UpgradeHandler m_upgradeHandler;
    WorkerAttachmentFactory m_attachmentFactory;
    std::vector<std::unique_ptr<FrontWorker>> m_workers;
    quint16 m_port = 0;
    int m_drainingWorkers = 0;
    bool m_running = false;
};

} // namespace quorum
