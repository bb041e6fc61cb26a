// The WebSocket gateway of /v1/signal against a real quorumd: subprotocol, Origin, the first
// frame, message caps (case C18), binary frames, the rate limit and the keep-alive.

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "RawSignalSocket.h"
#include "SelfSignedCertificate.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QtTest>

#include <memory>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeoutMs = 5000;

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

} // namespace

class tst_SignalGateway : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    QString m_adminToken;

    QUrl signalUrl(quint16 port, const QString &scheme = u"ws"_s) const
    {
        return QUrl(u"%1://127.0.0.1:%2/v1/signal"_s.arg(scheme).arg(port));
    }

    // Opens `socket` and waits until it is connected or refused.
    bool open(QWebSocket &socket, const QUrl &url,
              const QStringList &subprotocols = {u"quorum.v1"_s})
    {
        QWebSocketHandshakeOptions options;
        options.setSubprotocols(subprotocols);
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
        socket.open(url, options);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(!connected.isEmpty() || !disconnected.isEmpty(), kTimeoutMs);
        }();
        return !connected.isEmpty();
    }

    // Waits for the server to close `socket` and returns the code it gave.
    int closeCodeOf(QWebSocket &socket)
    {
        if (socket.state() != QAbstractSocket::UnconnectedState) {
            QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
            if (!disconnected.wait(kTimeoutMs))
                return -1;
        }
        return int(socket.closeCode());
    }

    // A join token of a meeting that starts now, for a first frame the hub accepts.
    QString joinToken()
    {
        ApiClient host(m_server->baseUrl(), m_adminToken);
        const QString start = QDateTime::currentDateTimeUtc().addSecs(60).toString(Qt::ISODate);
        const ApiReply created = host.post(
            u"/v1/meetings"_s,
            {{u"topic"_s, u"Gateway"_s}, {u"start_time"_s, start}, {u"duration_minutes"_s, 30}});
        if (created.status != 201)
            return {};
        const QString id = created.json().value(u"id"_s).toString();
        const ApiReply token = host.post(u"/v1/meetings/"_s + id + u"/joinToken"_s, {});
        return token.json().value(u"jwt"_s).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--first-frame-timeout"_s, u"1"_s, u"--signal-message-rate"_s, u"5"_s,
                        u"--cors-origins"_s, u"https://app.example"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_adminToken = m_server->token();
    }

    void cleanupTestCase() { m_server.reset(); }

    void subprotocol_data()
    {
        QTest::addColumn<QStringList>("asked");
        QTest::addColumn<int>("closeCode");

        QTest::newRow("a client asking for quorum.v1 gets it and stays")
            << QStringList{u"quorum.v1"_s} << 0;
        QTest::newRow("a client asking for quorum.v1 among others gets it")
            << QStringList{u"chat"_s, u"quorum.v1"_s} << 0;
        QTest::newRow("a client asking for no subprotocol is closed 4001") << QStringList{} << 4001;
        QTest::newRow("a client asking for another subprotocol is closed 4001")
            << QStringList{u"chat"_s} << 4001;
    }

    void subprotocol()
    {
        QFETCH(QStringList, asked);
        QFETCH(int, closeCode);

        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port()), asked));

        if (closeCode == 0) {
            QCOMPARE(socket.subprotocol(), u"quorum.v1"_s);
            QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
            QVERIFY(!disconnected.wait(300));
        } else {
            QCOMPARE(closeCodeOf(socket), closeCode);
        }
    }

    void origin_data()
    {
        QTest::addColumn<QString>("origin");
        QTest::addColumn<bool>("allowed");

        QTest::newRow("no Origin is allowed") << QString() << true;
        QTest::newRow("the public URL's origin is allowed") << u"PUBLIC"_s << true;
        QTest::newRow("an origin from --cors-origins is allowed")
            << u"https://app.example"_s << true;
        QTest::newRow("any other origin is refused at the handshake")
            << u"https://evil.example"_s << false;
        QTest::newRow("a look-alike of the public origin is refused") << u"LOOKALIKE"_s << false;
    }

    void origin()
    {
        QFETCH(QString, origin);
        QFETCH(bool, allowed);
        if (origin == u"PUBLIC"_s)
            origin = m_server->baseUrl();
        else if (origin == u"LOOKALIKE"_s)
            origin = m_server->baseUrl() + u".evil.example"_s;

        QWebSocket socket(origin);
        QCOMPARE(open(socket, signalUrl(m_server->port())), allowed);
    }

    void noFirstFrameClosesWith4000()
    {
        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));
        QElapsedTimer timer;
        timer.start();

        QCOMPARE(closeCodeOf(socket), 4000);
        QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    }

    void c18WebSocketMessageCap()
    {
        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));

        socket.sendTextMessage(QString(70 * 1024, u'x'));

        QCOMPARE(closeCodeOf(socket), 1009);
    }

    void binaryFrameClosesWith1003()
    {
        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));

        socket.sendBinaryMessage(QByteArray("{\"type\":\"join\"}"));

        QCOMPARE(closeCodeOf(socket), 1003);
    }

    void badFirstFrame_data()
    {
        QTest::addColumn<QString>("frame");

        QTest::newRow("text that is not JSON") << u"hello"_s;
        QTest::newRow("a JSON array") << u"[1,2]"_s;
        QTest::newRow("an object without a type") << u"{\"id\":\"1\"}"_s;
        QTest::newRow("a type that is not a string") << u"{\"type\":7}"_s;
        QTest::newRow("a frame that may only follow a join") << u"{\"type\":\"leave\"}"_s;
    }

    void badFirstFrame()
    {
        QFETCH(QString, frame);

        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));
        QSignalSpy received(&socket, &QWebSocket::textMessageReceived);

        socket.sendTextMessage(frame);

        QCOMPARE(closeCodeOf(socket), 4001);
        QCOMPARE(received.size(), 1);
        const QJsonObject error = parse(received.first().first().toString());
        QCOMPARE(error.value(u"type"_s).toString(), u"error"_s);
        QCOMPARE(error.value(u"code"_s).toString(), u"invalid_frame"_s);
    }

    void laterFramesAreCheckedBeforeTheHub_data()
    {
        QTest::addColumn<QString>("frame");

        QTest::newRow("text that is not JSON") << u"hello"_s;
        QTest::newRow("an object without a type") << u"{\"id\":\"7\"}"_s;
        QTest::newRow("a second join") << u"{\"type\":\"join\",\"id\":\"7\"}"_s;
        QTest::newRow("an observe after the join") << u"{\"type\":\"observe\",\"id\":\"7\"}"_s;
        QTest::newRow("a lone surrogate escape, which Qt would pair with the next character")
            << u"{\"type\":\"offer\",\"to\":\"par_x\",\"sdp\":\"a\\ud800b\"}"_s;
    }

    void laterFramesAreCheckedBeforeTheHub()
    {
        QFETCH(QString, frame);
        const QString token = joinToken();
        QVERIFY(!token.isEmpty());
        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));
        QSignalSpy received(&socket, &QWebSocket::textMessageReceived);
        socket.sendTextMessage(QString::fromUtf8(
            QJsonDocument(
                QJsonObject{{u"type"_s, u"join"_s}, {u"id"_s, u"1"_s}, {u"token"_s, token}})
                .toJson(QJsonDocument::Compact)));

        socket.sendTextMessage(frame);

        const auto invalidFrame = [&received] {
            for (const QList<QVariant> &message : std::as_const(received)) {
                const QJsonObject answer = parse(message.first().toString());
                if (answer.value(u"code"_s).toString() == u"invalid_frame"_s)
                    return true;
            }
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(invalidFrame(), kTimeoutMs);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);

        // Answered in order: the join's answer first, then the refusal of the frame after it.
        const QJsonObject first = parse(received.first().first().toString());
        QVERIFY2(first.value(u"type"_s).toString() != u"error"_s,
                 QJsonDocument(first).toJson().constData());
    }

    void rateLimit()
    {
        const QString token = joinToken();
        QVERIFY(!token.isEmpty());
        QWebSocket socket;
        QVERIFY(open(socket, signalUrl(m_server->port())));
        QSignalSpy received(&socket, &QWebSocket::textMessageReceived);

        // 5 a second, a burst of 10: the 11th message is refused, the 16th within the second
        // (three times the rate) closes the socket.
        socket.sendTextMessage(QString::fromUtf8(
            QJsonDocument(
                QJsonObject{{u"type"_s, u"join"_s}, {u"id"_s, u"1"_s}, {u"token"_s, token}})
                .toJson(QJsonDocument::Compact)));
        for (int i = 0; i < 20; ++i)
            socket.sendTextMessage(u"{\"type\":\"media_state\",\"audio_muted\":true}"_s);

        QCOMPARE(closeCodeOf(socket), 1008);
        int rateLimited = 0;
        for (const QList<QVariant> &message : std::as_const(received)) {
            const QJsonObject frame = parse(message.first().toString());
            if (frame.value(u"type"_s).toString() == u"error"_s
                && frame.value(u"code"_s).toString() == u"rate_limited"_s)
                ++rateLimited;
        }
        QCOMPARE(rateLimited, 5);
    }

    void refusedHandshakesAreProblems_data()
    {
        QTest::addColumn<QByteArray>("headers");
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("code");

        const QByteArray key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        QTest::newRow("an origin that is not allowed")
            << key + "Sec-WebSocket-Version: 13\r\nOrigin: https://evil.example\r\n"
            << 403 << QByteArray("forbidden");
        QTest::newRow("another protocol version") << key + "Sec-WebSocket-Version: 8\r\n"
                                                  << 426 << QByteArray("upgrade_required");
        QTest::newRow("a key that is not 16 bytes")
            << QByteArray("Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n") << 400
            << QByteArray("invalid_request");
    }

    void refusedHandshakesAreProblems()
    {
        QFETCH(QByteArray, headers);
        QFETCH(int, status);
        QFETCH(QByteArray, code);

        const QByteArray answer
            = rawExchange(m_server->port(),
                          "GET /v1/signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                          "Connection: Upgrade\r\nSec-WebSocket-Protocol: quorum.v1\r\n"
                              + headers + "\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 " + QByteArray::number(status) + ' '),
                 answer.constData());
        QVERIFY(answer.contains("Content-Type: application/problem+json\r\n"));
        QVERIFY(answer.contains("X-Request-Id: "));
        QVERIFY(answer.contains("\"code\":\"" + code + '"'));
        QCOMPARE(answer.contains("Sec-WebSocket-Version: 13\r\n"), status == 426);
    }

    void anUnmaskedFrameClosesWith1002()
    {
        RawSignalSocket raw;
        QVERIFY(raw.open(m_server->port()));
        // A text frame without the mask bit: RFC 6455 says the server must fail the connection.
        raw.sendRaw(QByteArray("\x81\x02{}", 4));
        QCOMPARE(raw.waitForCloseCode(kTimeoutMs), 1002);
    }

    void silentClientClosesWith4008()
    {
        QuorumdProcess server({u"--ping-interval"_s, u"1"_s, u"--ping-timeout"_s, u"2"_s});
        QVERIFY2(server.start(), server.standardError().constData());

        // A hand-made handshake, then silence: no frame and no pong.
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(raw.waitForConnected(kTimeoutMs));
        raw.write("GET /v1/signal HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                  "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: quorum.v1\r\n\r\n");
        QByteArray bytes;
        QTRY_VERIFY_WITH_TIMEOUT((bytes += raw.readAll()).contains("\r\n\r\n"), kTimeoutMs);
        QVERIFY2(bytes.startsWith("HTTP/1.1 101"), bytes.constData());
        bytes = bytes.mid(bytes.indexOf("\r\n\r\n") + 4);

        QElapsedTimer timer;
        timer.start();
        QTRY_VERIFY_WITH_TIMEOUT(raw.state() == QAbstractSocket::UnconnectedState
                                     || (bytes += raw.readAll(), false),
                                 kTimeoutMs);
        bytes += raw.readAll();
        QVERIFY2(timer.elapsed() >= 1500, qPrintable(QString::number(timer.elapsed())));

        // Server frames are unmasked control frames here: opcode, length, payload.
        int pings = 0;
        int closeCode = 0;
        for (qsizetype at = 0; at + 2 <= bytes.size();) {
            const int opcode = quint8(bytes[at]) & 0x0f;
            const int length = quint8(bytes[at + 1]) & 0x7f;
            if (opcode == 0x9)
                ++pings;
            if (opcode == 0x8 && length >= 2)
                closeCode = (quint8(bytes[at + 2]) << 8) | quint8(bytes[at + 3]);
            at += 2 + length;
        }
        QVERIFY(pings >= 1);
        QCOMPARE(closeCode, 4008);
    }

    void secureSignallingOverTls()
    {
        SelfSignedCertificate certificate;
        QVERIFY2(certificate.create(), qPrintable(certificate.error()));
        QuorumdProcess server(certificate.serverArguments()
                              + QStringList{u"--first-frame-timeout"_s, u"1"_s});
        QVERIFY2(server.start(), server.standardError().constData());

        QWebSocket socket;
        connect(&socket, &QWebSocket::sslErrors, &socket,
                [&socket](const QList<QSslError> &) { socket.ignoreSslErrors(); });
        QVERIFY(open(socket, signalUrl(server.port(), u"wss"_s)));
        QCOMPARE(socket.subprotocol(), u"quorum.v1"_s);

        // The gateway runs over the TLS socket: its deadline still applies.
        QCOMPARE(closeCodeOf(socket), 4000);
    }
};

QTEST_MAIN(tst_SignalGateway)
#include "tst_signal_gateway.moc"
