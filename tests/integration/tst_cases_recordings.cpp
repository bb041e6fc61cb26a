// Cases C03 and C04 (d) of ../shared/cases/cases.md, the recording side of webhook delivery,
// against the test build of quorumd (its `test-capture` media plane) and a receiver of ours on
// loopback. Signatures are checked by verify_webhook.py, Python's hmac, not the server's signer;
// file links are downloaded without a bearer, as an integrator's worker would.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "RecordingChecks.h"
#include "SignalClient.h"
#include "WebhookReceiver.h"
#include "WebhookSignatureCheck.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;
using Receiver = quorum::test::WebhookReceiver;
using quorum::testing::RecordingChecks::Download;
using quorum::testing::RecordingChecks::download;
using quorum::testing::WebhookSignatureCheck::signatureVerifies;
using quorum::testing::WebhookSignatureCheck::verifierScript;

namespace {

constexpr qint64 kWeekSeconds = 7 * 24 * 3600;

// Recordings with the capture double and processing retried at once; webhooks to loopback,
// retried every 300 ms, and an attempt given up on after 1 s.
const QStringList kFlags{u"--media"_s,
                         u"test-capture"_s,
                         u"--rate-limits"_s,
                         u"off"_s,
                         u"--recording-processing-attempts"_s,
                         u"2"_s,
                         u"--recording-retry-delay"_s,
                         u"0"_s,
                         u"--recording-min-free"_s,
                         u"0"_s,
                         u"--webhooks-allow-private-networks"_s,
                         u"--webhook-retry-schedule"_s,
                         u"300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms"_s,
                         u"--webhook-timeout"_s,
                         u"1s"_s};

QDateTime timeOf(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

QJsonObject bodyOf(const Receiver::Request &request)
{
    return QJsonDocument::fromJson(request.body).object();
}

// The requests about one meeting, one per event id (the first arrival), in sequence order.
QList<Receiver::Request> eventsAbout(const Receiver &receiver, const QString &meetingId)
{
    QList<Receiver::Request> unique;
    QSet<QByteArray> seen;
    for (const Receiver::Request &request : receiver.requests()) {
        const QByteArray eventId = request.header("X-Quorum-Event-Id");
        const QJsonObject data = bodyOf(request).value(u"data"_s).toObject();
        if (data.value(u"meeting_id"_s).toString() == meetingId && !seen.contains(eventId)) {
            seen.insert(eventId);
            unique << request;
        }
    }
    std::sort(unique.begin(), unique.end(), [](const auto &a, const auto &b) {
        return bodyOf(a).value(u"data"_s).toObject().value(u"sequence"_s).toInteger()
            < bodyOf(b).value(u"data"_s).toObject().value(u"sequence"_s).toInteger();
    });
    return unique;
}

} // namespace

class tst_CasesRecordings : public QObject
{
    Q_OBJECT

private:
    struct Subscription
    {
        QString id;
        QString secret;
    };

    Subscription subscribe(const QByteArray &url, const QStringList &events)
    {
        const ApiReply created
            = m_live->api().post(u"/v1/webhooks"_s,
                                 {{u"url"_s, QString::fromLatin1(url)},
                                  {u"events"_s, QJsonArray::fromStringList(events)}});
        if (created.status != 201) {
            qWarning() << "subscribe:" << created.status << created.body;
            return {};
        }
        return {created.json().value(u"id"_s).toString(),
                created.json().value(u"secret"_s).toString()};
    }

    // A LIVE meeting hosted by the admin, whose socket goes to `host`; its id or empty.
    QString liveMeeting(std::unique_ptr<SignalClient> *host)
    {
        const ApiReply created = m_live->api().post(u"/v1/meetings"_s,
                                                    {{u"topic"_s, u"Recorded case"_s},
                                                     {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                                     {u"duration_minutes"_s, 30},
                                                     {u"waiting_room"_s, false}});
        if (created.status != 201)
            return {};
        const QString meetingId = created.json().value(u"id"_s).toString();
        QJsonObject answer;
        *host = m_live->join(u"admin"_s, meetingId, &answer);
        return answer.value(u"type"_s).toString() == u"joined" ? meetingId : QString();
    }

    QString startRecording(const QString &meetingId)
    {
        return RecordingChecks::startRecording(m_live->api(), meetingId);
    }

    // Waits (up to 30 s) for the recording to be completed or failed; the last answer.
    QJsonObject waitForOutcome(const QString &recordingId)
    {
        return RecordingChecks::waitForState(m_live->api(), recordingId,
                                             {u"completed"_s, u"failed"_s}, 30000);
    }

    // The delivery of `eventId` to the subscription, as GET …/deliveries shows it, or empty.
    QJsonObject deliveryOf(const QString &webhookId, const QByteArray &eventId)
    {
        const ApiReply listed
            = m_live->api().get(u"/v1/webhooks/"_s + webhookId + u"/deliveries?page_size=100"_s);
        for (const QJsonValue &value : listed.json().value(u"deliveries"_s).toArray()) {
            if (value.toObject().value(u"event_id"_s).toString().toLatin1() == eventId)
                return value.toObject();
        }
        return {};
    }

    std::unique_ptr<LiveScenario> m_live;
    QTemporaryDir m_scratch;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!verifierScript().isEmpty(), "verify_webhook.py not found");
        QVERIFY(m_scratch.isValid());
        QVERIFY(RecordingChecks::useCaptureScript(m_scratch.path()));

        m_live = std::make_unique<LiveScenario>(kFlags);
        m_live->server().useTestBuild();
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
    }

    void cleanupTestCase()
    {
        if (m_live && !m_live->server().isRunning())
            qWarning() << "quorumd ended early:" << m_live->server().standardError();
        m_live.reset();
        qunsetenv("QUORUM_TEST_CAPTURE_SCRIPT");
    }

    // C03: one recording.completed per recording; a slow first answer (past the timeout) and
    // a failed second one make retries, which carry the same event id and the same bytes,
    // signed link included; that link works for 7 days from the event, and GET …/recordings
    // mints links of its own that need no token and leave the event's valid.
    void c03_oneCompletedEventPerRecordingAndRetriesAreByteIdentical()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        // The first 200 comes 2 s late, after the 1 s timeout; then a 503; then 200s.
        receiver.queueAnswers({{200, 2000}, {503, 0}});
        const Subscription hook = subscribe(receiver.url(), {u"recording.completed"_s});
        QVERIFY(!hook.id.isEmpty());

        std::unique_ptr<SignalClient> host;
        const QString meetingId = liveMeeting(&host);
        QVERIFY(!meetingId.isEmpty());
        const QString recordingId = startRecording(meetingId);
        QVERIFY(recordingId.startsWith(u"rec_"));
        QCOMPARE(m_live->api().post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status,
                 202);
        QCOMPARE(waitForOutcome(recordingId).value(u"state"_s).toString(), u"completed"_s);

        // Delivered after three attempts (late, 503, 200), then no more.
        QTRY_VERIFY_WITH_TIMEOUT(receiver.requests().size() >= 3, 15000);
        const QByteArray eventId = receiver.requests().constFirst().header("X-Quorum-Event-Id");
        QVERIFY(eventId.startsWith("evt_"));
        QTRY_COMPARE_WITH_TIMEOUT(deliveryOf(hook.id, eventId).value(u"state"_s).toString(),
                                  u"succeeded"_s, 10000);
        const QJsonObject delivery = deliveryOf(hook.id, eventId);
        QCOMPARE(delivery.value(u"attempts"_s).toInt(), 3);
        const QJsonArray log = delivery.value(u"attempt_log"_s).toArray();
        QCOMPARE(log.size(), 3);
        QCOMPARE(log[0].toObject().value(u"error"_s).toString(), u"timeout"_s);
        QCOMPARE(log[1].toObject().value(u"status_code"_s).toInt(), 503);
        QCOMPARE(log[2].toObject().value(u"status_code"_s).toInt(), 200);

        // Every attempt: the same event id and the same bytes, each signed over what it sent.
        const QList<Receiver::Request> attempts = receiver.requests();
        QCOMPARE(attempts.size(), 3);
        for (const Receiver::Request &attempt : attempts) {
            QCOMPARE(attempt.header("X-Quorum-Event-Id"), eventId);
            QCOMPARE(attempt.body, attempts.constFirst().body);
            QVERIFY(
                signatureVerifies(attempt.body, attempt.header("X-Quorum-Signature"), hook.secret));
        }

        // One logical event for the recording, in the log and in what was sent.
        DatabaseReader db(m_live->server());
        int completedRows = 0;
        for (const EventRow &event :
             DatabaseReader::eventsOfType(db.events(meetingId), u"recording.completed"_s))
            completedRows += event.data.value(u"recording_id"_s).toString() == recordingId;
        QCOMPARE(completedRows, 1);
        const QList<QJsonObject> outbox = db.deliveries(hook.id);
        QCOMPARE(outbox.size(), 1);
        QCOMPARE(outbox.first().value(u"event_id"_s).toString().toLatin1(), eventId);
        // The body is stored once, with the event, and sent as stored.
        QCOMPARE(outbox.first().value(u"body"_s).toString().toUtf8(), attempts.constFirst().body);
        const QJsonObject body = bodyOf(attempts.constFirst());
        QCOMPARE(body.value(u"event"_s).toString(), u"recording.completed"_s);
        QCOMPARE(body.value(u"event_id"_s).toString().toLatin1(), eventId);
        const QJsonObject data = body.value(u"data"_s).toObject();
        QCOMPARE(data.value(u"recording_id"_s).toString(), recordingId);

        // The event's links: minted at the event, valid 7 days from it, usable without a token.
        const QDateTime ts = timeOf(body.value(u"ts"_s));
        QVERIFY2(ts.isValid(), qPrintable(body.value(u"ts"_s).toString()));
        const QJsonArray eventFiles = data.value(u"files"_s).toArray();
        QCOMPARE(eventFiles.size(), 3);
        for (const QJsonValue &value : eventFiles) {
            const QJsonObject file = value.toObject();
            const qint64 validFor = ts.secsTo(timeOf(file.value(u"expires_at"_s)));
            QVERIFY2(qAbs(validFor - kWeekSeconds) <= 5,
                     qPrintable(file.value(u"expires_at"_s).toString()));
            const QString url = file.value(u"url"_s).toString();
            QVERIFY(attempts.constLast().body.contains(url.toUtf8()));
            const Download got = download(url);
            QCOMPARE(got.status, 200);
            QCOMPARE(got.body.size(), file.value(u"size_bytes"_s).toInteger());
        }

        // The meeting's list, twice: links of the call's own, valid 7 days from it, no token.
        for (int call = 0; call < 2; ++call) {
            const QDateTime before = QDateTime::currentDateTimeUtc();
            const ApiReply listed
                = m_live->api().get(u"/v1/meetings/%1/recordings"_s.arg(meetingId));
            const QDateTime after = QDateTime::currentDateTimeUtc();
            QCOMPARE(listed.status, 200);
            const QJsonArray recordings = listed.json().value(u"recordings"_s).toArray();
            QCOMPARE(recordings.size(), 1);
            const QJsonObject recording = recordings.first().toObject();
            QCOMPARE(recording.value(u"id"_s).toString(), recordingId);
            const QJsonArray files = recording.value(u"files"_s).toArray();
            QCOMPARE(files.size(), 3);
            for (const QJsonValue &value : files) {
                const QJsonObject file = value.toObject();
                const QDateTime expires = timeOf(file.value(u"expires_at"_s));
                QVERIFY2(before.secsTo(expires) >= kWeekSeconds - 2
                             && after.secsTo(expires) <= kWeekSeconds + 2,
                         qPrintable(file.value(u"expires_at"_s).toString()));
                const Download got = download(file.value(u"url"_s).toString());
                QCOMPARE(got.status, 200);
                QCOMPARE(got.body.size(), file.value(u"size_bytes"_s).toInteger());
            }
        }

        // Minting new links revokes nothing: the event's still work.
        for (const QJsonValue &value : eventFiles)
            QCOMPARE(download(value.toObject().value(u"url"_s).toString()).status, 200);
        QCOMPARE(receiver.requests().size(), 3);

        QCOMPARE(m_live->api().del(u"/v1/webhooks/"_s + hook.id).status, 204);
    }

    // C04 (d): :end with three present and a recording on: recording.stopped, a
    // participant.left (meeting_ended) for each, then meeting.ended, in sequence order and
    // none after ended_at; the recording then completes. The webhook sees the same order.
    void c04d_endingARecordedMeetingReportsStoppedThenLeftsThenEnded()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        const Subscription hook
            = subscribe(receiver.url(),
                        {u"meeting.started"_s, u"meeting.ended"_s, u"participant.joined"_s,
                         u"participant.left"_s, u"recording.started"_s, u"recording.stopped"_s,
                         u"recording.completed"_s, u"recording.failed"_s});
        QVERIFY(!hook.id.isEmpty());

        std::unique_ptr<SignalClient> clients[3];
        const QString meetingId = liveMeeting(&clients[0]);
        QVERIFY(!meetingId.isEmpty());
        for (int i = 1; i < 3; ++i) {
            QJsonObject answer;
            clients[i] = m_live->join(i == 1 ? u"bob"_s : u"carol"_s, meetingId, &answer);
            QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        }
        const QString recordingId = startRecording(meetingId);
        QVERIFY(recordingId.startsWith(u"rec_"));

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        for (auto &client : clients)
            QVERIFY(client->waitForClosed());
        // Stopped by the end, it is processed and completes.
        QCOMPARE(waitForOutcome(recordingId).value(u"state"_s).toString(), u"completed"_s);

        DatabaseReader db(m_live->server());
        QTRY_VERIFY_WITH_TIMEOUT(
            !DatabaseReader::eventsOfType(db.events(meetingId), u"recording.completed"_s).isEmpty(),
            5000);
        const QList<EventRow> events = db.events(meetingId);
        QStringList types;
        for (const EventRow &event : events)
            types << event.type;
        const qsizetype stopped = types.indexOf(u"recording.stopped"_s);
        QVERIFY2(stopped > 0, qPrintable(types.join(u' ')));
        QCOMPARE(
            types.mid(stopped),
            (QStringList{u"recording.stopped"_s, u"participant.left"_s, u"participant.left"_s,
                         u"participant.left"_s, u"meeting.ended"_s, u"recording.completed"_s}));
        QCOMPARE(types.count(u"participant.joined"_s), 3);
        QCOMPARE(events[stopped].data.value(u"recording_id"_s).toString(), recordingId);
        QCOMPARE(events.last().data.value(u"recording_id"_s).toString(), recordingId);

        const EventRow ended = events[stopped + 4];
        const QDateTime endedAt = timeOf(ended.data.value(u"ended_at"_s));
        QVERIFY(endedAt.isValid());
        QSet<QString> leftIds;
        for (qsizetype i = stopped + 1; i < stopped + 4; ++i) {
            QCOMPARE(events[i].data.value(u"reason"_s).toString(), u"meeting_ended"_s);
            leftIds.insert(events[i].data.value(u"participant_id"_s).toString());
        }
        QCOMPARE(leftIds.size(), 3);
        QSet<QString> joinedIds;
        for (const EventRow &event : DatabaseReader::eventsOfType(events, u"participant.joined"_s))
            joinedIds.insert(event.data.value(u"participant_id"_s).toString());
        QCOMPARE(leftIds, joinedIds);
        for (qsizetype i = 0; i < events.size(); ++i) {
            QCOMPARE(events[i].data.value(u"sequence"_s).toInteger(), events[i].sequence);
            if (i > 0)
                QVERIFY(events[i].sequence > events[i - 1].sequence);
            // Up to the end itself; recording.completed comes from processing, afterwards.
            if (i <= stopped + 4)
                QVERIFY2(events[i].occurredAtMs <= endedAt.toMSecsSinceEpoch()
                             && timeOf(events[i].data.value(u"occurred_at"_s)) <= endedAt,
                         qPrintable(events[i].type));
        }
        QVERIFY2(db.pairingProblem(meetingId).isEmpty(), qPrintable(db.pairingProblem(meetingId)));

        // The receiver got each of them, and their data.sequence orders them the same way.
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(receiver, meetingId).size(), events.size(), 10000);
        const QList<Receiver::Request> received = eventsAbout(receiver, meetingId);
        for (qsizetype i = 0; i < events.size(); ++i) {
            const QJsonObject body = bodyOf(received[i]);
            QCOMPARE(body.value(u"event"_s).toString(), events[i].type);
            QCOMPARE(body.value(u"data"_s).toObject().value(u"sequence"_s).toInteger(),
                     events[i].sequence);
            QVERIFY(signatureVerifies(received[i].body, received[i].header("X-Quorum-Signature"),
                                      hook.secret));
        }

        QCOMPARE(m_live->api().del(u"/v1/webhooks/"_s + hook.id).status, 204);
    }
};

QTEST_GUILESS_MAIN(tst_CasesRecordings)
#include "tst_cases_recordings.moc"
