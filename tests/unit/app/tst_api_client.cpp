// The app's API client against a real quorumd: JSON answers, problems turned into words and
// field errors, idempotency keys, If-Match, and failures of the network itself.

#include "ApiCall.h"
#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "QuorumdProcess.h"

#include <QTcpServer>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_ApiClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>();
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase() { m_app.reset(); }

    void aSuccessCarriesTheJsonBody()
    {
        const CallOutcome me = waitFor(m_app->client()->get(u"/v1/me"_s));
        QVERIFY(me.ok);
        QCOMPARE(me.status, 200);
        QVERIFY(!me.json.isEmpty());
    }

    void aValidationProblemNamesItsFields_data()
    {
        QTest::addColumn<QJsonObject>("input");
        QTest::addColumn<QString>("field");
        QJsonObject noTopic = AppTestServer::meetingInput(u"x"_s);
        noTopic.insert(u"topic"_s, QString());
        QTest::newRow("an empty topic is reported on topic") << noTopic << u"topic"_s;
        QJsonObject tooLong = AppTestServer::meetingInput(u"x"_s);
        tooLong.insert(u"duration_minutes"_s, 5000);
        QTest::newRow("a day-long duration is reported on duration_minutes")
            << tooLong << u"duration_minutes"_s;
    }

    void aValidationProblemNamesItsFields()
    {
        QFETCH(QJsonObject, input);
        QFETCH(QString, field);

        const CallOutcome outcome = waitFor(m_app->client()->post(u"/v1/meetings"_s, input));

        QVERIFY(!outcome.ok);
        QCOMPARE(outcome.status, 400);
        QVERIFY2(outcome.fieldErrors.contains(field),
                 qPrintable(outcome.fieldErrors.keys().join(u',')));
        QVERIFY(!outcome.fieldErrors.value(field).toString().isEmpty());
        QVERIFY(!outcome.message.isEmpty());
    }

    void eachPostIsItsOwnIdempotentRequest()
    {
        const CallOutcome first = waitFor(
            m_app->client()->post(u"/v1/meetings"_s, AppTestServer::meetingInput(u"A"_s)));
        const CallOutcome second = waitFor(
            m_app->client()->post(u"/v1/meetings"_s, AppTestServer::meetingInput(u"A"_s)));

        QCOMPARE(first.status, 201);
        QCOMPARE(second.status, 201);
        QVERIFY(first.json.value(u"id"_s) != second.json.value(u"id"_s));
    }

    void aStaleEtagIsRefusedInWords()
    {
        const CallOutcome created = waitFor(
            m_app->client()->post(u"/v1/meetings"_s, AppTestServer::meetingInput(u"B"_s)));
        const QString path = u"/v1/meetings/"_s + created.json.value(u"id"_s).toString();
        QVERIFY(waitFor(m_app->client()->patch(path, {{u"topic"_s, u"B2"_s}}, "\"v1\"")).ok);

        const CallOutcome stale
            = waitFor(m_app->client()->patch(path, {{u"topic"_s, u"B3"_s}}, "\"v1\""));

        QCOMPARE(stale.status, 412);
        QVERIFY(stale.message.contains(u"changed"_s));
    }

    void problemsBecomeWords_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("words");
        QTest::newRow("an unknown meeting no longer exists")
            << QString() << u"/v1/meetings/mtg_nothing"_s << 404 << u"no longer exists"_s;
        QTest::newRow("a revoked or unknown token asks to sign in again")
            << u"qrm_wrong"_s << u"/v1/me"_s << 401 << u"sign in again"_s;
    }

    void problemsBecomeWords()
    {
        QFETCH(QString, token);
        QFETCH(QString, path);
        QFETCH(int, status);
        QFETCH(QString, words);
        const auto client = m_app->clientWith(token.isEmpty() ? m_app->server().token() : token);
        QSignalSpy unauthorized(client.get(), &ApiClient::unauthorized);

        const CallOutcome outcome = waitFor(client->get(path));

        QCOMPARE(outcome.status, status);
        QVERIFY2(outcome.message.contains(words), qPrintable(outcome.message));
        QCOMPARE(unauthorized.size(), status == 401 ? 1 : 0);
    }

    void aRefusedConnectionIsAReadableFailure()
    {
        // A port that was free a moment ago: nothing listens there now.
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        ApiClient client;
        client.setBaseUrl(QUrl(u"http://127.0.0.1:%1"_s.arg(port)));

        const CallOutcome outcome = waitFor(client.get(u"/healthz"_s));

        QVERIFY(outcome.done);
        QCOMPARE(outcome.status, 0);
        QVERIFY2(outcome.message.contains(u"refused"_s), qPrintable(outcome.message));
    }

    void noServerFailsWithoutBlocking()
    {
        ApiClient client;
        ApiCall *call = client.get(u"/healthz"_s);
        QVERIFY(!call->isDone());

        const CallOutcome outcome = waitFor(call);

        QVERIFY(outcome.done);
        QVERIFY(!outcome.ok);
        QVERIFY(!outcome.message.isEmpty());
    }

    void theSignalAddressFollowsTheScheme()
    {
        ApiClient client;
        client.setBaseUrl(QUrl(u"https://quorum.example:8443"_s));
        QCOMPARE(client.signalUrl(), QUrl(u"wss://quorum.example:8443/v1/signal"_s));
    }
};

QTEST_GUILESS_MAIN(tst_ApiClient)
#include "tst_api_client.moc"
