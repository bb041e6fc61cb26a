#include "HeldResponder.h"

#include "FrontSocket.h"

#include <QHttpServerResponse>

namespace quorum {

HeldResponder::HeldResponder(QHttpServerResponder &&responder)
    : m_responder(std::move(responder))
    , m_socket(m_responder.socket())
    , m_connection(FrontSocketHooks::connectionOf(m_responder.socket()))
{
    if (m_connection)
        m_ticket = m_connection->deferAnswer();
}

HeldResponder::~HeldResponder()
{
    // Whatever waits behind this answer must not wait forever.
    if (m_connection && m_ticket != 0 && !m_answered)
        m_connection->endDeferredWrite(m_ticket, true);
}

void HeldResponder::write(QHttpServerResponder &&responder, const ApiResponse &answer)
{
    QHttpServerResponse out(answer.contentType, answer.body,
                            QHttpServerResponder::StatusCode(answer.status));
    for (const auto &[name, value] : answer.headers)
        out.addHeader(QByteArray(name), QByteArray(value));
    out.write(std::move(responder));
}

bool HeldResponder::isOpen() const
{
    return !m_closed && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

void HeldResponder::answer(const ApiResponse &answer)
{
    if (m_answered)
        return;

    m_answered = true;
    if (!isOpen())
        return;

    if (m_connection)
        m_connection->beginDeferredWrite(m_ticket);
    write(std::move(m_responder), answer);
    if (m_connection)
        m_connection->endDeferredWrite(m_ticket, true);
}

void HeldResponder::writeHead(const ApiResponse &head)
{
    if (!isOpen())
        return;

    if (m_connection)
        m_connection->beginDeferredWrite(m_ticket);
    m_responder.writeStatusLine(QHttpServerResponder::StatusCode(head.status));
    if (!head.contentType.isEmpty())
        m_responder.writeHeader("Content-Type", head.contentType);
    for (const auto &[name, value] : head.headers)
        m_responder.writeHeader(name, value);
    // The first body write ends the head.
    m_responder.writeBody(QByteArray());
    if (m_connection)
        m_connection->endDeferredWrite(m_ticket, false);

    // Watch the connection only now: a stream learns of its end from here on.
    const std::weak_ptr<HeldResponder> weak = weak_from_this();
    auto gone = [weak] {
        if (const auto self = weak.lock())
            self->notifyClosed();
    };
    QObject::connect(m_socket, &QAbstractSocket::disconnected, m_socket, gone);
    QObject::connect(m_socket, &QObject::destroyed, gone);
}

void HeldResponder::writeChunk(QByteArrayView chunk)
{
    if (!isOpen())
        return;

    if (m_connection)
        m_connection->beginDeferredWrite(m_ticket);
    m_responder.writeBody(chunk.data(), chunk.size());
    if (m_connection)
        m_connection->endDeferredWrite(m_ticket, false);
}

void HeldResponder::close()
{
    if (m_closed)
        return;

    // A stream has no length: its end is the end of the connection.
    m_answered = true;
    if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->disconnectFromHost();
    notifyClosed();
}

void HeldResponder::finish()
{
    if (m_answered)
        return;

    // The whole body is out: the answers pipelined behind this one may follow.
    m_answered = true;
    if (m_connection) {
        m_connection->beginDeferredWrite(m_ticket);
        m_connection->endDeferredWrite(m_ticket, true);
    }
    notifyClosed();
}

void HeldResponder::abort()
{
    // Nothing behind a cut-off body may be written: the connection ends here.
    m_answered = true;
    if (m_socket)
        m_socket->abort();
    notifyClosed();
}

FrontConnection *HeldResponder::connection() const
{
    return m_connection;
}

bool HeldResponder::isFirstInLine() const
{
    return !m_connection || m_connection->isFirstDeferred(m_ticket);
}

void HeldResponder::onClosed(std::function<void()> callback)
{
    m_onClosed = std::move(callback);
}

void HeldResponder::notifyClosed()
{
    m_closed = true;
    if (auto callback = std::exchange(m_onClosed, nullptr))
        callback();
}

} // namespace quorum
