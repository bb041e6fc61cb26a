#include "http/HttpFront.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMetaEnum>
#include <QMutex>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QWebSocketServer>

#include <atomic>

using namespace quorum;

namespace {

struct Response
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
};

// Splits what a server sent into responses; an incomplete last one is left out.
QList<Response> parseResponses(const QByteArray &stream)
{
    QList<Response> responses;
    qsizetype at = 0;
    while (at < stream.size()) {
        const qsizetype headEnd = stream.indexOf("\r\n\r\n", at);
        if (headEnd < 0)
            break;

        const QList<QByteArray> lines = stream.mid(at, headEnd - at).split('\n');
        Response response;
        response.status = lines.first().mid(9, 3).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            response.headers.insert(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
        }

        const qint64 length = response.headers.value("content-length", "0").toLongLong();
        if (headEnd + 4 + length > stream.size())
            break;
        response.body = stream.mid(headEnd + 4, length);
        at = headEnd + 4 + length;
        responses.append(response);
    }
    return responses;
}

QByteArray head(const QByteArray &requestLine, const QList<QByteArray> &headers = {})
{
    QByteArray bytes = requestLine + "\r\nHost: 127.0.0.1\r\n";
    for (const QByteArray &header : headers)
        bytes += header + "\r\n";
    return bytes + "\r\n";
}

// A raw client connection that keeps everything the server sends.
class RawClient
{
public:
    explicit RawClient(quint16 port, QSslSocket *tls = nullptr)
        : m_socket(tls ? tls : new QTcpSocket)
    {
        QObject::connect(m_socket.get(), &QIODevice::readyRead,
                         [this] { m_received += m_socket->readAll(); });
        QObject::connect(m_socket.get(), &QAbstractSocket::disconnected,
                         [this] { m_closed = true; });
        if (tls) {
            tls->setPeerVerifyMode(QSslSocket::VerifyNone);
            tls->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        } else {
            m_socket->connectToHost(QHostAddress::LocalHost, port);
        }
    }

    void write(const QByteArray &bytes) { m_socket->write(bytes); }
    QList<Response> responses() const { return parseResponses(m_received); }
    const QByteArray &received() const { return m_received; }
    bool closed() const { return m_closed; }
    QTcpSocket *socket() const { return m_socket.get(); }

private:
    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_received;
    bool m_closed = false;
};

constexpr int kTimeoutMs = 10000;

} // namespace

class TestHttpFront : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void rejectsWithProblemJson_data();
    void rejectsWithProblemJson();
    void smuggledRequestNeverRuns();
    void largeBodyIsRefusedBeforeItIsSent();
    void expectContinueGetsAnImmediate100();
    void pipelinedRequestsAreAnsweredInOrder();
    void validRequestsBeforeABadOneAreAnswered();
    void longHeaderWithinTheLimitKeepsItsContentLength();
    void gracefulStopLetsADeferredAnswerArrive();
    void tlsIsGuardedToo();
    void upgradeIsHandedToOurWebSocketServer();
    void workerAttachmentsLiveInTheirWorkerThreads();

private:
    void startFront(std::optional<QSslConfiguration> tls = {});
    QStringList seenPaths();

    std::unique_ptr<HttpFront> m_front;
    QMutex m_mutex;
    QStringList m_paths; // every request the handler saw, across worker threads
};

void TestHttpFront::init()
{
    m_paths.clear();
}

void TestHttpFront::cleanup()
{
    m_front.reset();
}

void TestHttpFront::startFront(std::optional<QSslConfiguration> tls)
{
    HttpFrontConfig config;
    config.address = QHostAddress::LocalHost;
    config.workerThreads = 2;
    config.tls = std::move(tls);

    auto handler = [this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        const QString path = request.url().path();
        {
            QMutexLocker locker(&m_mutex);
            m_paths << path;
        }

        const QJsonObject echo{
            {QStringLiteral("method"),
             QString::fromLatin1(QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(
                 int(request.method())))},
            {QStringLiteral("path"), path},
            {QStringLiteral("bodyLength"), int(request.body().size())},
        };

        if (path == QStringLiteral("/deferred")) {
            // Answered later from this worker thread, as a long-poll handler would.
            auto holder = std::make_shared<QHttpServerResponder>(std::move(responder));
            const QPointer<QTcpSocket> socket = holder->socket();
            QTimer::singleShot(300, socket, [holder, socket, echo] {
                if (socket)
                    holder->write(QJsonDocument(echo));
            });
            return;
        }
        responder.write(QJsonDocument(echo));
    };

    m_front = std::make_unique<HttpFront>(config, handler);
    m_front->setUpgradeHandler(QStringLiteral("/v1/signal"), {});
    QString error;
    QVERIFY2(m_front->start(&error), qPrintable(error));
    QVERIFY(m_front->port() != 0);
}

QStringList TestHttpFront::seenPaths()
{
    QMutexLocker locker(&m_mutex);
    return m_paths;
}

void TestHttpFront::rejectsWithProblemJson_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    QByteArray manyHeaders = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 20000; ++i)
        manyHeaders += "X-Filler-" + QByteArray::number(i) + ": x\r\n";
    manyHeaders += "\r\n";

    QTest::newRow("a 9 KiB request line is 414")
        << head("GET /" + QByteArray(9 * 1024, 'a') + " HTTP/1.1") << 414 << "uri_too_long";
    QTest::newRow("20,000 header lines are 431") << manyHeaders << 431 << "headers_too_large";
    QTest::newRow("one 1 MiB header is 431")
        << head("GET / HTTP/1.1", {"X-Big: " + QByteArray(1024 * 1024, 'b')}) << 431
        << "headers_too_large";
    QTest::newRow("an overflowing Content-Length is 400")
        << head("POST /v1/meetings HTTP/1.1", {"Content-Length: 18446744073709551615"}) << 400
        << "invalid_request";
    QTest::newRow("a negative Content-Length is 400")
        << head("POST /v1/meetings HTTP/1.1", {"Content-Length: -5"}) << 400 << "invalid_request";
    QTest::newRow("two different Content-Lengths are 400")
        << head("POST /v1/meetings HTTP/1.1", {"Content-Length: 5", "Content-Length: 7"}) << 400
        << "invalid_request";
    QTest::newRow("Content-Length with chunked Transfer-Encoding is 411")
        << head("POST /v1/meetings HTTP/1.1", {"Content-Length: 5", "Transfer-Encoding: chunked"})
            + "hello"
        << 411 << "length_required";
    QTest::newRow("a body over 64 KiB is 413")
        << head("POST /v1/meetings HTTP/1.1", {"Content-Length: 65537"}) << 413
        << "payload_too_large";
    QTest::newRow("an encoded slash in the path is 404")
        << head("GET /v1/meetings/abc%2F..%2Fx HTTP/1.1") << 404 << "not_found";
    QTest::newRow("an upgrade to an unregistered path is 404")
        << head("GET /v1/other HTTP/1.1", {"Upgrade: websocket", "Connection: Upgrade"}) << 404
        << "not_found";
    QTest::newRow("a bare LF is 400")
        << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << 400 << "invalid_request";
}

void TestHttpFront::rejectsWithProblemJson()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, code);
    startFront();

    RawClient client(m_front->port());
    client.write(request);

    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), kTimeoutMs);
    const QList<Response> responses = client.responses();
    QCOMPARE(responses.size(), 1);
    const Response &response = responses.first();
    QCOMPARE(response.status, status);
    QCOMPARE(response.headers.value("connection"), QByteArray("close"));
    QCOMPARE(response.headers.value("content-type"), QByteArray("application/problem+json"));
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$"))
                .match(QString::fromLatin1(response.headers.value("x-request-id")))
                .hasMatch());
    const QJsonObject problem = QJsonDocument::fromJson(response.body).object();
    QCOMPARE(problem.value(QStringLiteral("type")).toString(),
             QStringLiteral("urn:quorum:problem:") + code);
    QCOMPARE(problem.value(QStringLiteral("code")).toString(), code);
    QCOMPARE(problem.value(QStringLiteral("status")).toInt(), status);
    QVERIFY(!problem.value(QStringLiteral("title")).toString().isEmpty());
    QVERIFY(!problem.value(QStringLiteral("detail")).toString().isEmpty());
    QCOMPARE(seenPaths(), QStringList());
}

void TestHttpFront::smuggledRequestNeverRuns()
{
    startFront();
    RawClient client(m_front->port());

    client.write(head("POST /v1/meetings HTTP/1.1", {"Content-Length: 18446744073709551615"})
                 + head("GET /smuggled HTTP/1.1"));

    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), kTimeoutMs);
    const QList<Response> responses = client.responses();
    QCOMPARE(responses.size(), 1);
    QCOMPARE(responses.first().status, 400);
    QCOMPARE(seenPaths(), QStringList());
}

void TestHttpFront::largeBodyIsRefusedBeforeItIsSent()
{
    startFront();
    RawClient client(m_front->port());

    client.write(head("POST /v1/meetings HTTP/1.1", {"Content-Length: 104857600"}));

    // Not a byte of the 100 MB body has been sent: the answer comes from the head alone.
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, kTimeoutMs);
    QCOMPARE(client.responses().first().status, 413);
    client.write(QByteArray(64 * 1024, 'x'));
    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), kTimeoutMs);
    QCOMPARE(seenPaths(), QStringList());
}

void TestHttpFront::expectContinueGetsAnImmediate100()
{
    startFront();
    RawClient client(m_front->port());

    client.write(head("POST /v1/meetings HTTP/1.1", {"Expect: 100-continue", "Content-Length: 5"}));
    QTRY_COMPARE_WITH_TIMEOUT(client.received(), QByteArray("HTTP/1.1 100 Continue\r\n\r\n"),
                              kTimeoutMs);
    client.write("hello");

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 2, kTimeoutMs);
    const Response answer = client.responses().at(1);
    QCOMPARE(answer.status, 200);
    QCOMPARE(QJsonDocument::fromJson(answer.body)["bodyLength"].toInt(), 5);
    QVERIFY(!client.closed());
}

void TestHttpFront::pipelinedRequestsAreAnsweredInOrder()
{
    startFront();
    RawClient client(m_front->port());

    client.write(head("GET /1 HTTP/1.1") + head("POST /2 HTTP/1.1", {"Content-Length: 3"}) + "abc"
                 + head("GET /3 HTTP/1.1"));

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 3, kTimeoutMs);
    QStringList paths;
    for (const Response &response : client.responses()) {
        QCOMPARE(response.status, 200);
        paths << QJsonDocument::fromJson(response.body)["path"].toString();
    }
    QCOMPARE(paths, QStringList({"/1", "/2", "/3"}));
    QVERIFY(!client.closed());
}

void TestHttpFront::validRequestsBeforeABadOneAreAnswered()
{
    startFront();
    RawClient client(m_front->port());

    client.write(head("GET /1 HTTP/1.1") + head("GET /2 HTTP/1.1")
                 + head("POST /3 HTTP/1.1", {"Transfer-Encoding: chunked"})
                 + "5\r\nhello\r\n0\r\n\r\n" + head("GET /smuggled HTTP/1.1"));

    QTRY_VERIFY_WITH_TIMEOUT(client.closed(), kTimeoutMs);
    const QList<Response> responses = client.responses();
    QCOMPARE(responses.size(), 3);
    QCOMPARE(responses.at(0).status, 200);
    QCOMPARE(responses.at(1).status, 200);
    QCOMPARE(responses.at(2).status, 411);
    QCOMPARE(seenPaths(), QStringList({"/1", "/2"}));
}

void TestHttpFront::longHeaderWithinTheLimitKeepsItsContentLength()
{
    // Qt's own header parser drops all fields of a request it dislikes; this one it must keep.
    startFront();
    RawClient client(m_front->port());

    client.write(
        head("POST /long HTTP/1.1", {"X-Long: " + QByteArray(12 * 1024, 'l'), "Content-Length: 5"})
        + "hello" + head("GET /after HTTP/1.1"));

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 2, kTimeoutMs);
    QCOMPARE(QJsonDocument::fromJson(client.responses().at(0).body)["bodyLength"].toInt(), 5);
    QCOMPARE(seenPaths(), QStringList({"/long", "/after"}));
}

void TestHttpFront::gracefulStopLetsADeferredAnswerArrive()
{
    startFront();
    QSignalSpy stopped(m_front.get(), &HttpFront::stopped);
    RawClient busy(m_front->port());
    RawClient idle(m_front->port());
    busy.write(head("GET /deferred HTTP/1.1"));
    idle.write(head("GET /quick HTTP/1.1"));
    QTRY_COMPARE_WITH_TIMEOUT(idle.responses().size(), 1, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(seenPaths().contains(QStringLiteral("/deferred")), kTimeoutMs);

    m_front->stop(5000);

    QTRY_VERIFY_WITH_TIMEOUT(idle.closed(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(busy.responses().size(), 1, kTimeoutMs);
    QCOMPARE(busy.responses().first().status, 200);
    QCOMPARE(busy.responses().first().headers.value("connection"), QByteArray("close"));
    QTRY_VERIFY_WITH_TIMEOUT(busy.closed(), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, kTimeoutMs);
}

void TestHttpFront::tlsIsGuardedToo()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout",
                   dir.filePath("key.pem"), "-out", dir.filePath("cert.pem")});
    QVERIFY(openssl.waitForFinished(kTimeoutMs));
    QCOMPARE(openssl.exitCode(), 0);

    QFile keyFile(dir.filePath("key.pem"));
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    const QSslKey key(&keyFile, QSsl::Ec);
    QVERIFY(!key.isNull());
    const auto certificates = QSslCertificate::fromPath(dir.filePath("cert.pem"));
    QCOMPARE(certificates.size(), 1);
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(certificates.first());
    tls.setPrivateKey(key);
    startFront(tls);

    RawClient good(m_front->port(), new QSslSocket);
    good.write(head("GET /secure HTTP/1.1"));
    QTRY_COMPARE_WITH_TIMEOUT(good.responses().size(), 1, kTimeoutMs);
    QCOMPARE(good.responses().first().status, 200);

    RawClient bad(m_front->port(), new QSslSocket);
    bad.write(head("POST /v1/meetings HTTP/1.1", {"Content-Length: 18446744073709551615"})
              + head("GET /smuggled HTTP/1.1"));
    QTRY_COMPARE_WITH_TIMEOUT(bad.responses().size(), 1, kTimeoutMs);
    QCOMPARE(bad.responses().first().status, 400);
    QTRY_VERIFY_WITH_TIMEOUT(bad.closed(), kTimeoutMs);
    QCOMPARE(seenPaths(), QStringList({"/secure"}));
}

void TestHttpFront::upgradeIsHandedToOurWebSocketServer()
{
    // The upgrade handler runs in a worker thread; the WebSocket server lives in this one, so
    // the handler moves the socket here and hands it over through a queued call.
    QWebSocketServer wsServer(QStringLiteral("quorum"), QWebSocketServer::NonSecureMode);
    wsServer.setSupportedSubprotocols({QStringLiteral("quorum.v1")});
    QList<QWebSocket *> accepted;
    connect(&wsServer, &QWebSocketServer::newConnection, this, [&] {
        while (QWebSocket *socket = wsServer.nextPendingConnection()) {
            accepted << socket;
            connect(socket, &QWebSocket::textMessageReceived, socket,
                    [socket](const QString &text) { socket->sendTextMessage(text + u'!'); });
        }
    });

    HttpFrontConfig config;
    config.workerThreads = 2;
    m_front = std::make_unique<HttpFront>(
        config, [](const QHttpServerRequest &, QHttpServerResponder &&responder) {
            responder.write(QHttpServerResponder::StatusCode::Ok);
        });
    m_front->setUpgradeHandler(QStringLiteral("/v1/signal"), [&wsServer](QTcpSocket *socket) {
        // Sockets belong to their thread: move it here before the server takes it.
        socket->setParent(nullptr);
        socket->moveToThread(wsServer.thread());
        QMetaObject::invokeMethod(&wsServer, [&wsServer, socket] {
            wsServer.handleConnection(socket);
            if (socket->bytesAvailable() > 0)
                Q_EMIT socket->readyRead();
        });
    });
    QString error;
    QVERIFY2(m_front->start(&error), qPrintable(error));

    QWebSocket client;
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({QStringLiteral("quorum.v1")});
    QSignalSpy connected(&client, &QWebSocket::connected);
    QSignalSpy received(&client, &QWebSocket::textMessageReceived);
    client.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/v1/signal").arg(m_front->port())), options);
    QVERIFY(connected.wait(kTimeoutMs));
    QCOMPARE(client.subprotocol(), QStringLiteral("quorum.v1"));

    client.sendTextMessage(QStringLiteral("hello"));
    QVERIFY(received.wait(kTimeoutMs));
    QCOMPARE(received.first().first().toString(), QStringLiteral("hello!"));

    client.close();
    m_front.reset();
    qDeleteAll(accepted);
}

void TestHttpFront::workerAttachmentsLiveInTheirWorkerThreads()
{
    // Each worker thread makes its own attachment and destroys it itself at shutdown.
    QMutex mutex;
    QList<QThread *> madeIn;
    QList<QThread *> destroyedIn;
    HttpFrontConfig config;
    config.workerThreads = 2;
    m_front = std::make_unique<HttpFront>(
        config, [](const QHttpServerRequest &, QHttpServerResponder &&responder) {
            responder.write(QHttpServerResponder::StatusCode::Ok);
        });
    m_front->setWorkerAttachment([&]() -> std::unique_ptr<QObject> {
        auto attachment = std::make_unique<QObject>();
        connect(attachment.get(), &QObject::destroyed, [&] {
            QMutexLocker locker(&mutex);
            destroyedIn << QThread::currentThread();
        });
        QMutexLocker locker(&mutex);
        madeIn << QThread::currentThread();
        return attachment;
    });
    QString error;
    QVERIFY2(m_front->start(&error), qPrintable(error));

    {
        QMutexLocker locker(&mutex);
        QCOMPARE(madeIn.size(), 2);
        QVERIFY(madeIn.first() != madeIn.last());
        QVERIFY(!madeIn.contains(QThread::currentThread()));
        QVERIFY(destroyedIn.isEmpty());
    }

    m_front.reset();
    QCOMPARE(destroyedIn.size(), 2);
    QCOMPARE(QSet<QThread *>(destroyedIn.cbegin(), destroyedIn.cend()),
             QSet<QThread *>(madeIn.cbegin(), madeIn.cend()));
}

QTEST_MAIN(TestHttpFront)
#include "tst_httpfront.moc"
