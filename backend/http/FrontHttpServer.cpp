#include "http/FrontHttpServer.h"

#include <QDateTime>

#include "http/FrontConnection.h"
#include "http/FrontSocket.h"
#include "http/GuardedSslServer.h"
#include "http/GuardedTcpServer.h"

#include <QLoggingCategory>

namespace quorum {

Q_DECLARE_LOGGING_CATEGORY(lcFront)

FrontHttpServer::FrontHttpServer(std::shared_ptr<const FrontContext> context, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_context(std::move(context))
{
    m_graceTimer.setSingleShot(true);
    connect(&m_graceTimer, &QTimer::timeout, this, &FrontHttpServer::abortAll);

    if (m_context->limits.requestTimeoutMs > 0) {
        m_deadlineTimer.setInterval(qMin(1000, m_context->limits.requestTimeoutMs));
        connect(&m_deadlineTimer, &QTimer::timeout, this, [this] {
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            const auto connections = m_connections;
            for (const auto &connection : connections) {
                if (connection)
                    connection->closeIfPastDeadline(now);
            }
        });
        m_deadlineTimer.start();
    }
}

FrontHttpServer::~FrontHttpServer() = default;

bool FrontHttpServer::listenOn(qintptr descriptor, QString *errorMessage)
{
    QTcpServer *server = nullptr;
    if (m_context->tls) {
        auto *sslServer = new GuardedSslServer(this, this);
        sslServer->setSslConfiguration(*m_context->tls);
        server = sslServer;
    } else {
        server = new GuardedTcpServer(this, this);
    }

    if (!server->setSocketDescriptor(descriptor)) {
        if (errorMessage)
            *errorMessage = server->errorString();
        delete server;
        return false;
    }

    m_tcpServer = server;
    bind(server);
    return true;
}

void FrontHttpServer::adopt(QTcpSocket *socket, const std::function<void()> &addPending)
{
    auto *connection = new FrontConnection(socket, m_context);
    if (!connection->admitted()) {
        socket->deleteLater();
        return;
    }
    m_connections.append(connection);
    connect(connection, &QObject::destroyed, this, &FrontHttpServer::forget);

    // Our first readyRead handler, QHttpServer's (connected while addPending() runs), then
    // our second: the order the guard relies on.
    connection->attachBefore();
    addPending();
    connection->attachAfter(this);

    if (m_draining)
        connection->drain();
}

void FrontHttpServer::drain(int graceMs)
{
    m_draining = true;
    if (m_tcpServer)
        m_tcpServer->close();

    const auto connections = m_connections;
    for (const auto &connection : connections) {
        if (connection)
            connection->drain();
    }

    m_graceTimer.start(graceMs);
    forget(nullptr);
}

void FrontHttpServer::abortAll()
{
    const auto connections = m_connections;
    for (const auto &connection : connections) {
        if (connection)
            connection->abort();
    }
}

bool FrontHttpServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const QPointer<FrontConnection> connection = FrontSocketHooks::connectionOf(socket);
    if (connection)
        connection->beginDispatch();

    m_context->handler(request, makeResponder(request, socket));

    if (connection)
        connection->endDispatch();
    return true;
}

void FrontHttpServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Never reached: handleRequest() takes every request.
    Q_UNUSED(request);
    Q_UNUSED(socket);
}

void FrontHttpServer::forget(QObject *connection)
{
    // A connection being destroyed has already cleared its QPointer.
    Q_UNUSED(connection);
    m_connections.removeIf([](const QPointer<FrontConnection> &entry) { return entry.isNull(); });

    if (m_draining && m_connections.isEmpty()) {
        m_graceTimer.stop();
        m_draining = false;
        Q_EMIT drained();
    }
}

} // namespace quorum
