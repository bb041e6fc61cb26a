// Case C18's HTTP parts against a real quorumd over raw sockets: size caps, request framing
// that could desynchronise a connection, Expect: 100-continue, pipelining, request ids, and a
// request in flight finishing during a graceful shutdown.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QtTest>

#include <functional>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

struct RawResponse
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    QString code() const
    {
        return QJsonDocument::fromJson(body).object().value(u"code").toString();
    }
};

// Splits what a server sent into its responses (each framed by Content-Length, as quorumd's
// are); a trailing incomplete response is dropped.
QList<RawResponse> parseResponses(QByteArray bytes)
{
    QList<RawResponse> responses;
    while (true) {
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
        if (headEnd < 0)
            break;
        const QList<QByteArray> lines = bytes.left(headEnd).split('\n');
        RawResponse response;
        response.status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                response.headers.append(
                    {line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        const qint64 length = response.header("Content-Length").toLongLong();
        if (bytes.size() < headEnd + 4 + length)
            break;
        response.body = bytes.mid(headEnd + 4, length);
        bytes.remove(0, headEnd + 4 + length);
        responses << response;
    }
    return responses;
}

// One client connection, driven step by step.
class RawConnection
{
public:
    explicit RawConnection(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        m_socket.waitForConnected(5000);
    }

    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &bytes)
    {
        m_socket.write(bytes);
        m_socket.flush();
    }

    // Reads until `enough` says so, the server closes, or the timeout passes.
    bool readUntil(const std::function<bool(const QByteArray &)> &enough, int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        while (!enough(m_received) && timer.elapsed() < timeoutMs) {
            if (m_socket.bytesAvailable() == 0 && !isConnected())
                break;
            m_socket.waitForReadyRead(int(qMax<qint64>(1, timeoutMs - timer.elapsed())));
            m_received += m_socket.readAll();
        }
        return enough(m_received);
    }
    // Waits for the server to close the connection; false if it stays open.
    bool waitClosed(int timeoutMs = 5000)
    {
        readUntil([this](const QByteArray &) { return !isConnected(); }, timeoutMs);
        m_received += m_socket.readAll();
        return !isConnected();
    }
    const QByteArray &received() const { return m_received; }
    QList<RawResponse> responses() const { return parseResponses(m_received); }

private:
    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray head(const QByteArray &requestLine, const QByteArray &token,
                const QByteArray &extraHeaders = {})
{
    QByteArray out = requestLine + "\r\nHost: 127.0.0.1\r\n";
    if (!token.isEmpty())
        out += "Authorization: Bearer " + token + "\r\n";
    return out + extraHeaders + "\r\n";
}

QByteArray jsonPost(const QByteArray &path, const QByteArray &token, const QByteArray &body,
                    const QByteArray &extraHeaders = {})
{
    return head("POST " + path + " HTTP/1.1", token,
                "Content-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\n" + extraHeaders)
        + body;
}

QByteArray meetingBody(const QString &topic)
{
    return QJsonDocument(QJsonObject{{u"topic"_s, topic},
                                     {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                     {u"duration_minutes"_s, 30}})
        .toJson(QJsonDocument::Compact);
}

// The metrics endpoint's request count for one route and method, all statuses together.
int requestCount(const QString &baseUrl, const QByteArray &route, const QByteArray &method)
{
    ApiClient client(baseUrl);
    int total = 0;
    const QByteArray prefix
        = "quorum_http_requests_total{route=\"" + route + "\",method=\"" + method + "\"";
    for (const QByteArray &line : client.get(u"/metrics"_s).body.split('\n')) {
        if (line.startsWith(prefix))
            total += line.mid(line.lastIndexOf(' ') + 1).toInt();
    }
    return total;
}

} // namespace

class tst_HttpFrontRaw : public QObject
{
    Q_OBJECT

private:
    QString createMeeting(const QString &topic = u"Raw front"_s) const
    {
        ApiClient client(m_server->baseUrl(), m_token);
        const ApiReply created
            = client.post(u"/v1/meetings"_s, QJsonDocument::fromJson(meetingBody(topic)).object());
        return created.status == 201 ? created.json().value(u"id").toString() : QString();
    }

    QString stateOf(const QString &id) const
    {
        ApiClient client(m_server->baseUrl(), m_token);
        return client.get(u"/v1/meetings/"_s + id).json().value(u"state").toString();
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_token;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_token = m_server->token();
        QVERIFY(m_token.startsWith(u"qpat_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    void aHugeContentLengthIs413AtOnce()
    {
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());
        QElapsedTimer timer;
        timer.start();

        // The head and a few bytes of a 100 MiB body that would follow slowly.
        connection.send(head("POST /v1/meetings HTTP/1.1", m_token.toLatin1(),
                             "Content-Type: application/json\r\nContent-Length: 104857600\r\n")
                        + "{\"topic\":");

        QVERIFY2(connection.waitClosed(), connection.received().constData());
        QVERIFY(timer.elapsed() < 5000);
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 413);
        QCOMPARE(responses.first().code(), u"payload_too_large"_s);
        QVERIFY(!responses.first().header("X-Request-Id").isEmpty());
    }

    void oversizedHeadsAre431_data()
    {
        QTest::addColumn<QByteArray>("headers");

        QByteArray manyLines;
        for (int i = 0; i < 20000; ++i)
            manyLines += "X-Filler-" + QByteArray::number(i) + ": a\r\n";
        QTest::newRow("20,000 header lines") << manyLines;
        QTest::newRow("one header of 1 MiB") << "X-Big: " + QByteArray(1024 * 1024, 'a') + "\r\n";
    }

    void oversizedHeadsAre431()
    {
        QFETCH(QByteArray, headers);
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        connection.send(head("GET /v1/meetings HTTP/1.1", m_token.toLatin1(), headers));

        QVERIFY2(connection.waitClosed(10000), connection.received().left(200).constData());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 431);
        QCOMPARE(responses.first().code(), u"headers_too_large"_s);
        QVERIFY(!responses.first().header("X-Request-Id").isEmpty());
    }

    void ambiguousFramingIsRefusedAndNothingBehindItRuns_data()
    {
        QTest::addColumn<QByteArray>("framing"); // header lines of the POST
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QList<int>>("statuses"); // the answers allowed

        QTest::newRow("a Content-Length that overflows 64 bits")
            << QByteArray("Content-Length: 18446744073709551615\r\n") << QByteArray()
            << QList<int>{400};
        QTest::newRow("two Content-Lengths that disagree")
            << QByteArray("Content-Length: 0\r\nContent-Length: 2\r\n") << QByteArray("{}")
            << QList<int>{400};
        QTest::newRow("a negative Content-Length")
            << QByteArray("Content-Length: -1\r\n") << QByteArray() << QList<int>{400};
        QTest::newRow("Content-Length and Transfer-Encoding together")
            << QByteArray("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")
            << QByteArray("0\r\n\r\n") << QList<int>{411, 400};
        QTest::newRow("Transfer-Encoding chunked alone")
            << QByteArray("Transfer-Encoding: chunked\r\n") << QByteArray("0\r\n\r\n")
            << QList<int>{411};
    }

    void ambiguousFramingIsRefusedAndNothingBehindItRuns()
    {
        QFETCH(QByteArray, framing);
        QFETCH(QByteArray, body);
        QFETCH(QList<int>, statuses);
        const QString id = createMeeting();
        QVERIFY(!id.isEmpty());
        const QByteArray token = m_token.toLatin1();
        const int deletesBefore = requestCount(m_server->baseUrl(), "/v1/meetings/{id}", "DELETE");
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        // If the server took the POST's body for empty, the DELETE would be read as the next
        // request on the connection and cancel the meeting.
        connection.send(head("POST /v1/meetings HTTP/1.1", token,
                             "Content-Type: application/json\r\n" + framing)
                        + body + head("DELETE /v1/meetings/" + id.toLatin1() + " HTTP/1.1", token));

        QVERIFY2(connection.waitClosed(), connection.received().constData());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QVERIFY2(statuses.contains(responses.first().status), connection.received().constData());
        QVERIFY(!responses.first().header("X-Request-Id").isEmpty());
        QCOMPARE(stateOf(id), u"SCHEDULED"_s);
        QCOMPARE(requestCount(m_server->baseUrl(), "/v1/meetings/{id}", "DELETE"), deletesBefore);
    }

    void aRequestAskingToCloseEndsTheConnection_data()
    {
        QTest::addColumn<QByteArray>("version");
        QTest::addColumn<QByteArray>("connection"); // header lines

        QTest::newRow("HTTP/1.1 with Connection: close")
            << QByteArray("HTTP/1.1") << QByteArray("Connection: close\r\n");
        QTest::newRow("a close option among others")
            << QByteArray("HTTP/1.1") << QByteArray("Connection: TE, Close\r\nTE: trailers\r\n");
        QTest::newRow("HTTP/1.0 without keep-alive") << QByteArray("HTTP/1.0") << QByteArray();
    }

    void aRequestAskingToCloseEndsTheConnection()
    {
        QFETCH(QByteArray, version);
        QFETCH(QByteArray, connection);
        const QString id = createMeeting();
        QVERIFY(!id.isEmpty());
        const QByteArray token = m_token.toLatin1();
        RawConnection raw(m_server->port());
        QVERIFY(raw.isConnected());

        // RFC 9112 9.6: the connection ends after this answer, so the DELETE behind it is
        // never read.
        raw.send(head("GET /v1/meetings/" + id.toLatin1() + ' ' + version, token, connection)
                 + head("DELETE /v1/meetings/" + id.toLatin1() + " HTTP/1.1", token));

        QVERIFY2(raw.waitClosed(), raw.received().constData());
        const QList<RawResponse> responses = raw.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 200);
        QCOMPARE(responses.first().header("Connection").toLower(), QByteArray("close"));
        QCOMPARE(stateOf(id), u"SCHEDULED"_s);
    }

    void aTopicOf201CharactersIs400()
    {
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        connection.send(jsonPost("/v1/meetings", m_token.toLatin1(),
                                 meetingBody(QString(201, u'a')), "Connection: close\r\n"));

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 400);
        QCOMPARE(responses.first().code(), u"validation_failed"_s);
        QVERIFY(responses.first().body.contains("\"field\":\"topic\""));
        QVERIFY(!responses.first().header("X-Request-Id").isEmpty());
    }

    void expectContinueIsAnsweredBeforeTheBody()
    {
        const QByteArray body = meetingBody(u"Expecting"_s);
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        connection.send(head("POST /v1/meetings HTTP/1.1", m_token.toLatin1(),
                             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                             "Connection: close\r\nContent-Length: "
                                 + QByteArray::number(body.size()) + "\r\n"));
        const bool continued = connection.readUntil(
            [](const QByteArray &received) { return received.contains("\r\n\r\n"); });
        QVERIFY2(continued, connection.received().constData());
        QVERIFY2(connection.received().startsWith("HTTP/1.1 100 Continue\r\n\r\n"),
                 connection.received().constData());
        connection.send(body);

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 2);
        QCOMPARE(responses.at(0).status, 100);
        QCOMPARE(responses.at(1).status, 201);
        QVERIFY(!responses.at(1).header("X-Request-Id").isEmpty());
    }

    void expectContinueWithATooLargeBodyIs413WithoutContinue()
    {
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        connection.send(head("POST /v1/meetings HTTP/1.1", m_token.toLatin1(),
                             "Content-Type: application/json\r\nExpect: 100-continue\r\n"
                             "Content-Length: 104857600\r\n"));

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 413);
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        const QString id = createMeeting();
        QVERIFY(!id.isEmpty());
        const QByteArray token = m_token.toLatin1();
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());

        connection.send(head("GET /healthz HTTP/1.1", {})
                        + jsonPost("/v1/meetings", token, meetingBody(u"Pipelined"_s))
                        + head("GET /v1/meetings/mtg_0000000000000000000000 HTTP/1.1", token)
                        + head("GET /v1/meetings/" + id.toLatin1() + " HTTP/1.1", token,
                               "Connection: close\r\n"));

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 4);
        QCOMPARE(responses.at(0).status, 200);
        QCOMPARE(responses.at(1).status, 201);
        QVERIFY(responses.at(1).body.contains("\"topic\":\"Pipelined\""));
        QCOMPARE(responses.at(2).status, 404);
        QCOMPARE(responses.at(3).status, 200);
        QVERIFY(responses.at(3).body.contains(id.toLatin1()));
        QSet<QByteArray> requestIds;
        for (const RawResponse &response : responses)
            requestIds << response.header("X-Request-Id");
        QVERIFY(!requestIds.contains(QByteArray()));
        QCOMPARE(requestIds.size(), responses.size());
    }

    void headIsAnsweredWithoutABody()
    {
        // A body after the answer to HEAD would be read as the start of the next answer.
        RawConnection connection(m_server->port());
        QVERIFY(connection.isConnected());
        connection.send(head("HEAD /healthz HTTP/1.1", {})
                        + head("GET /healthz HTTP/1.1", {}, "Connection: close\r\n"));

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 2);
        QCOMPARE(responses.at(0).status, 405);
        QCOMPARE(responses.at(0).header("Content-Length"), QByteArray("0"));
        QVERIFY(responses.at(0).body.isEmpty());
        QCOMPARE(responses.at(1).status, 200);
    }

    void pipelinedAnswersWaitForADeferredOne()
    {
        // A wrong passcode during a surge is answered later; the fast request pipelined behind
        // it on the same connection must still be answered second.
        QuorumdProcess server(
            {u"--passcode-surge-failures"_s, u"1"_s, u"--passcode-surge-delay"_s, u"700"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        ApiClient host(server.baseUrl(), server.token());
        QJsonObject meeting = QJsonDocument::fromJson(meetingBody(u"Ordered"_s)).object();
        meeting.insert(u"passcode"_s, u"right1"_s);
        const ApiReply created = host.post(u"/v1/meetings"_s, meeting);
        QCOMPARE(created.status, 201);
        const QByteArray path
            = "/v1/meetings/" + created.json().value(u"id").toString().toLatin1() + "/joinToken";
        RawConnection connection(server.port());
        QVERIFY(connection.isConnected());

        connection.send(
            jsonPost(path, {}, R"({"guest":true,"display_name":"Slow","passcode":"wrong1"})")
            + head("GET /healthz HTTP/1.1", {}) + head("GET /readyz HTTP/1.1", {}));

        QVERIFY(connection.readUntil(
            [](const QByteArray &bytes) { return parseResponses(bytes).size() >= 3; }));
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 3);
        QCOMPARE(responses.at(0).status, 403);
        QCOMPARE(responses.at(0).code(), u"wrong_passcode"_s);
        QVERIFY(!responses.at(0).header("X-Request-Id").isEmpty());
        QCOMPARE(responses.at(1).status, 200);
        QVERIFY(responses.at(1).body.contains("\"ok\""));
        QCOMPARE(responses.at(2).status, 200);
        QVERIFY(responses.at(2).body.contains("\"ready\""));
        QVERIFY(connection.isConnected());

        // The connection stays usable afterwards.
        connection.send(head("GET /healthz HTTP/1.1", {}));
        QVERIFY(connection.readUntil(
            [](const QByteArray &bytes) { return parseResponses(bytes).size() >= 4; }));
        QCOMPARE(connection.responses().at(3).status, 200);
    }

    void aClientGoneBeforeADeferredAnswerLeavesTheServerUp()
    {
        QuorumdProcess server(
            {u"--passcode-surge-failures"_s, u"1"_s, u"--passcode-surge-delay"_s, u"300"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        ApiClient host(server.baseUrl(), server.token());
        QJsonObject meeting = QJsonDocument::fromJson(meetingBody(u"Gone"_s)).object();
        meeting.insert(u"passcode"_s, u"right1"_s);
        const ApiReply created = host.post(u"/v1/meetings"_s, meeting);
        QCOMPARE(created.status, 201);
        const QByteArray path
            = "/v1/meetings/" + created.json().value(u"id").toString().toLatin1() + "/joinToken";
        {
            RawConnection connection(server.port());
            connection.send(
                jsonPost(path, {}, R"({"guest":true,"display_name":"Gone","passcode":"wrong1"})")
                + head("GET /healthz HTTP/1.1", {}));
            QTRY_VERIFY_WITH_TIMEOUT(
                host.get(u"/v1/audit?page_size=300"_s).body.contains("passcode.surge"), 5000);
        }

        // The held answers had nowhere to go: nothing was written, nothing crashed.
        QTRY_COMPARE_WITH_TIMEOUT(
            requestCount(server.baseUrl(), "/v1/meetings/{id}/joinToken", "POST"), 1, 5000);
        QCOMPARE(host.get(u"/healthz"_s).status, 200);
        QVERIFY(server.isRunning());
    }

    void aRequestInFlightFinishesDuringShutdown()
    {
        // A surge of one failure holds every wrong-passcode answer for a while: a request that
        // is surely in flight when SIGTERM arrives.
        QuorumdProcess server(
            {u"--passcode-surge-failures"_s, u"1"_s, u"--passcode-surge-delay"_s, u"3000"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        ApiClient host(server.baseUrl(), server.token());
        QJsonObject meeting = QJsonDocument::fromJson(meetingBody(u"Closing"_s)).object();
        meeting.insert(u"passcode"_s, u"right1"_s);
        const ApiReply created = host.post(u"/v1/meetings"_s, meeting);
        QCOMPARE(created.status, 201);
        const QByteArray path
            = "/v1/meetings/" + created.json().value(u"id").toString().toLatin1() + "/joinToken";
        RawConnection connection(server.port());
        QVERIFY(connection.isConnected());

        connection.send(jsonPost(path, {},
                                 R"({"guest":true,"display_name":"Late","passcode":"wrong1"})",
                                 "Connection: close\r\n"));
        // The handler has run (the surge it started is audited) and its answer is being held
        // back (answers are counted only once written).
        QTRY_VERIFY_WITH_TIMEOUT(
            host.get(u"/v1/audit?page_size=300"_s).body.contains("passcode.surge"), 5000);
        QCOMPARE(requestCount(server.baseUrl(), "/v1/meetings/{id}/joinToken", "POST"), 0);
        server.stop();

        QVERIFY(connection.waitClosed());
        const QList<RawResponse> responses = connection.responses();
        QCOMPARE(responses.size(), 1);
        QCOMPARE(responses.first().status, 403);
        QCOMPARE(responses.first().code(), u"wrong_passcode"_s);
        QVERIFY(!server.isRunning());
        QCOMPARE(server.exitCode(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_HttpFrontRaw)
#include "tst_http_front_raw.moc"
