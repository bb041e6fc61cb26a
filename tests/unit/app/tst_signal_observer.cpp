// SignalObserver against a real quorumd: observing a meeting, coming back by itself after the
// server restarts, and a refused observation that stays refused.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "QuorumdProcess.h"
#include "SignalObserver.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_SignalObserver : public QObject
{
    Q_OBJECT

private:
    QUrl signalUrl() const { return QUrl(u"ws://127.0.0.1:%1/v1/signal"_s.arg(m_server->port())); }

    std::unique_ptr<quorum::testing::QuorumdProcess> m_server;
    QString m_token;
    QString m_meetingId;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<quorum::testing::QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_token = m_server->token();
        const auto api
            = quorum::testing::AppTestServer::clientOf(QUrl(m_server->baseUrl()), m_token);
        const quorum::testing::CallOutcome created = quorum::testing::waitFor(api->post(
            u"/v1/meetings"_s, quorum::testing::AppTestServer::meetingInput(u"Observed"_s)));
        QCOMPARE(created.status, 201);
        m_meetingId = created.json.value(u"id"_s).toString();
    }

    void cleanupTestCase() { m_server.reset(); }

    void observesAndComesBackAfterARestart()
    {
        SignalObserver observer;
        QSignalSpy rosters(&observer, &SignalObserver::roster);
        QVERIFY(!observer.sendCommand(u"mute_all"_s));

        observer.start(signalUrl(), m_token, m_meetingId);
        QTRY_VERIFY(observer.isObserving());
        QVERIFY(observer.mayAct());
        QCOMPARE(observer.meetingState(), u"SCHEDULED"_s);
        QCOMPARE(rosters.size(), 1);

        // The server goes away and comes back on the same port: the observer returns alone.
        const quint16 port = m_server->port();
        m_server->stop();
        QTRY_VERIFY(!observer.isObserving());
        m_server->setExtraArguments({u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)});
        QVERIFY2(m_server->start(), m_server->standardError().constData());

        QTRY_VERIFY_WITH_TIMEOUT(observer.isObserving(), 15000);
        QCOMPARE(rosters.size(), 2);
        QVERIFY(observer.error().isEmpty());
        observer.stop();
        QVERIFY(!observer.isObserving());
    }

    void aRefusedObservationEndsTheWatch_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("meetingId");
        QTest::newRow("an unknown meeting") << QString() << u"mtg_nothing"_s;
        QTest::newRow("a token that is not valid") << u"qpat_wrong"_s << QString();
    }

    void aRefusedObservationEndsTheWatch()
    {
        QFETCH(QString, token);
        QFETCH(QString, meetingId);
        SignalObserver observer;
        QSignalSpy failed(&observer, &SignalObserver::commandFailed);

        observer.start(signalUrl(), token.isEmpty() ? m_token : token,
                       meetingId.isEmpty() ? m_meetingId : meetingId);

        QTRY_VERIFY(!observer.error().isEmpty());
        QCOMPARE(failed.size(), 1);
        QVERIFY(!observer.isObserving());
    }
};

QTEST_GUILESS_MAIN(tst_SignalObserver)
#include "tst_signal_observer.moc"
