#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace quorum {

// Follows the responses written on one connection, so that the front knows when every request
// QHttpServer dispatched has been answered (to order its own answers after them, and to close
// a draining connection once it is idle). While closing, it adds `Connection: close` to each
// response head. It understands what QHttpServerResponder writes: a head, then a body of
// Content-Length bytes (also for HEAD, as Qt 6.4 writes it); a response without a length is
// taken to last until the connection closes.
class FrontResponseTracker final
{
public:
    void setCloseConnection(bool close) { m_closeConnection = close; }

    // Looks at bytes about to be written; returns what to write instead, or a null array when
    // they go out unchanged.
    QByteArray observe(QByteArrayView bytes);

    int completedResponses() const { return m_completed; }
    bool unbounded() const { return m_state == State::Unbounded; }

private:
    enum class State { Head, Body, Unbounded };

    void endHeadLine();
    void endHead();

    State m_state = State::Head;
    QByteArray m_line;
    bool m_lineStart = true;
    bool m_statusLine = true;
    int m_status = 0;
    qint64 m_contentLength = -1;
    qint64 m_bodyLeft = 0;
    int m_completed = 0;
    bool m_closeConnection = false;
};

} // namespace quorum
