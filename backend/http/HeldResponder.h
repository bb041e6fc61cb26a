#pragma once

#include "ApiResponse.h"

#include <QHttpServerResponder>
#include <QPointer>
#include <QTcpSocket>

#include <functional>
#include <memory>

namespace quorum {

class FrontConnection;

// A responder kept past its handler: for an answer given later, or a stream of chunks
// (server-sent events, file downloads). It knows when the client has gone, and then writes nothing:
// Qt 6.4 crashes on a write to a connection that is gone. It keeps the connection's answers in
// request order (see FrontConnection::deferAnswer). Used only in the worker thread that owns
// the connection. Create it while the request's handler runs.
class HeldResponder final : public std::enable_shared_from_this<HeldResponder>
{
    Q_DISABLE_COPY_MOVE(HeldResponder)

public:
    explicit HeldResponder(QHttpServerResponder &&responder);
    ~HeldResponder();

    // Writes a whole answer at once (also when nothing is held).
    static void write(QHttpServerResponder &&responder, const ApiResponse &answer);

    // Whether the client is still connected.
    bool isOpen() const;

    // The one answer; later calls do nothing.
    void answer(const ApiResponse &answer);

    // A stream: the head (status, content type, headers), then chunks. A head without a
    // Content-Length header makes an unbounded stream, ended by close() with the connection; a
    // head with one makes a bounded stream, ended by finish() once that many bytes are written,
    // after which the connection serves its next request.
    void writeHead(const ApiResponse &head);
    void writeChunk(QByteArrayView chunk);
    void close();
    void finish();
    // Ends the connection at once, without its pending bytes: for a body that cannot be
    // written whole (its length was promised).
    void abort();
    // Called once when the connection goes away or the stream is closed.
    void onClosed(std::function<void()> callback);

    // The connection's socket (null once it is gone), to follow how much it has still to send.
    QTcpSocket *socket() const { return m_socket; }
    // Whether the stream's bytes go out now, rather than being kept until the answers to
    // earlier requests on the connection are complete (FrontConnection::turnPassed() tells).
    bool isFirstInLine() const;
    FrontConnection *connection() const;

private:
    void notifyClosed();

    QHttpServerResponder m_responder;
    QPointer<QTcpSocket> m_socket;
    QPointer<FrontConnection> m_connection;
    quint64 m_ticket = 0;
    bool m_answered = false;
    bool m_closed = false;
    std::function<void()> m_onClosed;
};

} // namespace quorum
