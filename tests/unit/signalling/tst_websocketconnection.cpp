// The server side of RFC 6455 that signalling sockets run on, over a real loopback TCP
// connection: a client of raw bytes writes frames and reads what the server sends.

#include "signalling/WebSocketConnection.h"
#include "signalling/WebSocketHandshake.h"

#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <memory>

using namespace quorum;

namespace {

constexpr int kTimeoutMs = 5000;
constexpr qint64 kMaxMessage = 1024;

enum Opcode : int { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

struct Frame
{
    int opcode = 0;
    QByteArray payload;
};

// A client frame: masked unless told otherwise.
QByteArray clientFrame(int opcode, const QByteArray &payload, bool final = true, bool masked = true,
                       int reservedBits = 0)
{
    QByteArray frame;
    frame.append(char((final ? 0x80 : 0) | reservedBits | opcode));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        frame.append(char(maskBit | payload.size()));
    } else {
        frame.append(char(maskBit | 126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xFF));
    }
    if (!masked)
        return frame + payload;

    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

QByteArray closePayload(int code, const QByteArray &reason = {})
{
    return QByteArray(1, char(code >> 8)) + QByteArray(1, char(code & 0xFF)) + reason;
}

// Server frames are unmasked; returns the whole ones and leaves a partial one in `bytes`.
QList<Frame> takeServerFrames(QByteArray &bytes)
{
    QList<Frame> frames;
    while (bytes.size() >= 2) {
        const int opcode = quint8(bytes[0]) & 0x0F;
        qint64 length = quint8(bytes[1]) & 0x7F;
        qsizetype head = 2;
        if (length == 126) {
            if (bytes.size() < 4)
                break;
            length = (quint8(bytes[2]) << 8) | quint8(bytes[3]);
            head = 4;
        } else if (length == 127) {
            if (bytes.size() < 10)
                break;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | quint8(bytes[i]);
            head = 10;
        }
        if (bytes.size() < head + length)
            break;
        frames.append(Frame{opcode, bytes.mid(head, length)});
        bytes.remove(0, head + length);
    }
    return frames;
}

class RecordingListener final : public WebSocketConnection::Listener
{
public:
    void webSocketText(quint64, const QByteArray &utf8) override { texts.append(utf8); }
    void webSocketBinary(quint64) override { ++binaries; }
    void webSocketPong(quint64) override { ++pongs; }
    void webSocketClosing(quint64, int code) override { closingCodes.append(code); }
    void webSocketDisconnected(quint64) override { ++disconnects; }

    QList<QByteArray> texts;
    QList<int> closingCodes;
    int binaries = 0;
    int pongs = 0;
    int disconnects = 0;
};

} // namespace

class tst_WebSocketConnection : public QObject
{
    Q_OBJECT

private:
    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_client;
    std::unique_ptr<RecordingListener> m_listener;
    QPointer<WebSocketConnection> m_connection;
    QByteArray m_received; // server bytes after the handshake answer
    QList<Frame> m_frames;
    bool m_clientGone = false;

    // Connects a client and starts a connection on the server's side of it.
    bool connectPair(int clientReceiveBuffer = 0)
    {
        m_client = std::make_unique<QTcpSocket>();
        if (clientReceiveBuffer > 0)
            m_client->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption,
                                      clientReceiveBuffer);
        m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
        if (!m_client->waitForConnected(kTimeoutMs) || !m_server.waitForNewConnection(kTimeoutMs))
            return false;
        QTcpSocket *accepted = m_server.nextPendingConnection();
        if (!accepted)
            return false;

        m_listener = std::make_unique<RecordingListener>();
        m_connection = new WebSocketConnection(7, *m_listener, kMaxMessage, this);
        m_connection->start(accepted, "ANSWER\r\n\r\n", {});
        m_received.clear();
        m_frames.clear();
        m_clientGone = false;
        connect(m_client.get(), &QAbstractSocket::disconnected, this,
                [this] { m_clientGone = true; });

        QByteArray head;
        QDeadlineTimer deadline(kTimeoutMs);
        while (!head.contains("\r\n\r\n") && !deadline.hasExpired()) {
            m_client->waitForReadyRead(100);
            head += m_client->readAll();
        }
        const qsizetype end = head.indexOf("\r\n\r\n");
        m_received = head.mid(end + 4);
        return head.startsWith("ANSWER");
    }

    // Reads what has arrived into m_frames; true once a frame with `opcode` is there.
    bool receivedFrame(int opcode)
    {
        m_received += m_client->readAll();
        m_frames += takeServerFrames(m_received);
        for (const Frame &frame : std::as_const(m_frames)) {
            if (frame.opcode == opcode)
                return true;
        }
        return false;
    }

    Frame frameOf(int opcode) const
    {
        for (const Frame &frame : m_frames) {
            if (frame.opcode == opcode)
                return frame;
        }
        return {};
    }

    void send(const QByteArray &bytes)
    {
        m_client->write(bytes);
        m_client->flush();
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_server.listen(QHostAddress::LocalHost, 0)); }

    void cleanup()
    {
        delete m_connection;
        m_client.reset();
        m_listener.reset();
    }

    void textTravelsBothWays()
    {
        QVERIFY(connectPair());
        send(clientFrame(Text, "hello"));
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->texts, QList<QByteArray>{"hello"}, kTimeoutMs);

        m_connection->sendText("über");
        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Text), kTimeoutMs);
        QCOMPARE(frameOf(Text).payload, QByteArray("über"));
    }

    void fragmentsJoinAroundAPing()
    {
        QVERIFY(connectPair());
        // An emoji split between two fragments is valid once whole.
        const QByteArray emoji = "\xF0\x9F\x9A\x92";
        send(clientFrame(Text, "fire " + emoji.first(2), false) + clientFrame(Ping, "p")
             + clientFrame(Continuation, emoji.sliced(2) + "!"));

        QTRY_COMPARE_WITH_TIMEOUT(m_listener->texts.size(), 1, kTimeoutMs);
        QCOMPARE(m_listener->texts.first(), "fire " + emoji + "!");
        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Pong), kTimeoutMs);
        QCOMPARE(frameOf(Pong).payload, QByteArray("p"));
    }

    void aFrameArrivingByteByByteIsReadOnce()
    {
        QVERIFY(connectPair());
        const QByteArray frame = clientFrame(Text, QByteArray(300, 'a'));
        for (const char byte : frame) {
            send(QByteArray(1, byte));
            QTest::qWait(1);
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->texts.size(), 1, kTimeoutMs);
        QCOMPARE(m_listener->texts.first(), QByteArray(300, 'a'));
    }

    void faultsCloseWithTheirCode_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("code");

        QTest::newRow("an unmasked frame") << clientFrame(Text, "x", true, false) << 1002;
        QTest::newRow("a reserved bit") << clientFrame(Text, "x", true, true, 0x40) << 1002;
        QTest::newRow("an unknown opcode") << clientFrame(3, "x") << 1002;
        QTest::newRow("a fragmented ping") << clientFrame(Ping, "x", false) << 1002;
        QTest::newRow("a ping over 125 bytes") << clientFrame(Ping, QByteArray(126, 'p')) << 1002;
        QTest::newRow("a continuation without a message") << clientFrame(Continuation, "x") << 1002;
        QTest::newRow("a message inside a fragmented one")
            << clientFrame(Text, "a", false) + clientFrame(Text, "b") << 1002;
        QTest::newRow("a close frame of one byte") << clientFrame(Close, "x") << 1002;
        QTest::newRow("a close code no peer may send")
            << clientFrame(Close, closePayload(1005)) << 1002;
        QTest::newRow("text that is not UTF-8") << clientFrame(Text, "\xC3\x28") << 1007;
        QTest::newRow("an overlong UTF-8 form") << clientFrame(Text, "\xC0\xAF") << 1007;
        QTest::newRow("an encoded surrogate") << clientFrame(Text, "\xED\xA0\x80") << 1007;
        QTest::newRow("a frame over the limit")
            << clientFrame(Text, QByteArray(kMaxMessage + 1, 'a')) << 1009;
        QTest::newRow("a message over the limit in fragments")
            << clientFrame(Text, QByteArray(kMaxMessage / 2 + 1, 'a'), false)
                + clientFrame(Continuation, QByteArray(kMaxMessage / 2 + 1, 'a'))
            << 1009;
    }

    void faultsCloseWithTheirCode()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, code);
        QVERIFY(connectPair());

        send(bytes + clientFrame(Text, "after the fault"));
        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Close), kTimeoutMs);
        const QByteArray payload = frameOf(Close).payload;
        QCOMPARE((quint8(payload[0]) << 8) | quint8(payload[1]), code);
        QCOMPARE(m_listener->closingCodes, QList<int>{code});

        // The server ends its side at once and delivers nothing after the fault.
        QTRY_VERIFY_WITH_TIMEOUT(m_clientGone || (m_client->waitForReadyRead(10), false),
                                 kTimeoutMs);
        m_client->abort();
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->disconnects, 1, kTimeoutMs);
        QVERIFY(m_listener->texts.isEmpty());
    }

    void thePeersCloseIsEchoed()
    {
        QVERIFY(connectPair());
        send(clientFrame(Close, closePayload(1000, "bye")));

        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Close), kTimeoutMs);
        QCOMPARE(frameOf(Close).payload, closePayload(1000));
        QCOMPARE(m_listener->closingCodes, QList<int>{1000});
        QTRY_VERIFY_WITH_TIMEOUT(m_clientGone || (m_client->waitForReadyRead(10), false),
                                 kTimeoutMs);
        m_client->close();
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->disconnects, 1, kTimeoutMs);
    }

    void aCloseOfOursReachesEvenASilentPeer()
    {
        QVERIFY(connectPair());
        m_connection->close(4005, "meeting ended");

        // The close frame, then our FIN, though the client never answers the close.
        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Close), kTimeoutMs);
        QCOMPARE(frameOf(Close).payload, closePayload(4005, "meeting ended"));
        QTRY_VERIFY_WITH_TIMEOUT(m_clientGone || (m_client->waitForReadyRead(10), false),
                                 kTimeoutMs);
        QVERIFY(m_listener->closingCodes.isEmpty());

        // Nothing is sent after our close.
        m_connection->sendText("too late");
        QVERIFY(!receivedFrame(Text));
    }

    void pingsPongsAndBinaryFrames()
    {
        QVERIFY(connectPair());
        m_connection->ping();
        QTRY_VERIFY_WITH_TIMEOUT(receivedFrame(Ping), kTimeoutMs);

        send(clientFrame(Pong, {}) + clientFrame(Binary, "\x01\x02"));
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->pongs, 1, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->binaries, 1, kTimeoutMs);
        QVERIFY(m_listener->texts.isEmpty());
    }

    void aPeerThatStopsReadingIsCutOff()
    {
        QVERIFY(connectPair(4096));
        m_client->setReadBufferSize(4096); // Qt stops reading the socket once this is full

        // The kernel's buffers take a few MiB; past them at most 1 MiB waits in the connection.
        const QByteArray chunk(60 * 1024, 'x');
        for (int i = 0; i < 400 && m_listener->disconnects == 0; ++i) {
            m_connection->sendText(chunk);
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->disconnects, 1, kTimeoutMs);
    }

    void theEndIsReportedFromTheEventLoop()
    {
        QVERIFY(connectPair());
        m_connection->abort();
        QCOMPARE(m_listener->disconnects, 0);
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->disconnects, 1, kTimeoutMs);
        QTRY_VERIFY_WITH_TIMEOUT(m_clientGone || (m_client->waitForReadyRead(10), false),
                                 kTimeoutMs);
    }

    void handshakes_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("status");

        const QByteArray rest
            = "Host: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        QTest::newRow("a well-formed upgrade")
            << "GET /v1/signal HTTP/1.1\r\n" + rest + "Sec-WebSocket-Version: 13\r\n"
            << 0;
        QTest::newRow("not a GET")
            << "POST /v1/signal HTTP/1.1\r\n" + rest + "Sec-WebSocket-Version: 13\r\n"
            << 405;
        QTest::newRow("another protocol version") << "GET /v1/signal HTTP/1.1\r\n" + rest
                + "Sec-WebSocket-Version: 8\r\n" << 426;
        QTest::newRow("no Connection: Upgrade")
            << QByteArray("GET /v1/signal HTTP/1.1\r\nUpgrade: websocket\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n")
            << 400;
        QTest::newRow("a key that is not 16 bytes")
            << QByteArray("GET /v1/signal HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: c2lsZW50IGNsaWVudCBrZXk=\r\n"
                          "Sec-WebSocket-Version: 13\r\n")
            << 400;
    }

    void handshakes()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, status);

        const WebSocketHandshake handshake(head);
        if (status == 0) {
            QVERIFY(!handshake.refusal());
            // RFC 6455's own example of the accept key.
            const QByteArray answer = handshake.acceptance("quorum.v1");
            QVERIFY2(answer.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
                     answer.constData());
            return;
        }
        QVERIFY(handshake.refusal());
        QCOMPARE(handshake.refusal()->status, status);
        const QByteArray response
            = WebSocketHandshake::refusalResponse(*handshake.refusal(), "0123456789abcdef");
        QVERIFY(response.startsWith("HTTP/1.1 " + QByteArray::number(status)));
        QVERIFY(response.contains("Content-Type: application/problem+json\r\n"));
        QVERIFY(response.contains("X-Request-Id: 0123456789abcdef\r\n"));
        QCOMPARE(response.contains("Sec-WebSocket-Version: 13\r\n"), status == 426);
    }

    void subprotocolsAndOrigin()
    {
        const WebSocketHandshake handshake(
            "GET /v1/signal HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: chat, quorum.v1\r\nOrigin: https://app.example\r\n");
        QVERIFY(handshake.offersSubprotocol("quorum.v1"));
        QVERIFY(!handshake.offersSubprotocol("quorum.v2"));
        QCOMPARE(handshake.origin(), QByteArray("https://app.example"));
        QVERIFY(
            handshake.acceptance("quorum.v1").contains("Sec-WebSocket-Protocol: quorum.v1\r\n"));
        QVERIFY(!handshake.acceptance({}).contains("Sec-WebSocket-Protocol"));
    }
};

QTEST_GUILESS_MAIN(tst_WebSocketConnection)
#include "tst_websocketconnection.moc"
