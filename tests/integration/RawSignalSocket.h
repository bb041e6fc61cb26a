#pragma once

#include <QByteArray>
#include <QDeadlineTimer>
#include <QJsonObject>
#include <QList>

#include <memory>

class QTcpSocket;

namespace quorum::testing {

// A WebSocket client written by hand over a QTcpSocket, for what QWebSocket will not do: it
// never answers pings (a client gone silent), and it can send part of a frame and then drop
// the connection (a client killed in the middle of its join).
class RawSignalSocket final
{
public:
    RawSignalSocket();
    ~RawSignalSocket();
    Q_DISABLE_COPY_MOVE(RawSignalSocket)

    // Connects and upgrades with the quorum.v1 subprotocol; false when the server refused.
    bool open(quint16 port, int timeoutMs = 5000);

    // One masked text frame; `partial` writes only the first half of it.
    void sendText(const QByteArray &text, bool partial = false);
    void sendJson(const QJsonObject &frame);
    // Bytes as they are, for frames a well-behaved client would never send.
    void sendRaw(const QByteArray &bytes);

    // The next text frame of this type, reading (and never answering) pings; empty on timeout.
    QJsonObject waitFor(const QString &type, int timeoutMs = 3000);
    // Reads until the server closes; the close frame's code, or -1 when none came in time.
    int waitForCloseCode(int timeoutMs = 5000);
    // Drops the connection without a close frame.
    void abort();

private:
    // Waits in an event loop for bytes and appends them to m_input; false when none came.
    bool waitForInput(const QDeadlineTimer &deadline);
    // Takes the frames that are complete in m_input.
    void parseFrames();

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_input;
    QList<QJsonObject> m_texts;
    int m_closeCode = -1;
};

} // namespace quorum::testing
