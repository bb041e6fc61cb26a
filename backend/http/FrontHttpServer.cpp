#include "http/FrontHttpServer.h"

#include <QDateTime>

#include "http/FrontConnection.h"
#include "http/FrontSocket.h"
#include "http/GuardedSslServer.h"
#include "http/GuardedTcpServer.h"

#include <QLoggingCategory>

#include <unistd.h>

#include <utility>

namespace quorum {

Q_DECLARE_LOGGING_CATEGORY(lcFront)

FrontHttpServer::FrontHttpServer(std::shared_ptr<const FrontContext> context, int index,
                                 QObject *parent)
    : QAbstractHttpServer(parent)
    , m_context(std::move(context))
    , m_index(index)
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

FrontHttpServer::~FrontHttpServer()
{
    // No worker hands this one anything from now on; what is still queued for it is closed
    // with the queue (see handOff()).
    if (m_index < m_context->workerCount) {
        FrontWorkerSlot &mine = slot(m_index);
        const std::lock_guard lock(mine.mutex);
        mine.server = nullptr;
    }
}

bool FrontHttpServer::listenOn(qintptr descriptor, QString *errorMessage)
{
    QTcpServer *server = nullptr;
    if (m_context->tls) {
        auto *sslServer = new GuardedSslServer(this, this);
        sslServer->setSslConfiguration(*m_context->tls);
        server = sslServer;
        m_accept = [sslServer](qintptr descriptor) { sslServer->acceptDescriptor(descriptor); };
    } else {
        auto *tcpServer = new GuardedTcpServer(this, this);
        server = tcpServer;
        m_accept = [tcpServer](qintptr descriptor) { tcpServer->acceptDescriptor(descriptor); };
    }

    if (!server->setSocketDescriptor(descriptor)) {
        if (errorMessage)
            *errorMessage = server->errorString();
        delete server;
        return false;
    }

    m_tcpServer = server;
    bind(server);
    if (m_index < m_context->workerCount) {
        FrontWorkerSlot &mine = slot(m_index);
        const std::lock_guard lock(mine.mutex);
        mine.server = this;
    }
    return true;
}

namespace {

// A descriptor in flight between workers: closed unless the receiver takes it, so one that
// never arrives (the receiver shut down first) does not leak.
struct HandedDescriptor
{
    explicit HandedDescriptor(qintptr fd)
        : descriptor(fd)
    { }
    ~HandedDescriptor()
    {
        if (descriptor >= 0)
            ::close(int(descriptor));
    }
    Q_DISABLE_COPY_MOVE(HandedDescriptor)
    qintptr take() { return std::exchange(descriptor, -1); }

    qintptr descriptor;
};

} // namespace

bool FrontHttpServer::handOff(qintptr descriptor)
{
    if (m_context->workerCount < 2 || m_index >= m_context->workerCount || m_draining)
        return false;

    auto load = [this](int index) {
        const FrontWorkerSlot &worker = slot(index);
        return worker.connections.load() + worker.incoming.load();
    };
    const int mine = load(m_index);
    int target = m_index;
    int fewest = mine;
    for (int index = 0; index < m_context->workerCount; ++index) {
        if (const int count = load(index); count < fewest) {
            fewest = count;
            target = index;
        }
    }
    // A margin of two keeps connections from bouncing when the counts are close.
    if (target == m_index || mine - fewest < 2)
        return false;

    FrontWorkerSlot &other = slot(target);
    const std::lock_guard lock(other.mutex);
    if (!other.server)
        return false;
    ++other.incoming;
    auto handed = std::make_shared<HandedDescriptor>(descriptor);
    QMetaObject::invokeMethod(
        other.server, [server = other.server, handed] { server->takeHandedOff(handed->take()); },
        Qt::QueuedConnection);
    return true;
}

void FrontHttpServer::takeHandedOff(qintptr descriptor)
{
    --slot(m_index).incoming;
    if (m_draining || !m_accept) {
        ::close(int(descriptor));
        return;
    }
    m_accept(descriptor);
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
    if (m_index < m_context->workerCount) {
        ++slot(m_index).connections;
        connect(connection, &QObject::destroyed, this, [this] { --slot(m_index).connections; });
    }

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
