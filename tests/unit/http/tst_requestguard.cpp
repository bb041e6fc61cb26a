#include "http/RequestGuard.h"

#include <QTest>

using namespace quorum;

namespace {

// One line per event, so that a failing row shows plainly what the guard saw.
QString describe(const QList<GuardEvent> &events)
{
    QStringList lines;
    for (const GuardEvent &event : events) {
        QString line;
        switch (event.kind) {
        case GuardEvent::Kind::Request:
            line = QString::fromLatin1(event.method + ' ' + event.target);
            if (event.expectContinue)
                line += QStringLiteral(" +continue");
            break;
        case GuardEvent::Kind::Rejected:
            line = QString::number(event.rejection.status) + u' '
                + QString::fromLatin1(event.rejection.code);
            break;
        case GuardEvent::Kind::Upgrade:
            line = QStringLiteral("upgrade ") + QString::fromLatin1(event.target);
            break;
        }
        lines << line + QStringLiteral(" @") + QString::number(event.readyAt);
    }
    return lines.join(QStringLiteral("; "));
}

QByteArray head(const QByteArray &requestLine, const QList<QByteArray> &headers = {})
{
    QByteArray bytes = requestLine + "\r\n";
    for (const QByteArray &header : headers)
        bytes += header + "\r\n";
    return bytes + "\r\n";
}

HttpLimits smallLimits()
{
    HttpLimits limits;
    limits.maxRequestLineBytes = 32;
    limits.maxHeaderBytes = 128;
    limits.maxHeaderCount = 4;
    limits.maxBodyBytes = 16;
    return limits;
}

} // namespace

class TestRequestGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void events_data();
    void events();
    void stopsAtTheFirstRejection();
    void rejectionIsProblemJson();
};

void TestRequestGuard::events_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("small");
    QTest::addColumn<QString>("expected");

    const QByteArray get = head("GET /a HTTP/1.1", {"Host: x"}); // 28 bytes
    const QByteArray post5 = head("POST /b HTTP/1.1", {"Content-Length: 5"}) + "hello";

    QTest::newRow("a plain GET is one request") << get << false << "GET /a @0";
    QTest::newRow("three pipelined GETs are three requests in order")
        << get + get + get << false << "GET /a @0; GET /a @28; GET /a @56";
    QTest::newRow("a body is skipped up to its length")
        << post5 + get << false << QStringLiteral("POST /b @0; GET /a @%1").arg(post5.size());
    QTest::newRow("blank lines between requests are skipped")
        << get + "\r\n\r\n" + get << false << "GET /a @0; GET /a @28";
    QTest::newRow("a request line at the limit passes")
        << head("GET /" + QByteArray(32 - 14, 'a') + " HTTP/1.1") << true
        << QStringLiteral("GET /%1 @0").arg(QString(32 - 14, u'a'));
    QTest::newRow("a request line one byte over the limit is 414")
        << head("GET /" + QByteArray(32 - 13, 'a') + " HTTP/1.1") << true << "414 uri_too_long @0";
    // GET / HTTP/1.1\r\n = 16, X: ...\r\n = 5 + n, final \r\n = 2: 128 = 16 + 5 + 105 + 2
    QTest::newRow("a head of exactly the byte limit passes")
        << head("GET / HTTP/1.1", {"X: " + QByteArray(105, 'v')}) << true << "GET / @0";
    QTest::newRow("a head one byte over the limit is 431")
        << head("GET / HTTP/1.1", {"X: " + QByteArray(106, 'v')}) << true
        << "431 headers_too_large @0";
    QTest::newRow("exactly the maximum number of headers passes")
        << head("GET / HTTP/1.1", {"A: 1", "B: 2", "C: 3", "D: 4"}) << true << "GET / @0";
    QTest::newRow("one header more than the maximum is 431")
        << head("GET / HTTP/1.1", {"A: 1", "B: 2", "C: 3", "D: 4", "E: 5"}) << true
        << "431 headers_too_large @0";
    QTest::newRow("an overflowing Content-Length is 400 and hides the smuggled request")
        << head("POST /b HTTP/1.1", {"Content-Length: 18446744073709551615"})
            + head("GET /smuggled HTTP/1.1")
        << false << "400 invalid_request @0";
    QTest::newRow("a negative Content-Length is 400")
        << head("POST /b HTTP/1.1", {"Content-Length: -1"}) << false << "400 invalid_request @0";
    QTest::newRow("a non-numeric Content-Length is 400")
        << head("POST /b HTTP/1.1", {"Content-Length: 5x"}) << false << "400 invalid_request @0";
    QTest::newRow("a multi-valued Content-Length is 400")
        << head("POST /b HTTP/1.1", {"Content-Length: 5, 5"}) << false << "400 invalid_request @0";
    QTest::newRow("two different Content-Lengths are 400")
        << head("POST /b HTTP/1.1", {"Content-Length: 5", "Content-Length: 6"}) << false
        << "400 invalid_request @0";
    QTest::newRow("two equal Content-Lengths pass")
        << head("POST /b HTTP/1.1", {"Content-Length: 5", "content-length: 5"}) + "hello" << false
        << "POST /b @0";
    QTest::newRow("a chunked Transfer-Encoding is 411")
        << head("POST /b HTTP/1.1", {"Transfer-Encoding: chunked"}) << false
        << "411 length_required @0";
    QTest::newRow("Content-Length with Transfer-Encoding is 411")
        << head("POST /b HTTP/1.1", {"Content-Length: 5", "Transfer-Encoding: chunked"}) + "hello"
        << false << "411 length_required @0";
    QTest::newRow("a body over the limit is 413 from the head alone")
        << head("POST /b HTTP/1.1", {"Content-Length: 17"}) << true << "413 payload_too_large @0";
    QTest::newRow("a body at the limit passes") << head("POST /b HTTP/1.1", {"Content-Length: 16"})
            + QByteArray(16, 'b') << true << "POST /b @0";
    QTest::newRow("Expect 100-continue with a body asks for a 100")
        << head("POST /b HTTP/1.1", {"Expect: 100-Continue", "Content-Length: 5"}) << false
        << "POST /b +continue @0";
    QTest::newRow("Expect 100-continue without a body asks for nothing")
        << head("POST /b HTTP/1.1", {"Expect: 100-continue"}) << false << "POST /b @0";
    QTest::newRow("an encoded slash in the path is 404")
        << head("GET /v1/meetings/abc%2F..%2Fx HTTP/1.1") << false << "404 not_found @0";
    QTest::newRow("a lower-case encoded slash in the path is 404")
        << head("GET /v1/a%2fb HTTP/1.1") << false << "404 not_found @0";
    QTest::newRow("an encoded slash in the query passes")
        << head("GET /v1/a?next=%2Fb HTTP/1.1") << false << "GET /v1/a?next=%2Fb @0";
    QTest::newRow("a bare LF is 400")
        << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << false << "400 invalid_request @0";
    QTest::newRow("a bare CR is 400")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\rY\r\n\r\n") << false << "400 invalid_request @0";
    QTest::newRow("an obs-fold continuation line is 400")
        << head("GET / HTTP/1.1", {"X: a", " b"}) << false << "400 invalid_request @0";
    QTest::newRow("a header line without a colon is 400")
        << head("GET / HTTP/1.1", {"Content-Length 5"}) << false << "400 invalid_request @0";
    QTest::newRow("a space before the colon is 400")
        << head("GET / HTTP/1.1", {"Content-Length : 5"}) << false << "400 invalid_request @0";
    QTest::newRow("an HTTP/2 preface is 400")
        << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << false << "400 invalid_request @0";
    QTest::newRow("a request line with two spaces in a row is 400")
        << head("GET  / HTTP/1.1") << false << "400 invalid_request @0";
    QTest::newRow("an upgrade to the registered path is handed over")
        << head("GET /v1/signal HTTP/1.1", {"Upgrade: websocket", "Connection: Upgrade"}) + "frames"
        << false << "upgrade /v1/signal @0";
    QTest::newRow("an upgrade to another path is 404")
        << get + head("GET /other HTTP/1.1", {"Upgrade: WebSocket"}) << false
        << "GET /a @0; 404 not_found @28";

    const QByteArray body = head("POST /b HTTP/1.1", {"Content-Length: 10"}) + "0123456789";
    QTest::newRow("a body split across packets, then an oversized head, is answered then 431")
        << body + head("GET / HTTP/1.1", {"X: " + QByteArray(200, 'v')}) << true
        << QStringLiteral("POST /b @0; 431 headers_too_large @%1").arg(body.size());
    QTest::newRow("two valid requests then a bad one give two requests then the rejection")
        << get + get + head("POST /b HTTP/1.1", {"Transfer-Encoding: chunked"}) << false
        << "GET /a @0; GET /a @28; 411 length_required @56";
}

void TestRequestGuard::events()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, small);
    QFETCH(QString, expected);
    const HttpLimits limits = small ? smallLimits() : HttpLimits{};

    RequestGuard whole(limits);
    whole.setUpgradePaths({"/v1/signal"});
    whole.feed(input);
    QCOMPARE(describe(whole.takeEvents()), expected);

    RequestGuard byteWise(limits);
    byteWise.setUpgradePaths({"/v1/signal"});
    QList<GuardEvent> events;
    for (char c : std::as_const(input)) {
        byteWise.feed(QByteArrayView(&c, 1));
        events += byteWise.takeEvents();
    }
    QCOMPARE(describe(events), expected);
}

void TestRequestGuard::stopsAtTheFirstRejection()
{
    RequestGuard guard;

    guard.feed("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
    QVERIFY(guard.stopped());
    guard.feed("GET /smuggled HTTP/1.1\r\n\r\n");

    const QList<GuardEvent> events = guard.takeEvents();
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().kind, GuardEvent::Kind::Rejected);
}

void TestRequestGuard::rejectionIsProblemJson()
{
    GuardRejection rejection{413, "payload_too_large", "Payload Too Large", "Too \"big\"."};

    const QByteArray response = rejection.toResponse("0123456789abcdef");

    QVERIFY(response.startsWith("HTTP/1.1 413 Payload Too Large\r\n"));
    QVERIFY(response.contains("\r\nContent-Type: application/problem+json\r\n"));
    QVERIFY(response.contains("\r\nConnection: close\r\n"));
    QVERIFY(response.contains("\r\nX-Request-Id: 0123456789abcdef\r\n"));
    QVERIFY(
        response.endsWith("\r\n\r\n{\"type\":\"urn:quorum:problem:payload_too_large\",\"code\":"
                          "\"payload_too_large\",\"title\":\"Payload Too Large\",\"status\":413,"
                          "\"detail\":\"Too \\\"big\\\".\"}"));
}

QTEST_APPLESS_MAIN(TestRequestGuard)
#include "tst_requestguard.moc"
