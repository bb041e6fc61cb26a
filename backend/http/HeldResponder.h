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
// (server-sent events). It knows when the client has gone, and then writes nothing: Qt 6.4
// crashes on a write to a connection that is gone. It keeps the connection's answers in
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

    // A stream: the head (status, content type, headers, no length), then chunks, then close.
    void writeHead(const ApiResponse &head);
    void writeChunk(const QByteArray &chunk);
    void close();
    // Called once when the connection goes away or the stream is closed.
    void onClosed(std::function<void()> callback);

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
