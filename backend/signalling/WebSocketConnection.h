#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QObject>
#include <QPointer>

class QSocketNotifier;
class QTcpSocket;

namespace quorum {

// The server side of one RFC 6455 connection after its handshake, kept small because a node
// holds thousands: a plain connection owns its descriptor and reads and writes it directly,
// buffering only a partial frame in and what the kernel would not take out; a TLS connection
// goes through its QSslSocket. Client frames must be masked; text messages must be UTF-8;
// frames and messages beyond the size limit close with 1009. The listener hears of messages,
// pongs, closes and the end of the connection; the end is always reported from the event
// loop, never from inside a call made on the connection.
class WebSocketConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebSocketConnection)

public:
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void webSocketText(quint64 id, const QByteArray &utf8) = 0;
        virtual void webSocketBinary(quint64 id) = 0;
        virtual void webSocketPong(quint64 id) = 0;
        // A close we did not start: the peer's close frame (its code, 1005 without one), or
        // a fault of the peer's that we answer with a close of our own (1002, 1007, 1009).
        virtual void webSocketClosing(quint64 id, int code) = 0;
        virtual void webSocketDisconnected(quint64 id) = 0;
    };

    // Takes over `socket` (whose handshake has been read) once the 101 answer is sent.
    WebSocketConnection(quint64 id, Listener &listener, qint64 maxMessageBytes,
                        QObject *parent = nullptr);
    ~WebSocketConnection() override; // a connection still open goes away with 1001

    // Sends `handshakeAnswer`, then reads frames from `pending` (bytes read past the
    // handshake) and from the socket. A plain socket is given up for its descriptor.
    void start(QTcpSocket *socket, const QByteArray &handshakeAnswer, const QByteArray &pending);

    quint64 id() const { return m_id; }
    const QHostAddress &peerAddress() const { return m_peerAddress; }

    void sendText(QByteArrayView utf8);
    void ping();
    // Starts the closing handshake; the connection ends when the peer answers (or is cut off
    // by abort()).
    void close(int code, QByteArrayView reason);
    void abort();

    // Frames waiting for a peer that does not read, before it is cut off.
    static constexpr qsizetype kMaxPendingOutBytes = 1 << 20;

private:
    enum class State { Open, Closing, Closed };

    void readDescriptor();
    void readDevice();
    void consume(char *data, qsizetype size);
    qsizetype parseFrames(char *data, qsizetype size);
    bool handleFrame(int opcode, bool final, char *payload, qint64 length);
    void handleClose(const char *payload, qint64 length);
    void fail(int code, QByteArrayView reason);
    void endAfterFlush();
    void endGracefully();

    void sendFrame(int opcode, QByteArrayView payload);
    void writeOut(QByteArrayView head, QByteArrayView payload);
    void flushPending();
    void finish();

    quint64 m_id;
    Listener &m_listener;
    qint64 m_maxMessageBytes;
    QHostAddress m_peerAddress;
    State m_state = State::Open;
    bool m_weClosed = false; // we sent the first close frame
    bool m_endAfterFlush = false; // the closing handshake is done once the out-queue drains
    bool m_inputDone = false; // the peer's close came, or it broke the protocol: read no more

    int m_descriptor = -1;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    QPointer<QTcpSocket> m_device; // TLS only

    QByteArray m_partialIn; // an incomplete frame
    QByteArray m_message; // the fragments of a message so far
    bool m_inMessage = false;
    bool m_messageIsBinary = false;
    QByteArray m_pendingOut; // what the kernel would not take yet
    qsizetype m_pendingOutSent = 0;
};

} // namespace quorum
