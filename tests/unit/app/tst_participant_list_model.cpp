// ParticipantListModel fed live by its SignalObserver: people joining, being muted and leaving
// over real sockets show in the rows at once, and the host actions reach the clients.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "LiveScenario.h"
#include "ParticipantListModel.h"
#include "SignalObserver.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_ParticipantListModel : public QObject
{
    Q_OBJECT

private:
    QString displayNameOf(const ParticipantListModel &model, const QString &participantId) const
    {
        return model.get(model.indexOf(participantId)).value(u"display_name"_s).toString();
    }

    // The model on the admin's client, watched, following `meetingId` live.
    void observe(ParticipantListModel &model, const QString &meetingId)
    {
        m_app->attach(model);
        model.setMeetingId(meetingId);
        model.setLive(true);
    }

    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>(QStringList{}, AppTestServer::Kind::Live);
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase() { m_app.reset(); }

    void followsJoinsMutesAndLeaves()
    {
        const QString meetingId = m_app->live().createMeeting(false, true);
        QVERIFY(!meetingId.isEmpty());
        ParticipantListModel model;
        observe(model, meetingId);
        QTRY_VERIFY(model.observer()->isObserving());
        QVERIFY(model.observer()->mayAct());
        QCOMPARE(model.count(), 0);

        // Bob and Carol join: their rows appear.
        QJsonObject answer;
        auto bob = m_app->live().join(u"bob"_s, meetingId, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        auto carol = m_app->live().join(u"carol"_s, meetingId, &answer);
        const QString carolId = answer.value(u"participant_id"_s).toString();
        QTRY_COMPARE(model.count(), 2);
        QVERIFY(!displayNameOf(model, bobId).isEmpty());

        // The host mutes Bob: the request reaches his client, and his row shows it.
        bob->ackMuteRequestsAfter(0);
        const CallOutcome muted = waitFor(model.mute(bobId));
        QVERIFY2(muted.ok, qPrintable(muted.message));
        QVERIFY(!bob->waitFor(u"mute_request"_s).isEmpty());
        const int mutedRole = model.roleNames().key("audioMuted");
        QTRY_VERIFY(model.data(model.index(model.indexOf(bobId)), mutedRole).toBool());
        const int ackRole = model.roleNames().key("muteAcknowledged");
        QTRY_VERIFY(model.data(model.index(model.indexOf(bobId)), ackRole).toBool());

        // Carol is made co-host; then leaves, and her row goes.
        QVERIFY(waitFor(model.setRole(carolId, u"co_host"_s)).ok);
        QTRY_COMPARE(model.get(model.indexOf(carolId)).value(u"role"_s).toString(), u"co_host"_s);
        carol->send({{u"type"_s, u"leave"_s}});
        QTRY_COMPARE(model.indexOf(carolId), -1);
        QCOMPARE(model.count(), 1);

        // The host removes Bob: his socket is closed with 4004, and his row goes.
        QVERIFY(waitFor(model.remove(bobId)).ok);
        QVERIFY(bob->waitForClosed());
        QCOMPARE(bob->closeCode(), 4004);
        QTRY_COMPARE(model.count(), 0);
    }

    void theWaitingRoomShowsAndAdmits()
    {
        const QString meetingId = m_app->live().createMeeting(true);
        QJsonObject answer;
        auto host = m_app->live().join(u"admin"_s, meetingId, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        ParticipantListModel model;
        observe(model, meetingId);
        QTRY_COMPARE(model.count(), 1);

        auto dave = m_app->live().join(u"dave"_s, meetingId, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"waiting"_s);
        const QString daveId = answer.value(u"participant_id"_s).toString();
        QTRY_COMPARE(model.get(model.indexOf(daveId)).value(u"state"_s).toString(), u"waiting"_s);

        QVERIFY(waitFor(model.admit(daveId)).ok);
        QVERIFY(!dave->waitFor(u"admitted"_s).isEmpty());
        QTRY_COMPARE(model.get(model.indexOf(daveId)).value(u"state"_s).toString(), u"present"_s);

        // Ending the meeting empties the list and says so.
        QSignalSpy ended(&model, &ParticipantListModel::meetingEndedChanged);
        QVERIFY(waitFor(model.end()).ok);
        QTRY_VERIFY(model.meetingEnded());
        QCOMPARE(model.count(), 0);
        QVERIFY(!model.observer()->isObserving() || model.observer()->meetingState() == u"ENDED");
    }

    void muteAllReachesEveryone()
    {
        const QString meetingId = m_app->live().createMeeting(false, true);
        QJsonObject answer;
        auto erin = m_app->live().join(u"erin"_s, meetingId, &answer);
        const QString erinId = answer.value(u"participant_id"_s).toString();
        ParticipantListModel model;
        observe(model, meetingId);
        QTRY_COMPARE(model.count(), 1);

        QVERIFY(waitFor(model.muteAll()).ok);

        QVERIFY(!erin->waitFor(u"mute_request"_s).isEmpty());
        QTRY_VERIFY(model.get(model.indexOf(erinId)).value(u"audio_muted"_s).toBool());
    }

    void refreshReadsEveryoneThroughTheApi()
    {
        const QString meetingId = m_app->live().createMeeting(false, true);
        QJsonObject answer;
        auto bob = m_app->live().join(u"bob"_s, meetingId, &answer);
        bob->send({{u"type"_s, u"leave"_s}});
        QVERIFY(bob->waitForClosed());
        ParticipantListModel model;
        m_app->attach(model);
        model.setMeetingId(meetingId);

        model.refresh();

        QTRY_COMPARE(model.count(), 1);
        QCOMPARE(model.get(0).value(u"state"_s).toString(), u"left"_s);
    }

    void aRefusedObservationIsAnError()
    {
        ParticipantListModel model;
        model.setClient(m_app->client());
        model.setMeetingId(u"mtg_doesnotexist"_s);
        model.setLive(true);

        QTRY_VERIFY(!model.error().isEmpty());
        QVERIFY(!model.observer()->isObserving());
    }
};

QTEST_GUILESS_MAIN(tst_ParticipantListModel)
#include "tst_participant_list_model.moc"
