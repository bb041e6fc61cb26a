#include "http/FrontConnection.h"

#include "http/FrontSocket.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QTimer>

namespace quorum {

Q_LOGGING_CATEGORY(lcFront, "quorum.http.front")

namespace {

// How long a refused or drained connection may take to flush its last answer.
constexpr int kCloseTimeoutMs = 5000;

} // namespace

FrontConnection::FrontConnection(QTcpSocket *socket, std::shared_ptr<const FrontContext> context)
    : QObject(socket)
    , m_socket(socket)
    , m_context(std::move(context))
    , m_guard(m_context->limits)
{
    m_guard.setUpgradePaths(m_context->upgradePaths);
    if (auto *hooks = dynamic_cast<FrontSocketHooks *>(socket))
        hooks->setFrontConnection(this);

    const int open = ++m_context->openConnections;
    if (m_context->connectionCap > 0 && open > m_context->connectionCap) {
        m_admitted = false;
        qCWarning(lcFront) << "connection limit reached (" << m_context->connectionCap
                           << "); closing a new connection";
        m_socket->abort();
        return;
    }

    restartDeadline();
}

FrontConnection::~FrontConnection()
{
    --m_context->openConnections;
}

void FrontConnection::restartDeadline()
{
    if (m_context->limits.requestTimeoutMs > 0)
        m_deadlineMs = QDateTime::currentMSecsSinceEpoch() + m_context->limits.requestTimeoutMs;
}

void FrontConnection::closeIfPastDeadline(qint64 nowMs)
{
    if (m_deadlineMs == 0 || nowMs < m_deadlineMs || m_finished)
        return;
    if (outstanding() > 0) {
        restartDeadline();
        return;
    }
    qCDebug(lcFront) << "closing a connection that sent no complete request in time";
    m_deadlineMs = 0;
    m_socket->abort();
}

void FrontConnection::attachBefore()
{
    connect(m_socket, &QIODevice::readyRead, this, &FrontConnection::beforeRead);
}

void FrontConnection::attachAfter(QObject *httpServer)
{
    m_httpServer = httpServer;
    connect(m_socket, &QIODevice::readyRead, this, &FrontConnection::afterRead);

    // Bytes that came with the TLS handshake may have been announced before anyone listened.
    if (m_socket->bytesAvailable() > 0)
        QMetaObject::invokeMethod(m_socket, &QIODevice::readyRead, Qt::QueuedConnection);
}

void FrontConnection::beforeRead()
{
    const bool refusing
        = !m_pending.isEmpty() && m_pending.first().kind == GuardEvent::Kind::Rejected;
    if (m_detached && (m_finished || refusing)) {
        // A refused connection only drains: nothing after the bad request is ever read.
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();
        m_socket->readAll();
        m_known = 0;
        return;
    }

    absorb();
    checkPending();
}

void FrontConnection::afterRead()
{
    if (m_finished)
        return;

    // QHttpServer has only read since beforeRead() (bytes arriving meanwhile are absorbed in
    // endDispatch()), so whatever is missing now it has consumed.
    m_known = m_socket->bytesAvailable();
    checkPending();
}

void FrontConnection::beginDispatch()
{
    restartDeadline();
    m_known = m_socket->bytesAvailable();
    m_lastDispatchEnd = consumed();
    ++m_dispatched;
    m_writingFor = quint64(m_dispatched);
    if (m_closeAfter > 0 && m_dispatched >= m_closeAfter)
        m_tracker.setCloseConnection(true);
}

void FrontConnection::endDispatch()
{
    m_writingFor = 0;
    // A handler that spins an event loop lets bytes arrive without a readyRead of their own.
    absorb();
    // A request that asked to close the connection ends it like a drain: after its answer,
    // and nothing pipelined behind it is read.
    if (m_closeAfter > 0 && m_dispatched >= m_closeAfter)
        m_draining = true;
    if (m_draining)
        detachHttpServer();
    if (!m_pending.isEmpty() || m_draining)
        scheduleCheck();
}

void FrontConnection::absorb()
{
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = available - m_known;
    m_known = available;
    if (fresh <= 0 || m_finished)
        return;

    // peek() starts at the read position, so the new bytes are the last ones.
    const QByteArray buffered = m_socket->peek(available);
    m_guard.feed(QByteArrayView(buffered).last(fresh));
    m_fed += fresh;
    const QList<GuardEvent> events = m_guard.takeEvents();
    for (const GuardEvent &event : events) {
        if (event.kind != GuardEvent::Kind::Request)
            continue;
        ++m_requestsSeen;
        if (event.closeConnection && m_closeAfter == 0)
            m_closeAfter = m_requestsSeen;
    }
    m_pending += events;

    // Only events that need an action of ours are kept.
    m_pending.removeIf([](const GuardEvent &event) {
        return event.kind == GuardEvent::Kind::Request && !event.expectContinue;
    });
}

qint64 FrontConnection::consumed() const
{
    return m_fed - m_socket->bytesAvailable();
}

int FrontConnection::outstanding() const
{
    return m_dispatched - m_tracker.completedResponses();
}

void FrontConnection::checkPending()
{
    while (!m_pending.isEmpty() && !m_finished) {
        const GuardEvent &event = m_pending.first();
        if (consumed() < event.readyAt)
            return; // QHttpServer still has requests before this one to read

        if (event.kind != GuardEvent::Kind::Request)
            detachHttpServer(); // it must not read a byte of this request
        if (outstanding() > 0)
            return; // the answers before this one come first; the tracker calls back

        const GuardEvent current = m_pending.takeFirst();
        switch (current.kind) {
        case GuardEvent::Kind::Request:
            m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            break;
        case GuardEvent::Kind::Rejected:
            rejectNow(current.rejection);
            return;
        case GuardEvent::Kind::Upgrade:
            upgradeNow();
            return;
        }
    }

    closeIfIdle();
}

void FrontConnection::scheduleCheck()
{
    if (m_checkScheduled)
        return;

    m_checkScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_checkScheduled = false;
            checkPending();
        },
        Qt::QueuedConnection);
}

quint64 FrontConnection::deferAnswer()
{
    if (m_writingFor == 0)
        return 0;

    m_openDeferred.append(m_writingFor);
    return m_writingFor;
}

void FrontConnection::beginDeferredWrite(quint64 ticket)
{
    // A completion may run inside another request's dispatch: that one's writes come after.
    m_interruptedWriter = m_writingFor;
    m_writingFor = ticket;
}

void FrontConnection::endDeferredWrite(quint64 ticket, bool complete)
{
    m_writingFor = std::exchange(m_interruptedWriter, 0);
    if (!complete || !m_openDeferred.removeOne(ticket))
        return;

    releaseHeld();
    Q_EMIT turnPassed();
}

bool FrontConnection::isFirstDeferred(quint64 ticket) const
{
    return ticket == 0 || m_openDeferred.isEmpty() || m_openDeferred.constFirst() >= ticket;
}

bool FrontConnection::holdWrite(QByteArrayView bytes)
{
    if (m_releasing || m_writingFor == 0 || m_openDeferred.isEmpty()
        || m_openDeferred.constFirst() >= m_writingFor)
        return false;

    m_held[m_writingFor].append(bytes.data(), bytes.size());
    return true;
}

void FrontConnection::releaseHeld()
{
    // Held answers go out in request order, up to the next one still being prepared.
    while (!m_held.isEmpty()) {
        const quint64 next = m_held.firstKey();
        if (!m_openDeferred.isEmpty() && m_openDeferred.constFirst() < next)
            return;

        const QByteArray bytes = m_held.take(next);
        m_releasing = true;
        m_socket->write(bytes);
        m_releasing = false;
    }
}

QByteArray FrontConnection::observeWrite(QByteArrayView bytes)
{
    if (m_finished)
        return {};

    const int before = m_tracker.completedResponses();
    QByteArray rewritten = m_tracker.observe(bytes);
    if (m_tracker.completedResponses() != before && (!m_pending.isEmpty() || m_draining))
        scheduleCheck();
    return rewritten;
}

void FrontConnection::detachHttpServer()
{
    if (m_detached)
        return;

    m_detached = true;
    if (m_httpServer)
        disconnect(m_socket, &QIODevice::readyRead, m_httpServer, nullptr);
}

void FrontConnection::rejectNow(const GuardRejection &rejection)
{
    const QByteArray requestId = newRequestId();
    qCDebug(lcFront) << "refused request" << requestId << rejection.status << rejection.code;

    m_finished = true;
    detachHttpServer();

    // Drop what is buffered, QHttpServer's half-read request included, and keep draining
    // until the close, so memory stays flat and the peer gets a FIN rather than a reset.
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->readAll();

    m_socket->write(rejection.toResponse(requestId));
    m_socket->disconnectFromHost();
    QTimer::singleShot(kCloseTimeoutMs, m_socket, [socket = m_socket] { socket->abort(); });
}

void FrontConnection::upgradeNow()
{
    m_finished = true;
    detachHttpServer();

    // QHttpServer may have read part of the handshake inside its transaction: give it back.
    if (m_socket->isTransactionStarted())
        m_socket->rollbackTransaction();

    // The socket leaves HTTP: none of our handlers nor QHttpServer's delete-on-disconnect stay.
    QTcpSocket *socket = m_socket;
    disconnect(socket, nullptr, this, nullptr);
    disconnect(socket, &QAbstractSocket::disconnected, socket, nullptr);
    if (auto *hooks = dynamic_cast<FrontSocketHooks *>(socket))
        hooks->setFrontConnection(nullptr);
    setParent(nullptr);
    deleteLater();

    const QPointer<QTcpSocket> guard(socket);
    if (m_context->upgradeHandler)
        m_context->upgradeHandler(socket);
    else
        socket->abort();

    QMetaObject::invokeMethod(
        socket,
        [guard] {
            if (guard && guard->bytesAvailable() > 0)
                Q_EMIT guard->readyRead();
        },
        Qt::QueuedConnection);
}

void FrontConnection::drain()
{
    m_draining = true;
    m_tracker.setCloseConnection(true);

    // Between two requests QHttpServer is stopped at once; in the middle of one it may finish
    // it (endDispatch() stops it then).
    if (consumed() == m_lastDispatchEnd)
        detachHttpServer();
    closeIfIdle();
}

void FrontConnection::closeIfIdle()
{
    if (!m_draining || !m_detached || m_finished || outstanding() > 0 || m_tracker.unbounded())
        return;

    m_finished = true;
    m_socket->disconnectFromHost();
    QTimer::singleShot(kCloseTimeoutMs, m_socket, [socket = m_socket] { socket->abort(); });
}

void FrontConnection::abort()
{
    m_finished = true;
    m_socket->abort();
}

} // namespace quorum
