// Issue 3's flow of a live meeting against a real quorumd, over real sockets: join, LIVE,
// roster events, mutes with and without the client's ack, mute all, remove and the three ways
// back that stay shut, the end; then the waiting room, join-before-host, resume, observers,
// keep-alive, the empty-room end and the state rules of a LIVE meeting (C07).

#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "RawSignalSocket.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

QStringList rosterIds(const QJsonObject &frame)
{
    QStringList ids;
    for (const QJsonValue &entry : frame.value(u"participants"_s).toArray())
        ids << entry.toObject().value(u"id"_s).toString();
    return ids;
}

// The REST answers carry the participant either as the body or under `participant`.
QJsonObject participantOf(const ApiReply &reply)
{
    const QJsonObject body = reply.json();
    return body.value(u"participant"_s).isObject() ? body.value(u"participant"_s).toObject() : body;
}

QString participantPath(const QString &meetingId, const QString &participantId,
                        const QString &tail = {})
{
    return u"/v1/meetings/%1/participants/%2%3"_s.arg(meetingId, participantId, tail);
}

} // namespace

class tst_LiveMeetings : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LiveScenario> m_live;

    // C04's rule, checked at the end of every test: each joined has exactly one left.
    void verifyPairs(const QString &meetingId)
    {
        DatabaseReader db(m_live->server());
        QVERIFY(db.isOpen());
        const QString problem = db.pairingProblem(meetingId);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    QString leaveReasonOf(const QString &meetingId, const QString &participantId)
    {
        DatabaseReader db(m_live->server());
        for (const EventRow &event : db.events(meetingId)) {
            if (event.type == u"participant.left"
                && event.data.value(u"participant_id"_s).toString() == participantId)
                return event.data.value(u"reason"_s).toString();
        }
        return {};
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_live = std::make_unique<LiveScenario>();
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
        QVERIFY2(m_live->connect(), "quorumd does not serve /v1/signal yet");
    }

    void cleanupTestCase() { m_live.reset(); }

    void theWholeLifeOfALiveMeeting()
    {
        const QString meetingId = m_live->createMeeting(false);
        QVERIFY(!meetingId.isEmpty());
        QCOMPARE(m_live->meetingState(meetingId), u"SCHEDULED"_s);

        // The host joins: the meeting goes LIVE.
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        QCOMPARE(answer.value(u"id"_s).toString(), u"j"_s);
        QCOMPARE(answer.value(u"role"_s).toString(), u"host"_s);
        QCOMPARE(host->subprotocol(), u"quorum.v1"_s);
        QVERIFY(!answer.value(u"resume_token"_s).toString().isEmpty());
        const QString hostId = answer.value(u"participant_id"_s).toString();
        const QJsonObject live = m_live->meeting(meetingId);
        QCOMPARE(live.value(u"state"_s).toString(), u"LIVE"_s);
        QCOMPARE(live.value(u"live"_s).toObject().value(u"participant_count"_s).toInt(), 1);
        QVERIFY(live.value(u"live"_s).toObject().contains(u"started_at"_s));

        // Two members join: both sides hear of each arrival.
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        QCOMPARE(answer.value(u"role"_s).toString(), u"attendee"_s);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        QCOMPARE(rosterIds(answer), (QStringList{hostId, bobId}));
        QCOMPARE(host->waitFor(u"participant_joined"_s)
                     .value(u"participant"_s)
                     .toObject()
                     .value(u"id"_s)
                     .toString(),
                 bobId);
        const QString carolJwt = m_live->joinToken(u"carol"_s, meetingId);
        auto carol = m_live->connect();
        QVERIFY(carol);
        answer = carol->join(carolJwt);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const QString carolId = answer.value(u"participant_id"_s).toString();
        for (SignalClient *client : {host.get(), bob.get()}) {
            const QJsonObject joined = client->waitFor(u"participant_joined"_s);
            QCOMPARE(joined.value(u"participant"_s).toObject().value(u"id"_s).toString(), carolId);
        }
        QTRY_COMPARE(m_live->meeting(meetingId)
                         .value(u"live"_s)
                         .toObject()
                         .value(u"participant_count"_s)
                         .toInt(),
                     3);

        // C13 step 1: bob acks after 200 ms; the REST call waits for it.
        bob->ackMuteRequestsAfter(200);
        QElapsedTimer clock;
        clock.start();
        ApiReply muted = m_live->api().post(participantPath(meetingId, bobId, u"/mute"_s),
                                            {{u"muted"_s, true}});
        QCOMPARE(muted.status, 200);
        QCOMPARE(muted.json().value(u"acknowledged"_s).toBool(), true);
        QVERIFY2(clock.elapsed() >= 150 && clock.elapsed() < 1900,
                 qPrintable(QString::number(clock.elapsed())));
        QVERIFY(!bob->waitFor(u"mute_request"_s).value(u"ref"_s).toString().isEmpty());
        QCOMPARE(m_live->listedParticipant(meetingId, bobId).value(u"audio_muted"_s).toBool(),
                 true);
        QCOMPARE(m_live->listedParticipant(meetingId, bobId).value(u"mute_acknowledged"_s).toBool(),
                 true);
        // The roster event that says the client confirmed it.
        QJsonObject confirmed;
        for (int i = 0; i < 3 && !confirmed.value(u"mute_acknowledged"_s).toBool(); ++i)
            confirmed = host->waitFor(u"participant_updated"_s).value(u"participant"_s).toObject();
        QCOMPARE(confirmed.value(u"id"_s).toString(), bobId);
        QCOMPARE(confirmed.value(u"mute_acknowledged"_s).toBool(), true);

        // C13 step 2: carol never acks; 200 after the 2 s wait, the mute stands unconfirmed.
        clock.restart();
        muted = m_live->api().post(participantPath(meetingId, carolId, u"/mute"_s),
                                   {{u"muted"_s, true}});
        QCOMPARE(muted.status, 200);
        QCOMPARE(muted.json().value(u"acknowledged"_s).toBool(true), false);
        QVERIFY2(clock.elapsed() >= 1800, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(participantOf(muted).value(u"audio_muted"_s).toBool(), true);
        QCOMPARE(participantOf(muted).value(u"mute_acknowledged"_s).toBool(true), false);
        const QJsonObject listedCarol = m_live->listedParticipant(meetingId, carolId);
        QCOMPARE(listedCarol.value(u"audio_muted"_s).toBool(), true);
        QCOMPARE(listedCarol.value(u"mute_acknowledged"_s).toBool(true), false);
        QVERIFY(carol->has(u"mute_request"_s));

        // Bob unmutes himself; mute all asks both attendees (never the host).
        bob->send({{u"type"_s, u"media_state"_s}, {u"audio_muted"_s, false}});
        QTRY_COMPARE(
            m_live->listedParticipant(meetingId, bobId).value(u"audio_muted"_s).toBool(true),
            false);
        bob->waitFor(u"mute_request"_s, 0);
        carol->waitFor(u"mute_request"_s, 0);
        const ApiReply all
            = m_live->api().post(u"/v1/meetings/%1/participants:muteAll"_s.arg(meetingId), {});
        QCOMPARE(all.status, 200);
        QCOMPARE(all.json().value(u"muted"_s).toInt(), 2);
        QVERIFY(!bob->waitFor(u"mute_request"_s).isEmpty());
        QVERIFY(!carol->waitFor(u"mute_request"_s).isEmpty());
        QVERIFY(!host->has(u"mute_request"_s));

        // C11: carol is removed, and every way back stays shut.
        // A token issued before the removal and never used.
        const QString carolUnused = m_live->joinToken(u"carol"_s, meetingId);
        const QString carolResume = [&] {
            for (const QJsonObject &frame : carol->history()) {
                if (frame.value(u"type"_s).toString() == u"joined")
                    return frame.value(u"resume_token"_s).toString();
            }
            return QString();
        }();
        QVERIFY(!carolResume.isEmpty());
        QCOMPARE(m_live->api().del(participantPath(meetingId, carolId)).status, 204);
        QCOMPARE(carol->waitFor(u"removed"_s).value(u"type"_s).toString(), u"removed"_s);
        QVERIFY(carol->waitForClosed());
        QCOMPARE(carol->closeCode(), 4004);
        const QJsonObject gone = host->waitFor(u"participant_left"_s);
        QCOMPARE(gone.value(u"participant_id"_s).toString(), carolId);
        QCOMPARE(gone.value(u"reason"_s).toString(), u"removed"_s);

        // The token she came with, and one issued before the removal: both refused.
        for (const QString &jwt : {carolJwt, carolUnused}) {
            auto again = m_live->connect();
            QVERIFY(again);
            const QJsonObject refusedJoin = again->join(jwt);
            QCOMPARE(refusedJoin.value(u"type"_s).toString(), u"error"_s);
            const QString code = refusedJoin.value(u"code"_s).toString();
            if (jwt == carolUnused)
                QCOMPARE(code, u"removed_from_meeting"_s);
            else
                QVERIFY2(code == u"token_used" || code == u"removed_from_meeting",
                         qPrintable(code));
            QVERIFY(again->waitForClosed());
            QCOMPARE(again->closeCode(), 4003);
        }
        auto resumed = m_live->connect();
        QVERIFY(resumed);
        QCOMPARE(resumed->resume(carolResume).value(u"code"_s).toString(),
                 u"invalid_resume_token"_s);
        QVERIFY(resumed->waitForClosed());
        QCOMPARE(resumed->closeCode(), 4003);
        const ApiReply fresh = m_live->joinTokenReply(u"carol"_s, meetingId);
        QCOMPARE(fresh.status, 403);
        QCOMPARE(fresh.code(), u"removed_from_meeting"_s);

        // The host ends it: every socket hears it and closes with 4005.
        const ApiReply ended = m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {});
        QCOMPARE(ended.status, 200);
        QCOMPARE(ended.json().value(u"state"_s).toString(), u"ENDED"_s);
        for (SignalClient *client : {host.get(), bob.get()}) {
            QVERIFY(!client->waitFor(u"meeting_ended"_s).isEmpty());
            QVERIFY(client->waitForClosed());
            QCOMPARE(client->closeCode(), 4005);
        }
        QCOMPARE(m_live->meetingState(meetingId), u"ENDED"_s);
        const ApiReply twice = m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {});
        QCOMPARE(twice.status, 409);
        QCOMPARE(twice.code(), u"meeting_not_live"_s);

        verifyPairs(meetingId);
        QCOMPARE(leaveReasonOf(meetingId, carolId), u"removed"_s);
        QCOMPARE(leaveReasonOf(meetingId, bobId), u"meeting_ended"_s);
        QCOMPARE(leaveReasonOf(meetingId, hostId), u"meeting_ended"_s);
    }

    void theWaitingRoomHoldsAttendeesUntilAdmitted()
    {
        const QString meetingId = m_live->createMeeting(true);
        QVERIFY(!meetingId.isEmpty());

        QJsonObject answer;
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        QCOMPARE(answer.value(u"type"_s).toString(), u"waiting"_s);
        QCOMPARE(answer.value(u"state"_s).toString(), u"waiting"_s);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        // Only waiting people: not LIVE, and nobody to show as present.
        QCOMPARE(m_live->meetingState(meetingId), u"SCHEDULED"_s);
        QCOMPARE(m_live->participants(meetingId, u"state=waiting"_s)
                     .json()
                     .value(u"participants"_s)
                     .toArray()
                     .size(),
                 1);

        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        QCOMPARE(m_live->meetingState(meetingId), u"LIVE"_s);
        // The host sees the waiting entry; bob is still waiting.
        QVERIFY(rosterIds(answer).contains(bobId));
        QVERIFY(!bob->has(u"admitted"_s));

        const ApiReply admitted
            = m_live->api().post(participantPath(meetingId, bobId, u"/admit"_s), {});
        QCOMPARE(admitted.status, 200);
        QCOMPARE(participantOf(admitted).value(u"state"_s).toString(), u"present"_s);
        const QJsonObject admittedFrame = bob->waitFor(u"admitted"_s);
        QCOMPARE(admittedFrame.value(u"state"_s).toString(), u"present"_s);
        QVERIFY(rosterIds(admittedFrame).contains(bobId));

        bob->close();
        host->close();
        QVERIFY(bob->waitForClosed());
        QVERIFY(host->waitForClosed());
        QTRY_COMPARE_WITH_TIMEOUT(m_live->meetingState(meetingId), u"ENDED"_s, 6000);
        verifyPairs(meetingId);
    }

    void joinBeforeHostDecidesWhetherAnAttendeeWaits_data()
    {
        QTest::addColumn<bool>("joinBeforeHost");
        QTest::newRow("without join-before-host the attendee waits for the host") << false;
        QTest::newRow("with join-before-host the attendee goes in and the meeting goes live")
            << true;
    }

    void joinBeforeHostDecidesWhetherAnAttendeeWaits()
    {
        QFETCH(bool, joinBeforeHost);
        const QString meetingId = m_live->createMeeting(false, joinBeforeHost);
        QVERIFY(!meetingId.isEmpty());

        QJsonObject answer;
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);

        if (joinBeforeHost) {
            QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
            QCOMPARE(m_live->meetingState(meetingId), u"LIVE"_s);
        } else {
            QCOMPARE(answer.value(u"type"_s).toString(), u"waiting"_s);
            QCOMPARE(m_live->meetingState(meetingId), u"SCHEDULED"_s);
            // The host's arrival lets in whoever waited for it.
            auto host = m_live->join(u"admin"_s, meetingId, &answer);
            QVERIFY(host);
            QCOMPARE(m_live->meetingState(meetingId), u"LIVE"_s);
            QCOMPARE(bob->waitFor(u"admitted"_s).value(u"state"_s).toString(), u"present"_s);
            host->close();
            QVERIFY(host->waitForClosed());
        }
        bob->close();
        QVERIFY(bob->waitForClosed());
        QTRY_COMPARE_WITH_TIMEOUT(m_live->meetingState(meetingId), u"ENDED"_s, 6000);
        verifyPairs(meetingId);
    }

    void aResumeWithinTheGraceKeepsTheParticipant()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        const QString resumeToken = answer.value(u"resume_token"_s).toString();
        QVERIFY(!host->waitFor(u"participant_joined"_s).isEmpty());

        bob->abort();
        auto back = m_live->connect();
        QVERIFY(back);
        const QJsonObject resumed = back->resume(resumeToken);
        QCOMPARE(resumed.value(u"type"_s).toString(), u"resumed"_s);
        QCOMPARE(resumed.value(u"participant_id"_s).toString(), bobId);
        QCOMPARE(resumed.value(u"id"_s).toString(), u"r"_s);

        // Past the grace: the others heard of no departure.
        QVERIFY(host->waitFor(u"participant_left"_s, 2500).isEmpty());
        QVERIFY(back->isOpen());
        QCOMPARE(m_live->listedParticipant(meetingId, bobId).value(u"state"_s).toString(),
                 u"present"_s);

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        QVERIFY(back->waitForClosed());
        verifyPairs(meetingId);
    }

    void aResumeAfterTheGraceIsRefused()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        const QString resumeToken = answer.value(u"resume_token"_s).toString();

        bob->abort();
        const QJsonObject left = host->waitFor(u"participant_left"_s, 6000);
        QCOMPARE(left.value(u"participant_id"_s).toString(), bobId);
        QCOMPARE(left.value(u"reason"_s).toString(), u"timeout"_s);

        auto late = m_live->connect();
        QVERIFY(late);
        QCOMPARE(late->resume(resumeToken).value(u"code"_s).toString(), u"invalid_resume_token"_s);
        QVERIFY(late->waitForClosed());
        QCOMPARE(late->closeCode(), 4003);

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        verifyPairs(meetingId);
        QCOMPARE(leaveReasonOf(meetingId, bobId), u"timeout"_s);
    }

    void anObserverSeesEverythingAndAppearsNowhere()
    {
        const QString meetingId = m_live->createMeeting(false);
        const QString readOnly
            = m_live->server().token(u"admin"_s, u"default"_s, {u"meeting.read"_s});
        auto observer = m_live->connect();
        QVERIFY(observer);
        const QJsonObject observing = observer->observe(readOnly, meetingId);
        QCOMPARE(observing.value(u"type"_s).toString(), u"observing"_s);
        QCOMPARE(observing.value(u"id"_s).toString(), u"o"_s);
        QVERIFY(observing.value(u"participants"_s).toArray().isEmpty());
        // Observing makes nothing live.
        QCOMPARE(m_live->meetingState(meetingId), u"SCHEDULED"_s);

        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        const QString hostId = answer.value(u"participant_id"_s).toString();
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        QCOMPARE(rosterIds(answer), (QStringList{hostId, bobId}));
        for (const QString &id : {hostId, bobId})
            QCOMPARE(observer->waitFor(u"participant_joined"_s)
                         .value(u"participant"_s)
                         .toObject()
                         .value(u"id"_s)
                         .toString(),
                     id);

        QCOMPARE(m_live->api()
                     .post(participantPath(meetingId, bobId, u"/mute"_s), {{u"muted"_s, true}})
                     .status,
                 200);
        QCOMPARE(observer->waitFor(u"participant_updated"_s)
                     .value(u"participant"_s)
                     .toObject()
                     .value(u"id"_s)
                     .toString(),
                 bobId);
        // A read-only observer may not act.
        observer->send({{u"type"_s, u"mute_all"_s}, {u"id"_s, u"x"_s}});
        const QJsonObject refused = observer->waitFor(u"error"_s);
        QCOMPARE(refused.value(u"id"_s).toString(), u"x"_s);
        QCOMPARE(refused.value(u"code"_s).toString(), u"forbidden"_s);

        bob->send({{u"type"_s, u"leave"_s}});
        QVERIFY(bob->waitForClosed());
        QCOMPARE(bob->closeCode(), 4007);
        const QJsonObject left = observer->waitFor(u"participant_left"_s);
        QCOMPARE(left.value(u"participant_id"_s).toString(), bobId);
        QCOMPARE(left.value(u"reason"_s).toString(), u"left"_s);

        // Nowhere: not in the list, not counted.
        const QJsonArray listed
            = m_live->participants(meetingId).json().value(u"participants"_s).toArray();
        QCOMPARE(listed.size(), 2);
        QCOMPARE(m_live->meeting(meetingId)
                     .value(u"live"_s)
                     .toObject()
                     .value(u"participant_count"_s)
                     .toInt(),
                 1);
        DatabaseReader db(m_live->server());
        QCOMPARE(db.participants(meetingId).size(), 2);

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        QVERIFY(!observer->waitFor(u"meeting_ended"_s).isEmpty());
        QVERIFY(observer->waitForClosed());
        QCOMPARE(observer->closeCode(), 4005);
        verifyPairs(meetingId);
    }

    void aSilentClientTimesOut()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);

        // A client that never answers a ping.
        RawSignalSocket silent;
        QVERIFY(silent.open(m_live->port()));
        silent.sendJson({{u"type"_s, u"join"_s},
                         {u"id"_s, u"1"_s},
                         {u"token"_s, m_live->joinToken(u"bob"_s, meetingId)}});
        const QString bobId = silent.waitFor(u"joined"_s).value(u"participant_id"_s).toString();
        QVERIFY(!bobId.isEmpty());

        QCOMPARE(silent.waitForCloseCode(6000), 4008);
        // Reported left only once the resume grace has passed too.
        const QJsonObject left = host->waitFor(u"participant_left"_s, 5000);
        QCOMPARE(left.value(u"participant_id"_s).toString(), bobId);
        QCOMPARE(left.value(u"reason"_s).toString(), u"timeout"_s);
        // The host's own client answers pings, so it is still there.
        QVERIFY(host->isOpen());

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        verifyPairs(meetingId);
    }

    void anEmptyMeetingEnds()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        QCOMPARE(m_live->meetingState(meetingId), u"LIVE"_s);

        host->send({{u"type"_s, u"leave"_s}});
        QVERIFY(host->waitForClosed());
        QTRY_COMPARE_WITH_TIMEOUT(m_live->meetingState(meetingId), u"ENDED"_s, 5000);

        DatabaseReader db(m_live->server());
        const QList<EventRow> events = db.events(meetingId);
        QVERIFY(!events.isEmpty());
        QCOMPARE(events.last().type, u"meeting.ended"_s);
        QCOMPARE(events.last().data.value(u"reason"_s).toString(), u"empty"_s);
        verifyPairs(meetingId);
    }

    // C07's LIVE and ENDED parts.
    void aLiveMeetingKeepsItsStateRules()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        const QString path = u"/v1/meetings/"_s + meetingId;
        const QString startTime = m_live->meeting(meetingId).value(u"start_time"_s).toString();

        const ApiReply moved
            = m_live->api().patch(path, {{u"start_time"_s, u"2031-06-01T10:00:00Z"_s}});
        QCOMPARE(moved.status, 409);
        QCOMPARE(moved.code(), u"meeting_live"_s);
        QCOMPARE(m_live->meeting(meetingId).value(u"start_time"_s).toString(), startTime);

        const ApiReply renamed = m_live->api().patch(path, {{u"topic"_s, u"new"_s}});
        QCOMPARE(renamed.status, 200);
        QCOMPARE(renamed.json().value(u"topic"_s).toString(), u"new"_s);

        const ApiReply deleted = m_live->api().del(path);
        QCOMPARE(deleted.status, 409);
        QCOMPARE(m_live->meetingState(meetingId), u"LIVE"_s);

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        const ApiReply afterEnd = m_live->api().patch(path, {{u"topic"_s, u"x"_s}});
        QCOMPARE(afterEnd.status, 409);
        QCOMPARE(m_live->meeting(meetingId).value(u"topic"_s).toString(), u"new"_s);
        verifyPairs(meetingId);
    }
};

QTEST_GUILESS_MAIN(tst_LiveMeetings)
#include "tst_live_meetings.moc"
