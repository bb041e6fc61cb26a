// Two quorumd nodes on one PostgreSQL database (DESIGN.md *Storage, scale-out and
// operations*): what a join on one node looks like on the other, host actions taken through
// the node that does not host the meeting, webhook workers on both nodes, the death of a node
// in the middle of a meeting, and a recording processed by the node that did not capture it.
// The SQLite run of this suite has one node and skips it.

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "RecordingChecks.h"
#include "SignalClient.h"
#include "WebhookReceiver.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <memory>
#include <vector>

using namespace quorum::testing;
using namespace Qt::StringLiterals;
using Receiver = quorum::test::WebhookReceiver;

namespace {

// Both nodes: the capture double, short live timings, a node lost after 3 s of silence,
// webhooks to loopback retried every 300 ms.
QStringList nodeFlags(const QString &recordingsDir)
{
    return {u"--media"_s,
            u"test-capture"_s,
            u"--rate-limits"_s,
            u"off"_s,
            u"--node-heartbeat"_s,
            u"1"_s,
            u"--node-lost-after"_s,
            u"3"_s,
            u"--mute-ack-timeout"_s,
            u"2000"_s,
            u"--recordings-dir"_s,
            recordingsDir,
            u"--recording-retry-delay"_s,
            u"0"_s,
            u"--recording-min-free"_s,
            u"0"_s,
            u"--webhooks-allow-private-networks"_s,
            u"--webhook-retry-schedule"_s,
            u"300ms,300ms,300ms,300ms,300ms,300ms"_s,
            u"--webhook-timeout"_s,
            u"1s"_s};
}

quint16 portOf(const QString &url)
{
    return quint16(QUrl(url).port());
}

} // namespace

class TestCluster : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_a;
    std::unique_ptr<QuorumdProcess> m_b;
    QTemporaryDir m_scratch; // the capture script and the shared recordings directory
    QString m_token; // the admin's, valid on both nodes
    // Both nodes' --public-url, as a balancer's would be: A's first address. A restarted node
    // listens elsewhere but keeps it.
    QString m_publicUrl;

    ApiClient apiA() const { return ApiClient(m_a->baseUrl(), m_token); }
    ApiClient apiB() const { return ApiClient(m_b->baseUrl(), m_token); }

    // A meeting anyone may join before the host, without a waiting room; its id.
    QString createMeeting(ApiClient &&api, const QString &topic)
    {
        const ApiReply created = api.post(
            u"/v1/meetings"_s,
            {{u"topic"_s, topic},
             {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
             {u"duration_minutes"_s, 30},
             {u"waiting_room"_s, false},
             {u"settings"_s,
              QJsonObject{{u"allow_join_before_host"_s, true}, {u"mute_upon_entry"_s, false}}}});
        return created.status == 201 ? created.json().value(u"id"_s).toString() : QString();
    }

    // Asks `api` for a join token (the admin as host, or a guest) and joins over a socket to
    // the sfu_url it names; `answer` gets the joined frame or the error.
    std::unique_ptr<SignalClient> join(ApiClient &&api, const QString &meetingId, bool guest,
                                       QJsonObject *answer, QString *sfuUrl = nullptr)
    {
        QJsonObject request;
        if (guest)
            request = {{u"guest"_s, true}, {u"display_name"_s, u"Guest"_s}};
        const ApiReply token = api.post(u"/v1/meetings/%1/joinToken"_s.arg(meetingId), request);
        if (token.status != 200) {
            *answer = token.json();
            return nullptr;
        }
        const QString url = token.json().value(u"sfu_url"_s).toString();
        if (sfuUrl)
            *sfuUrl = url;
        auto client = std::make_unique<SignalClient>();
        if (!client->open(portOf(url)))
            return nullptr;
        *answer = client->join(token.json().value(u"jwt"_s).toString(), meetingId);
        return client;
    }

    QString meetingState(ApiClient &&api, const QString &meetingId)
    {
        return api.get(u"/v1/meetings/"_s + meetingId).json().value(u"state"_s).toString();
    }

    // A subscription of B's to the meeting and participant events at `receiver`; its id.
    QString subscribe(Receiver &receiver)
    {
        const ApiReply subscribed
            = apiB().post(u"/v1/webhooks"_s,
                          {{u"url"_s, QString::fromLatin1(receiver.url())},
                           {u"events"_s,
                            QJsonArray{u"participant.joined"_s, u"participant.left"_s,
                                       u"meeting.started"_s, u"meeting.ended"_s}}});
        return subscribed.status == 201 ? subscribed.json().value(u"id"_s).toString() : QString();
    }

    bool startNodeA(const QStringList &extra = {})
    {
        QStringList flags = nodeFlags(m_scratch.filePath(u"recordings"_s)) + extra;
        if (!m_publicUrl.isEmpty())
            flags << u"--public-url"_s << m_publicUrl;
        m_a->setExtraArguments(flags);
        if (!m_a->start())
            return false;
        if (m_publicUrl.isEmpty())
            m_publicUrl = m_a->baseUrl();
        return true;
    }

    // The rows of one meeting's events as (type, reason), in order.
    QList<QPair<QString, QString>> events(const QString &meetingId)
    {
        QList<QPair<QString, QString>> rows;
        {
            QSqlDatabase db = m_b->openDatabase(u"cluster-events"_s);
            QSqlQuery query(db);
            query.prepare(
                u"SELECT type, data FROM events WHERE meeting_id = ? ORDER BY sequence"_s);
            query.addBindValue(meetingId);
            if (query.exec()) {
                while (query.next()) {
                    const QJsonObject data
                        = QJsonDocument::fromJson(query.value(1).toString().toUtf8()).object();
                    rows.append({query.value(0).toString(), data.value(u"reason"_s).toString()});
                }
            }
        }
        QSqlDatabase::removeDatabase(u"cluster-events"_s);
        return rows;
    }

    // The ids of the events of a meeting in the log.
    QStringList eventIds(const QString &meetingId)
    {
        QStringList ids;
        {
            QSqlDatabase db = m_b->openDatabase(u"cluster-event-ids"_s);
            QSqlQuery query(db);
            query.prepare(u"SELECT id FROM events WHERE meeting_id = ? ORDER BY sequence"_s);
            query.addBindValue(meetingId);
            if (query.exec()) {
                while (query.next())
                    ids << query.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(u"cluster-event-ids"_s);
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (qEnvironmentVariableIsEmpty("QUORUM_TEST_POSTGRES_FILE"))
            QSKIP("Several nodes share a PostgreSQL database; this run is on SQLite.");
        QVERIFY(m_scratch.isValid());
        QVERIFY(RecordingChecks::useCaptureScript(m_scratch.path()));

        // A captures but leaves processing to B.
        m_a = std::make_unique<QuorumdProcess>();
        m_a->useTestBuild();
        QVERIFY2(startNodeA({u"--recording-processing-concurrency"_s, u"0"_s}),
                 m_a->standardError().constData());
        // One public URL for both, as behind a load balancer: A's, here.
        m_b = std::make_unique<QuorumdProcess>(*m_a, u"node-b"_s,
                                               nodeFlags(m_scratch.filePath(u"recordings"_s))
                                                   << u"--public-url"_s << m_publicUrl);
        m_b->useTestBuild();
        QVERIFY2(m_b->start(), m_b->standardError().constData());
        QCOMPARE(m_b->databaseEngine(), u"postgresql"_s);
        m_token = m_a->token();
        QVERIFY(!m_token.isEmpty());
    }

    void cleanupTestCase()
    {
        m_b.reset();
        m_a.reset();
        qunsetenv("QUORUM_TEST_CAPTURE_SCRIPT");
    }

    // A join on A shows in B's participants list and in B's live summary within 250 ms, and
    // B's join tokens for the meeting send clients to A, the meeting's node.
    void aJoinOnOneNodeShowsOnTheOtherWithin250Ms()
    {
        const QString meetingId = createMeeting(apiA(), u"Seen from B"_s);
        QVERIFY(!meetingId.isEmpty());
        QJsonObject answer;
        QString sfuUrl;
        const auto host = join(apiA(), meetingId, false, &answer, &sfuUrl);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        QCOMPARE(portOf(sfuUrl), m_a->port());
        const QString participantId = answer.value(u"participant_id"_s).toString();

        QElapsedTimer sinceJoined;
        sinceJoined.start();
        bool listed = false;
        bool counted = false;
        while (sinceJoined.elapsed() < 2000 && !(listed && counted)) {
            const ApiReply list = apiB().get(u"/v1/meetings/%1/participants"_s.arg(meetingId));
            for (const QJsonValue &p : list.json().value(u"participants"_s).toArray())
                listed = listed || p.toObject().value(u"id"_s).toString() == participantId;
            const QJsonObject meeting = apiB().get(u"/v1/meetings/"_s + meetingId).json();
            counted
                = meeting.value(u"live"_s).toObject().value(u"participant_count"_s).toInt() == 1;
        }
        QVERIFY2(listed && counted, qPrintable(u"after %1 ms"_s.arg(sinceJoined.elapsed())));
        QVERIFY2(sinceJoined.elapsed() <= 250,
                 qPrintable(u"B showed the join after %1 ms"_s.arg(sinceJoined.elapsed())));

        // A guest's token asked of B names A's address: the meeting's node was chosen once.
        const ApiReply guestToken
            = apiB().post(u"/v1/meetings/%1/joinToken"_s.arg(meetingId),
                          {{u"guest"_s, true}, {u"display_name"_s, u"Guest"_s}});
        QCOMPARE(guestToken.status, 200);
        QCOMPARE(portOf(guestToken.json().value(u"sfu_url"_s).toString()), m_a->port());
        QCOMPARE(apiB().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
    }

    // A third node that would take a live node's name, or serve another public URL, is
    // refused at its start: both would send clients to the wrong place.
    void aNodeThatWouldConfuseTheOthersIsRefused()
    {
        const QStringList flags = nodeFlags(m_scratch.filePath(u"recordings"_s));
        {
            QuorumdProcess namesake(*m_a, u"node-b"_s,
                                    flags + QStringList{u"--public-url"_s, m_publicUrl});
            namesake.useTestBuild();
            QVERIFY(!namesake.start());
            const QByteArray said = namesake.standardError();
            QVERIFY2(said.contains("Another node named node-b is running"), said.constData());
        }
        {
            QuorumdProcess elsewhere(
                *m_a, u"node-c"_s,
                flags + QStringList{u"--public-url"_s, u"https://meet.invalid"_s});
            elsewhere.useTestBuild();
            QVERIFY(!elsewhere.start());
            const QByteArray said = elsewhere.standardError();
            QVERIFY2(said.contains("need the same one"), said.constData());
        }
        // B still serves, under its name.
        QCOMPARE(apiB().get(u"/v1/meetings?page_size=1"_s).status, 200);
    }

    // Mute, remove and end through B reach the sockets on A, and B's callers get A's answers.
    void muteRemoveAndEndThroughTheOtherNode()
    {
        const QString meetingId = createMeeting(apiA(), u"Acted on from B"_s);
        QJsonObject answer;
        const auto host = join(apiA(), meetingId, false, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const auto guest = join(apiB(), meetingId, true, &answer);
        QVERIFY(guest);
        QVERIFY2(answer.value(u"type"_s).toString() == u"joined",
                 QJsonDocument(answer).toJson().constData());
        const QString guestId = answer.value(u"participant_id"_s).toString();
        guest->ackMuteRequestsAfter(0);

        // Mute: the guest on A is asked and acks; B's caller learns it was acknowledged.
        const ApiReply muted
            = apiB().post(u"/v1/meetings/%1/participants/%2/mute"_s.arg(meetingId, guestId),
                          {{u"muted"_s, true}});
        QCOMPARE(muted.status, 200);
        QCOMPARE(muted.json().value(u"acknowledged"_s).toBool(), true);
        QCOMPARE(muted.json().value(u"audio_muted"_s).toBool(), true);
        QVERIFY(!guest->waitFor(u"mute_request"_s, 1000).isEmpty());

        // A mistake B's caller made is answered as A's node decided it.
        const ApiReply unknown
            = apiB().post(u"/v1/meetings/%1/participants/par_unknown/mute"_s.arg(meetingId),
                          {{u"muted"_s, true}});
        QCOMPARE(unknown.status, 404);

        // Remove: the guest's socket on A closes with 4004 and a new token is refused.
        const ApiReply removed
            = apiB().del(u"/v1/meetings/%1/participants/%2"_s.arg(meetingId, guestId));
        QVERIFY2(removed.status == 200 || removed.status == 204, removed.body.constData());
        QVERIFY(guest->waitForClosed());
        QCOMPARE(guest->closeCode(), 4004);

        // End: the host's socket on A hears it, and both nodes read the meeting ENDED.
        QCOMPARE(apiB().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        QVERIFY(!host->waitFor(u"meeting_ended"_s, 3000).isEmpty());
        QVERIFY(host->waitForClosed());
        QCOMPARE(host->closeCode(), 4005);
        QCOMPARE(meetingState(apiA(), meetingId), u"ENDED"_s);
        QCOMPARE(meetingState(apiB(), meetingId), u"ENDED"_s);
    }

    // An observer connected to B follows a meeting hosted on A: the roster (long enough to
    // cross the bus in parts), joins and leaves as they happen, host commands sent from B,
    // and the end.
    void anObserverOnTheOtherNodeFollowsTheMeetingAndActs()
    {
        const QString meetingId = createMeeting(apiA(), u"Observed from B"_s);
        QJsonObject answer;
        const auto host = join(apiA(), meetingId, false, &answer);
        QVERIFY(host);
        std::vector<std::unique_ptr<SignalClient>> guests;
        for (int i = 0; i < 40; ++i) {
            guests.push_back(join(apiA(), meetingId, true, &answer));
            QVERIFY(guests.back());
            QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        }

        SignalClient observer;
        QVERIFY(observer.open(m_b->port()));
        const QJsonObject observing = observer.observe(m_token, meetingId);
        QVERIFY2(observing.value(u"type"_s).toString() == u"observing",
                 QJsonDocument(observing).toJson().constData());
        QCOMPARE(observing.value(u"participants"_s).toArray().size(), 41);
        QVERIFY(QJsonDocument(observing).toJson(QJsonDocument::Compact).size()
                > 8000); // more than one notification's worth
        QCOMPARE(observing.value(u"may_act"_s).toBool(), true);

        // A join on A reaches the observer on B.
        const auto late = join(apiA(), meetingId, true, &answer);
        QVERIFY(late);
        const QString lateId = answer.value(u"participant_id"_s).toString();
        const QJsonObject joined = observer.waitFor(u"participant_joined"_s, 3000);
        QCOMPARE(joined.value(u"participant"_s).toObject().value(u"id"_s).toString(), lateId);

        // A mute sent on B's socket is carried out on A.
        late->ackMuteRequestsAfter(0);
        observer.send({{u"type"_s, u"mute"_s},
                       {u"id"_s, u"m1"_s},
                       {u"participant_id"_s, lateId},
                       {u"muted"_s, true}});
        QVERIFY(!late->waitFor(u"mute_request"_s, 3000).isEmpty());
        const QJsonObject updated = observer.waitFor(u"participant_updated"_s, 3000);
        QCOMPARE(updated.value(u"participant"_s).toObject().value(u"audio_muted"_s).toBool(), true);

        // The end closes B's observer like A's would.
        QCOMPARE(apiA().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        QVERIFY(!observer.waitFor(u"meeting_ended"_s, 3000).isEmpty());
        QVERIFY(observer.waitForClosed());
        QCOMPARE(observer.closeCode(), 4005);
    }

    // Both nodes run webhook workers on one queue: each attempt is made once, whichever node
    // claims it. Every first answer is a 500, so each event is retried, by either node.
    void eachDeliveryAttemptIsMadeOnceWithBothNodesDispatching()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        QList<Receiver::Answer> answers;
        for (int i = 0; i < 8; ++i)
            answers << Receiver::Answer(500);
        receiver.queueAnswers(answers);
        const QString hook = subscribe(receiver);
        QVERIFY(!hook.isEmpty());

        const QString meetingId = createMeeting(apiA(), u"Delivered once"_s);
        QJsonObject answer;
        {
            const auto host = join(apiA(), meetingId, false, &answer);
            QVERIFY(host);
            const auto guest = join(apiB(), meetingId, true, &answer);
            QVERIFY(guest);
            QCOMPARE(apiA().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
            QVERIFY(host->waitForClosed());
        }

        // started, two joins, two lefts, ended: six events, each delivered (200) in the end,
        // after the eight 500s.
        const QStringList ids = eventIds(meetingId);
        QCOMPARE(ids.size(), 6);
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests().size(), 6 + 8, 20000);
        QTest::qWait(1500); // an attempt made twice would have come by now

        // The receiver got exactly the attempts the log records: none twice at once.
        const ApiReply deliveries
            = apiA().get(u"/v1/webhooks/%1/deliveries?page_size=100"_s.arg(hook));
        int attempts = 0;
        for (const QJsonValue &delivery : deliveries.json().value(u"deliveries"_s).toArray()) {
            const QJsonObject d = delivery.toObject();
            if (!ids.contains(d.value(u"event_id"_s).toString()))
                continue;
            QCOMPARE(d.value(u"state"_s).toString(), u"succeeded"_s);
            const int made = d.value(u"attempts"_s).toInt();
            QCOMPARE(
                receiver
                    .requestsWith("X-Quorum-Event-Id", d.value(u"event_id"_s).toString().toLatin1())
                    .size(),
                made);
            attempts += made;
        }
        QCOMPARE(attempts, receiver.requests().size());
        QCOMPARE(apiA().del(u"/v1/webhooks/"_s + hook).status, 204);
    }

    // SIGKILL of the node hosting a meeting: within 60 s of its last heartbeat B reports its
    // participants left and ends the meeting, both with node_lost; every event is delivered.
    void aKilledNodesMeetingEndsWithNodeLost()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        const QString hook = subscribe(receiver);
        QVERIFY(!hook.isEmpty());

        const QString meetingId = createMeeting(apiA(), u"Node lost"_s);
        QJsonObject answer;
        const auto host = join(apiA(), meetingId, false, &answer);
        QVERIFY(host);
        const auto guest = join(apiB(), meetingId, true, &answer);
        QVERIFY(guest);
        QVERIFY2(answer.value(u"type"_s).toString() == u"joined",
                 QJsonDocument(answer).toJson().constData());

        SignalClient observer; // on B, following the meeting on A
        QVERIFY(observer.open(m_b->port()));
        QCOMPARE(observer.observe(m_token, meetingId).value(u"type"_s).toString(), u"observing"_s);

        QElapsedTimer sinceKill;
        sinceKill.start();
        m_a->kill();
        QTRY_COMPARE_WITH_TIMEOUT(meetingState(apiB(), meetingId), u"ENDED"_s, 60000);
        qInfo() << "B ended the lost node's meeting" << sinceKill.elapsed() << "ms after the kill";
        // B tells its observer what A no longer can.
        QCOMPARE(observer.waitFor(u"meeting_ended"_s, 3000).value(u"reason"_s).toString(),
                 u"node_lost"_s);
        QVERIFY(observer.waitForClosed());
        QCOMPARE(observer.closeCode(), 4005);

        const QList<QPair<QString, QString>> rows = events(meetingId);
        QCOMPARE(rows.size(), 6);
        QCOMPARE(rows[0].first, u"meeting.started"_s);
        QCOMPARE(rows[1].first, u"participant.joined"_s);
        QCOMPARE(rows[2].first, u"participant.joined"_s);
        for (int i = 3; i < 5; ++i)
            QCOMPARE(rows[i], qMakePair(u"participant.left"_s, u"node_lost"_s));
        QCOMPARE(rows[5], qMakePair(u"meeting.ended"_s, u"node_lost"_s));
        const ApiReply left = apiB().get(u"/v1/meetings/%1/participants"_s.arg(meetingId));
        for (const QJsonValue &p : left.json().value(u"participants"_s).toArray())
            QCOMPARE(p.toObject().value(u"leave_reason"_s).toString(), u"node_lost"_s);

        // No event lost: each one reaches the receiver, sent by A before it died or by B.
        for (const QString &id : eventIds(meetingId))
            QTRY_VERIFY_WITH_TIMEOUT(
                !receiver.requestsWith("X-Quorum-Event-Id", id.toLatin1()).isEmpty(), 30000);

        // A comes back on its data directory (the same node) for the tests after this one.
        QVERIFY2(startNodeA({u"--recording-processing-concurrency"_s, u"0"_s}),
                 m_a->standardError().constData());
        QCOMPARE(apiB().del(u"/v1/webhooks/"_s + hook).status, 204);
    }

    // A captures (it processes nothing), B processes from the shared recordings directory,
    // and the file downloads through A.
    void aRecordingProcessedOnOneNodeDownloadsThroughTheOther()
    {
        const QString meetingId = createMeeting(apiA(), u"Recorded on A"_s);
        QJsonObject answer;
        const auto host = join(apiA(), meetingId, false, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const QString recordingId = RecordingChecks::startRecording(apiA(), meetingId);
        QVERIFY2(recordingId.startsWith(u"rec_"), qPrintable(recordingId));
        QCOMPARE(apiA().post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status, 202);
        const QJsonObject done = RecordingChecks::waitForState(
            apiA(), recordingId, {u"completed"_s, u"failed"_s}, 30000);
        QCOMPARE(done.value(u"state"_s).toString(), u"completed"_s);

        const ApiReply listed = apiA().get(u"/v1/meetings/%1/recordings"_s.arg(meetingId));
        QCOMPARE(listed.status, 200);
        const QJsonArray recordings = listed.json().value(u"recordings"_s).toArray();
        QCOMPARE(recordings.size(), 1);
        const QJsonArray files = recordings[0].toObject().value(u"files"_s).toArray();
        QVERIFY(!files.isEmpty());
        for (const QJsonValue &value : files) {
            const QJsonObject file = value.toObject();
            const QString url = file.value(u"url"_s).toString();
            // The link names the public URL; the balancer would send it to A here.
            QVERIFY2(url.startsWith(m_publicUrl), qPrintable(url));
            const QString throughA = m_a->baseUrl() + url.mid(m_publicUrl.size());
            const RecordingChecks::Download got = RecordingChecks::download(throughA);
            QCOMPARE(got.status, 200);
            QCOMPARE(got.body.size(), file.value(u"size_bytes"_s).toInteger());
        }
        QCOMPARE(apiA().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "tst_cluster.moc"
