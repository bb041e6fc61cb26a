// Cloud recordings end to end against a real quorumd: the test build's `test-capture` media
// plane records with ffmpeg's test sources (DESIGN.md *Join tokens and the media-plane seam*),
// processing runs real ffmpeg, and the files are downloaded over real sockets and read by the
// test's own ffprobe. The builtin media plane's refusals run against the product's quorumd.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "RecordingChecks.h"
#include "SignalClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;
using quorum::testing::RecordingChecks::Download;
using quorum::testing::RecordingChecks::download;
using quorum::testing::RecordingChecks::Probe;
using quorum::testing::RecordingChecks::probe;

namespace {

// Processing retries at once, so a failure shows within seconds.
const QStringList kRecordingFlags{u"--media"_s,
                                  u"test-capture"_s,
                                  u"--rate-limits"_s,
                                  u"off"_s,
                                  u"--recording-processing-attempts"_s,
                                  u"2"_s,
                                  u"--recording-retry-delay"_s,
                                  u"0"_s,
                                  u"--recording-min-free"_s,
                                  u"0"_s};

// What the shared server captures unless a test says otherwise: two seconds that process.
const QJsonObject kUsualCapture{{u"mode"_s, u"ok"_s}, {u"seconds"_s, 2}};

// The test-capture plane reads its script at every capture start.
void writeCaptureScript(const QString &path, const QJsonObject &script)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(script).toJson());
}

// A quorumd of the test's own, for what needs other flags than the shared server's: one meeting
// scheduled on it, and its host (the admin) joined over a socket, so that the meeting is LIVE.
struct OwnServer
{
    explicit OwnServer(const QStringList &flags)
        : server(flags)
    { }

    // Starts the server, schedules a meeting of `topic` (with `settings` when given) and joins
    // its host; whether all of it went.
    bool startWithLiveMeeting(const QString &topic, const QJsonObject &settings = {})
    {
        if (!server.start()) {
            qWarning() << "quorumd did not start:" << server.standardError();
            return false;
        }

        api = std::make_unique<ApiClient>(server.baseUrl(), server.token());
        QJsonObject meeting{{u"topic"_s, topic},
                            {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                            {u"duration_minutes"_s, 30}};
        if (!settings.isEmpty())
            meeting.insert(u"settings"_s, settings);
        const ApiReply created = api->post(u"/v1/meetings"_s, meeting);
        meetingId = created.json().value(u"id"_s).toString();
        if (created.status != 201) {
            qWarning() << "POST /v1/meetings:" << created.status << created.body;
            return false;
        }

        const ApiReply token = api->post(u"/v1/meetings/%1/joinToken"_s.arg(meetingId), {});
        if (!socket.open(server.port())) {
            qWarning() << "the signalling socket did not open";
            return false;
        }
        const QJsonObject answer = socket.join(token.json().value(u"jwt"_s).toString());
        if (answer.value(u"type"_s).toString() != u"joined") {
            qWarning() << "the host did not join:" << answer;
            return false;
        }
        return true;
    }

    QuorumdProcess server;
    std::unique_ptr<ApiClient> api;
    SignalClient socket;
    QString meetingId;
};

} // namespace

class RecordingsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void wholeLifecyclePublishesThreeFilesThatDownloadAndProbe();
    void startAndStopTwiceGivesTwoRecordings();
    void startAndStopAreRefusedWithConflicts();
    void theMeetingsEndStopsTheRecording();
    void hostSocketsStartAndStopRecordingsAndEveryoneHears();
    void observersNeedRecordingWriteToRecord();
    void autoRecordingStartsWhenTheMeetingGoesLive();
    void aProcessingFailureFailsTheRecording();
    void aCaptureFailureFailsTheRecording();
    void deletingARecordingRemovesItsFilesAndLinks();
    void deletingAProcessingRecordingStopsItsFfmpeg();
    void recordingsAreReadOnlyByThoseWhoMayReadTheMeeting();
    void aRestartInTheMiddleOfProcessingStillCompletes();
    void retentionDeletesOldRecordingsWithTheirFiles();
    void aFullDiskFailsNewRecordings();
    void signedLinksExpire();
    void theBuiltinMediaPlaneRefusesToRecord();

private:
    // A LIVE meeting hosted by the admin, whose socket is in `host`.
    QString liveMeeting(std::unique_ptr<SignalClient> *host, const QJsonObject &settings = {});
    // Polls GET /v1/recordings/{id} until its state is one of `states`; the last answer.
    QJsonObject waitForState(const QString &recordingId, const QStringList &states,
                             int timeoutMs = 60000);
    // The state the recording ends in, completed or failed (or the last seen after a minute).
    QString outcomeOf(const QString &recordingId);
    QString startRecording(const QString &meetingId);
    // POST /v1/meetings/{id}/recordings:stop by the admin; the status.
    int stopRecording(const QString &meetingId);
    // Records in a new LIVE meeting (hosted in `host`), stops, and waits until the processing of
    // the recording has made progress (or ended); the recording as then seen, in `midway`.
    void stopAndWaitForProgress(std::unique_ptr<SignalClient> *host, QString *recordingId,
                                QJsonObject *midway);

    // Captures follow `script` until what this returns goes out of scope.
    [[nodiscard]] auto captureWith(const QJsonObject &script)
    {
        writeCaptureScript(m_scriptPath, script);
        return qScopeGuard([this] { writeCaptureScript(m_scriptPath, kUsualCapture); });
    }

    std::unique_ptr<LiveScenario> m_live;
    QTemporaryDir m_scratch;
    QString m_scriptPath;
};

void RecordingsTest::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    m_scriptPath = m_scratch.filePath(u"capture.json"_s);
    writeCaptureScript(m_scriptPath, kUsualCapture);
    qputenv("QUORUM_TEST_CAPTURE_SCRIPT", m_scriptPath.toLocal8Bit());

    m_live = std::make_unique<LiveScenario>(kRecordingFlags);
    m_live->server().useTestBuild();
    QVERIFY2(m_live->start(), m_live->server().standardError().constData());
}

void RecordingsTest::cleanupTestCase()
{
    m_live.reset();
    qunsetenv("QUORUM_TEST_CAPTURE_SCRIPT");
}

QString RecordingsTest::liveMeeting(std::unique_ptr<SignalClient> *host,
                                    const QJsonObject &settings)
{
    QJsonObject body{{u"topic"_s, u"Recorded"_s},
                     {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                     {u"duration_minutes"_s, 30},
                     {u"waiting_room"_s, false},
                     {u"settings"_s,
                      settings.isEmpty() ? QJsonObject{{u"mute_upon_entry"_s, false}} : settings}};
    const ApiReply created = m_live->api().post(u"/v1/meetings"_s, body);
    if (created.status != 201)
        return {};
    const QString meetingId = created.json().value(u"id"_s).toString();
    QJsonObject answer;
    *host = m_live->join(u"admin"_s, meetingId, &answer);
    if (answer.value(u"type"_s).toString() != u"joined")
        return {};
    return meetingId;
}

QJsonObject RecordingsTest::waitForState(const QString &recordingId, const QStringList &states,
                                         int timeoutMs)
{
    return RecordingChecks::waitForState(m_live->api(), recordingId, states, timeoutMs);
}

QString RecordingsTest::outcomeOf(const QString &recordingId)
{
    return waitForState(recordingId, {u"completed"_s, u"failed"_s}).value(u"state"_s).toString();
}

QString RecordingsTest::startRecording(const QString &meetingId)
{
    return RecordingChecks::startRecording(m_live->api(), meetingId);
}

int RecordingsTest::stopRecording(const QString &meetingId)
{
    return m_live->api().post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status;
}

void RecordingsTest::stopAndWaitForProgress(std::unique_ptr<SignalClient> *host,
                                            QString *recordingId, QJsonObject *midway)
{
    const QString meetingId = liveMeeting(host);
    QVERIFY(!meetingId.isEmpty());
    *recordingId = startRecording(meetingId);
    QVERIFY(!recordingId->isEmpty());
    QCOMPARE(stopRecording(meetingId), 202);

    const QString path = u"/v1/recordings/"_s + *recordingId;
    QTRY_VERIFY_WITH_TIMEOUT(
        (*midway = m_live->api().get(path).json(),
         midway->value(u"progress"_s).toInt() > 0 || midway->value(u"state"_s) != u"processing"_s),
        60000);
}

void RecordingsTest::wholeLifecyclePublishesThreeFilesThatDownloadAndProbe()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    QJsonObject bobAnswer;
    auto bob = m_live->join(u"bob"_s, meetingId, &bobAnswer);
    QCOMPARE(bobAnswer.value(u"type"_s).toString(), u"joined"_s);

    const ApiReply started
        = m_live->api().post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    QCOMPARE(started.status, 202);
    const QString recordingId = started.json().value(u"recording_id"_s).toString();
    QVERIFY(recordingId.startsWith(u"rec_"));
    QCOMPARE(started.json().value(u"state"_s).toString(), u"recording"_s);
    QCOMPARE(started.header("Location"), "/v1/recordings/" + recordingId.toLatin1());

    // Everyone hears of it, and the meeting shows it.
    QCOMPARE(bob->waitFor(u"recording_started"_s).value(u"recording_id"_s).toString(), recordingId);
    const QJsonObject live = m_live->meeting(meetingId).value(u"live"_s).toObject();
    QCOMPARE(live.value(u"recording"_s).toObject().value(u"id"_s).toString(), recordingId);

    // What the timeline must tell: bob muted himself, carol came and went.
    bob->send({{u"type"_s, u"media_state"_s}, {u"audio_muted"_s, true}});
    QVERIFY(!host->waitFor(u"participant_updated"_s).isEmpty());
    QJsonObject carolAnswer;
    auto carol = m_live->join(u"carol"_s, meetingId, &carolAnswer);
    QCOMPARE(carolAnswer.value(u"type"_s).toString(), u"joined"_s);
    // Who arrives while it records is told at once, not only by the next recording_stopped.
    QCOMPARE(carolAnswer.value(u"recording"_s).toObject().value(u"recording_id"_s).toString(),
             recordingId);
    carol->send({{u"type"_s, u"leave"_s}});
    QVERIFY(carol->waitForClosed());
    QTest::qWait(1200); // at least a second of capture

    const ApiReply stopped
        = m_live->api().post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {});
    QCOMPARE(stopped.status, 202);
    QCOMPARE(stopped.json().value(u"state"_s).toString(), u"processing"_s);
    QCOMPARE(bob->waitFor(u"recording_stopped"_s).value(u"recording_id"_s).toString(), recordingId);
    QVERIFY(m_live->meeting(meetingId).value(u"live"_s).toObject().value(u"recording"_s).isNull());

    const QJsonObject completed = waitForState(recordingId, {u"completed"_s, u"failed"_s});
    QCOMPARE(completed.value(u"state"_s).toString(), u"completed"_s);
    QCOMPARE(completed.value(u"progress"_s).toInt(), 100);
    QVERIFY(completed.value(u"duration_seconds"_s).toInt() >= 1);
    const QJsonArray files = completed.value(u"files"_s).toArray();
    QCOMPARE(files.size(), 3);

    QStringList types;
    for (const QJsonValue &value : files) {
        const QJsonObject file = value.toObject();
        types << file.value(u"type"_s).toString();
        QVERIFY(file.value(u"id"_s).toString().startsWith(u"fil_"));
        const QDateTime expires
            = QDateTime::fromString(file.value(u"expires_at"_s).toString(), Qt::ISODate);
        const qint64 validFor = QDateTime::currentDateTimeUtc().secsTo(expires);
        QVERIFY2(validFor > 7 * 86400 - 120 && validFor <= 7 * 86400,
                 qPrintable(expires.toString()));

        const Download got = download(file.value(u"url"_s).toString());
        QCOMPARE(got.status, 200);
        QCOMPARE(got.body.size(), file.value(u"size_bytes"_s).toInteger());
        const QString type = file.value(u"type"_s).toString();
        if (type == u"video") {
            const Probe media = probe(got.body, u"mp4"_s);
            QVERIFY2(media.formatName.contains(u"mp4"), qPrintable(media.formatName));
            QVERIFY2(media.codecs.contains(u"h264") && media.codecs.contains(u"aac"),
                     qPrintable(media.codecs.join(u',')));
            QVERIFY(media.durationSeconds >= 1.0);
        } else if (type == u"audio") {
            const Probe media = probe(got.body, u"m4a"_s);
            QCOMPARE(media.codecs, QStringList{u"aac"_s});
            QVERIFY(media.durationSeconds >= 1.0);
        } else {
            const QJsonObject timeline = QJsonDocument::fromJson(got.body).object();
            QCOMPARE(timeline.value(u"recording_id"_s).toString(), recordingId);
            QStringList seen;
            for (const QJsonValue &entry : timeline.value(u"entries"_s).toArray()) {
                const QJsonObject e = entry.toObject();
                seen << e.value(u"kind"_s).toString() + u':'
                        + e.value(u"display_name"_s).toString();
            }
            QVERIFY2(seen.contains(u"present:admin"_s), qPrintable(seen.join(u' ')));
            QVERIFY2(seen.contains(u"present:bob"_s), qPrintable(seen.join(u' ')));
            QVERIFY2(seen.contains(u"muted:bob"_s), qPrintable(seen.join(u' ')));
            QVERIFY2(seen.contains(u"joined:carol"_s), qPrintable(seen.join(u' ')));
            QVERIFY2(seen.contains(u"left:carol"_s), qPrintable(seen.join(u' ')));
        }
    }
    QCOMPARE(types, (QStringList{u"video"_s, u"audio"_s, u"timeline"_s}));

    // One event of each kind, in the order they happened.
    DatabaseReader database(m_live->server());
    QStringList recordingEvents;
    for (const EventRow &event : database.events(meetingId)) {
        if (event.type.startsWith(u"recording."))
            recordingEvents << event.type;
    }
    QCOMPARE(
        recordingEvents,
        (QStringList{u"recording.started"_s, u"recording.stopped"_s, u"recording.completed"_s}));
}

void RecordingsTest::startAndStopTwiceGivesTwoRecordings()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString stopPath = u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId);

    const QString first = startRecording(meetingId);
    QVERIFY(!first.isEmpty());
    QCOMPARE(m_live->api().post(stopPath, {}).status, 202);
    const QString second = startRecording(meetingId);
    QVERIFY(!second.isEmpty());
    QVERIFY(first != second);
    QCOMPARE(m_live->api().post(stopPath, {}).status, 202);

    QCOMPARE(outcomeOf(first), u"completed"_s);
    QCOMPARE(outcomeOf(second), u"completed"_s);

    // Listed oldest first, one page at a time.
    const ApiReply page
        = m_live->api().get(u"/v1/meetings/%1/recordings?page_size=1"_s.arg(meetingId));
    QCOMPARE(page.status, 200);
    const QJsonArray firstPage = page.json().value(u"recordings"_s).toArray();
    QCOMPARE(firstPage.size(), 1);
    QCOMPARE(firstPage.at(0).toObject().value(u"id"_s).toString(), first);
    const QString cursor = page.json().value(u"next_cursor"_s).toString();
    QVERIFY(!cursor.isEmpty());
    const ApiReply rest = m_live->api().get(
        u"/v1/meetings/%1/recordings?page_size=1&cursor=%2"_s.arg(meetingId, cursor));
    QCOMPARE(
        rest.json().value(u"recordings"_s).toArray().at(0).toObject().value(u"id"_s).toString(),
        second);
    QVERIFY(rest.json().value(u"next_cursor"_s).isNull());
}

void RecordingsTest::startAndStopAreRefusedWithConflicts()
{
    // Not LIVE yet: a scheduled meeting cannot record.
    const ApiReply created = m_live->api().post(u"/v1/meetings"_s,
                                                {{u"topic"_s, u"Later"_s},
                                                 {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                                 {u"duration_minutes"_s, 30}});
    QCOMPARE(created.status, 201);
    const QString scheduled = created.json().value(u"id"_s).toString();
    const ApiReply notLive
        = m_live->api().post(u"/v1/meetings/%1/recordings:start"_s.arg(scheduled), {});
    QCOMPARE(notLive.status, 409);
    QCOMPARE(notLive.code(), u"meeting_not_live"_s);

    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString startPath = u"/v1/meetings/%1/recordings:start"_s.arg(meetingId);
    const QString stopPath = u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId);

    const ApiReply nothingToStop = m_live->api().post(stopPath, {});
    QCOMPARE(nothingToStop.status, 409);
    QCOMPARE(nothingToStop.code(), u"not_recording"_s);

    const QString recordingId = startRecording(meetingId);
    QVERIFY(!recordingId.isEmpty());
    const ApiReply twice = m_live->api().post(startPath, {});
    QCOMPARE(twice.status, 409);
    QCOMPARE(twice.code(), u"recording_active"_s);
    QVERIFY(twice.json().value(u"detail"_s).toString().contains(recordingId));

    // A recording that captures cannot be deleted.
    const ApiReply busy = m_live->api().del(u"/v1/recordings/"_s + recordingId);
    QCOMPARE(busy.status, 409);
    QCOMPARE(busy.code(), u"recording_active"_s);

    // A body is refused like on every POST that takes none.
    const ApiReply withBody = m_live->api().post(stopPath, {{u"now"_s, true}});
    QCOMPARE(withBody.status, 400);

    // A member who is not a host may read the meeting but not record it.
    const ApiReply member = m_live->api(u"bob"_s).post(stopPath, {});
    QCOMPARE(member.status, 404);

    QCOMPARE(m_live->api().post(stopPath, {}).status, 202);
    const ApiReply stoppedTwice = m_live->api().post(stopPath, {});
    QCOMPARE(stoppedTwice.code(), u"not_recording"_s);
    QCOMPARE(outcomeOf(recordingId), u"completed"_s);
}

void RecordingsTest::theMeetingsEndStopsTheRecording()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString recordingId = startRecording(meetingId);
    QVERIFY(!recordingId.isEmpty());

    const ApiReply ended = m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {});
    QCOMPARE(ended.status, 200);
    // The socket hears the recording stop before the meeting ends.
    const QJsonObject stopped = host->waitFor(u"recording_stopped"_s);
    QCOMPARE(stopped.value(u"recording_id"_s).toString(), recordingId);
    QCOMPARE(stopped.value(u"reason"_s).toString(), u"meeting_ended"_s);
    QVERIFY(!host->waitFor(u"meeting_ended"_s).isEmpty());

    const QJsonObject completed = waitForState(recordingId, {u"completed"_s, u"failed"_s});
    QCOMPARE(completed.value(u"state"_s).toString(), u"completed"_s);
    QVERIFY(!completed.value(u"stopped_at"_s).isNull());

    DatabaseReader database(m_live->server());
    QStringList order;
    for (const EventRow &event : database.events(meetingId)) {
        order << event.type;
        if (event.type == u"recording.stopped")
            QCOMPARE(event.data.value(u"reason"_s).toString(), u"meeting_ended"_s);
    }
    const qsizetype stoppedAt = order.indexOf(u"recording.stopped"_s);
    QVERIFY(stoppedAt >= 0);
    QVERIFY(stoppedAt < order.indexOf(u"participant.left"_s));
    QVERIFY(order.indexOf(u"participant.left"_s) < order.indexOf(u"meeting.ended"_s));
    QVERIFY(order.indexOf(u"meeting.ended"_s) < order.indexOf(u"recording.completed"_s));
}

void RecordingsTest::hostSocketsStartAndStopRecordingsAndEveryoneHears()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    QJsonObject answer;
    auto bob = m_live->join(u"bob"_s, meetingId, &answer);
    QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);

    // An attendee may not.
    bob->send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"b1"_s}});
    const QJsonObject refused = bob->waitFor(u"error"_s);
    QCOMPARE(refused.value(u"code"_s).toString(), u"forbidden"_s);
    QCOMPARE(refused.value(u"id"_s).toString(), u"b1"_s);

    host->send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"h1"_s}});
    const QJsonObject started = bob->waitFor(u"recording_started"_s);
    const QString recordingId = started.value(u"recording_id"_s).toString();
    QVERIFY(recordingId.startsWith(u"rec_"));
    QCOMPARE(host->waitFor(u"recording_started"_s).value(u"recording_id"_s).toString(),
             recordingId);

    host->send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"h2"_s}});
    const QJsonObject again = host->waitFor(u"error"_s);
    QCOMPARE(again.value(u"code"_s).toString(), u"recording_active"_s);
    QCOMPARE(again.value(u"id"_s).toString(), u"h2"_s);

    host->send({{u"type"_s, u"stop_recording"_s}, {u"id"_s, u"h3"_s}});
    const QJsonObject stopped = bob->waitFor(u"recording_stopped"_s);
    QCOMPARE(stopped.value(u"recording_id"_s).toString(), recordingId);
    QCOMPARE(stopped.value(u"reason"_s).toString(), u"stopped"_s);

    host->send({{u"type"_s, u"stop_recording"_s}, {u"id"_s, u"h4"_s}});
    QCOMPARE(host->waitFor(u"error"_s).value(u"code"_s).toString(), u"not_recording"_s);
    QCOMPARE(outcomeOf(recordingId), u"completed"_s);
}

void RecordingsTest::observersNeedRecordingWriteToRecord()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());

    // meeting.write gives the other host commands, not recording.
    SignalClient meetingsOnly;
    QVERIFY(meetingsOnly.open(m_live->port()));
    const QJsonObject limited = meetingsOnly.observe(
        m_live->server().token(u"admin"_s, u"default"_s, {u"meeting.read"_s, u"meeting.write"_s}),
        meetingId);
    QCOMPARE(limited.value(u"may_act"_s).toBool(), true);
    QCOMPARE(limited.value(u"may_record"_s).toBool(), false);
    meetingsOnly.send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"o1"_s}});
    const QJsonObject refused = meetingsOnly.waitFor(u"error"_s);
    QCOMPARE(refused.value(u"code"_s).toString(), u"forbidden"_s);
    QCOMPARE(refused.value(u"id"_s).toString(), u"o1"_s);

    // recording.write without meeting.write records, and nothing else.
    SignalClient recorder;
    QVERIFY(recorder.open(m_live->port()));
    const QJsonObject recording = recorder.observe(
        m_live->server().token(u"admin"_s, u"default"_s, {u"meeting.read"_s, u"recording.write"_s}),
        meetingId);
    QCOMPARE(recording.value(u"may_act"_s).toBool(), false);
    QCOMPARE(recording.value(u"may_record"_s).toBool(), true);
    recorder.send({{u"type"_s, u"mute_all"_s}, {u"id"_s, u"r1"_s}});
    QCOMPARE(recorder.waitFor(u"error"_s).value(u"code"_s).toString(), u"forbidden"_s);
    recorder.send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"r2"_s}});
    const QString recordingId
        = host->waitFor(u"recording_started"_s).value(u"recording_id"_s).toString();
    QVERIFY(recordingId.startsWith(u"rec_"));
    QCOMPARE(recorder.waitFor(u"recording_started"_s).value(u"recording_id"_s).toString(),
             recordingId);
    recorder.send({{u"type"_s, u"stop_recording"_s}, {u"id"_s, u"r3"_s}});
    QCOMPARE(host->waitFor(u"recording_stopped"_s).value(u"recording_id"_s).toString(),
             recordingId);
    QCOMPARE(outcomeOf(recordingId), u"completed"_s);
}

void RecordingsTest::autoRecordingStartsWhenTheMeetingGoesLive()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId
        = liveMeeting(&host, {{u"auto_recording"_s, u"cloud"_s}, {u"mute_upon_entry"_s, false}});
    QVERIFY(!meetingId.isEmpty());
    const QString recordingId
        = host->waitFor(u"recording_started"_s).value(u"recording_id"_s).toString();
    QVERIFY(recordingId.startsWith(u"rec_"));

    const QJsonObject recording = m_live->api().get(u"/v1/recordings/"_s + recordingId).json();
    QCOMPARE(recording.value(u"state"_s).toString(), u"recording"_s);
    QVERIFY(recording.value(u"started_by"_s).isNull());
    QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
    QCOMPARE(outcomeOf(recordingId), u"completed"_s);
}

void RecordingsTest::aProcessingFailureFailsTheRecording()
{
    const auto restore = captureWith({{u"mode"_s, u"corrupt"_s}});

    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString recordingId = startRecording(meetingId);
    QVERIFY(!recordingId.isEmpty());
    QCOMPARE(stopRecording(meetingId), 202);

    const QJsonObject failed = waitForState(recordingId, {u"completed"_s, u"failed"_s});
    QCOMPARE(failed.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(failed.value(u"error_code"_s).toString(), u"processing_failed"_s);
    QVERIFY(!failed.value(u"error_message"_s).toString().isEmpty());
    QVERIFY(failed.value(u"files"_s).toArray().isEmpty());

    DatabaseReader database(m_live->server());
    int failures = 0;
    for (const EventRow &event : database.events(meetingId)) {
        if (event.type == u"recording.failed") {
            ++failures;
            QCOMPARE(event.data.value(u"recording_id"_s).toString(), recordingId);
            QCOMPARE(event.data.value(u"error_code"_s).toString(), u"processing_failed"_s);
            QVERIFY(!event.data.value(u"message"_s).toString().isEmpty());
        }
        QVERIFY(event.type != u"recording.completed");
    }
    QCOMPARE(failures, 1);
}

void RecordingsTest::aCaptureFailureFailsTheRecording()
{
    const auto restore = captureWith({{u"mode"_s, u"fail_start"_s}});

    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const ApiReply started
        = m_live->api().post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    QCOMPARE(started.status, 202);
    QCOMPARE(started.json().value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(started.json().value(u"error_code"_s).toString(), u"capture_failed"_s);

    // Nothing captures, so another may start, and the failure stopped nothing else.
    writeCaptureScript(m_scriptPath, {{u"mode"_s, u"fail_capture"_s}});
    const QString second = startRecording(meetingId);
    QVERIFY(!second.isEmpty());
    QCOMPARE(stopRecording(meetingId), 202);
    const QJsonObject failed = waitForState(second, {u"completed"_s, u"failed"_s});
    QCOMPARE(failed.value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(failed.value(u"error_code"_s).toString(), u"capture_failed"_s);
}

// The ffmpeg children of the server, by their pids.
static QStringList ffmpegChildrenOf(qint64 pid)
{
    QProcess pgrep;
    pgrep.start(u"pgrep"_s, {u"-P"_s, QString::number(pid), u"-x"_s, u"ffmpeg"_s});
    if (!pgrep.waitForFinished(5000))
        return {};
    return QString::fromLatin1(pgrep.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

void RecordingsTest::deletingAProcessingRecordingStopsItsFfmpeg()
{
    const auto restore = captureWith({{u"mode"_s, u"ok"_s}, {u"seconds"_s, 90}});
    std::unique_ptr<SignalClient> host;
    QString recordingId;
    QJsonObject midway;
    stopAndWaitForProgress(&host, &recordingId, &midway);
    if (QTest::currentTestFailed())
        return;

    // Processing has begun: the server's own ffmpeg transcodes.
    const qint64 pid = m_live->server().processId();
    QCOMPARE(midway.value(u"state"_s).toString(), u"processing"_s);
    QVERIFY(!ffmpegChildrenOf(pid).isEmpty());

    QCOMPARE(m_live->api().del(u"/v1/recordings/"_s + recordingId).status, 204);
    // At once, not when the run would have ended (seconds later for 90 s of media).
    QTRY_VERIFY_WITH_TIMEOUT(ffmpegChildrenOf(pid).isEmpty(), 1500);
    QCOMPARE(m_live->api().get(u"/v1/recordings/"_s + recordingId).status, 404);
}

void RecordingsTest::deletingARecordingRemovesItsFilesAndLinks()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString recordingId = startRecording(meetingId);
    QVERIFY(!recordingId.isEmpty());
    QCOMPARE(stopRecording(meetingId), 202);
    const QJsonObject completed = waitForState(recordingId, {u"completed"_s, u"failed"_s});
    QCOMPARE(completed.value(u"state"_s).toString(), u"completed"_s);
    const QString url
        = completed.value(u"files"_s).toArray().at(0).toObject().value(u"url"_s).toString();
    QCOMPARE(download(url).status, 200);
    const QDir directory(m_live->server().dataDir() + u"/recordings/"_s + meetingId + u'/'
                         + recordingId);
    QVERIFY(directory.exists());

    // A stale If-Match changes nothing.
    const ApiReply stale
        = m_live->api().del(u"/v1/recordings/"_s + recordingId, {{"If-Match", "\"v999\""}});
    QCOMPARE(stale.status, 412);
    const QByteArray etag = m_live->api().get(u"/v1/recordings/"_s + recordingId).header("ETag");
    QVERIFY(!etag.isEmpty());

    // bob may not read the meeting: for him the recording does not exist, even to delete.
    QCOMPARE(m_live->api(u"bob"_s).del(u"/v1/recordings/"_s + recordingId).status, 404);

    const ApiReply removed
        = m_live->api().del(u"/v1/recordings/"_s + recordingId, {{"If-Match", etag}});
    QCOMPARE(removed.status, 204);
    QCOMPARE(m_live->api().get(u"/v1/recordings/"_s + recordingId).status, 404);
    QCOMPARE(download(url).status, 404);
    QVERIFY(!directory.exists());
    QCOMPARE(m_live->api().del(u"/v1/recordings/"_s + recordingId).status, 404);
}

void RecordingsTest::recordingsAreReadOnlyByThoseWhoMayReadTheMeeting()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString recordingId = startRecording(meetingId);
    QVERIFY(!recordingId.isEmpty());

    // bob is a member who neither hosts nor co-hosts: the recording does not exist for him.
    QCOMPARE(m_live->api(u"bob"_s).get(u"/v1/recordings/"_s + recordingId).status, 404);
    QCOMPARE(m_live->api(u"bob"_s).get(u"/v1/meetings/%1/recordings"_s.arg(meetingId)).status, 404);

    // A token without recording.read is refused by scope, before anything is looked up.
    const QString meetingsOnly
        = m_live->server().token(u"admin"_s, u"default"_s, {u"meeting.read"_s, u"meeting.write"_s});
    const ApiReply noScope = ApiClient(m_live->server().baseUrl(), meetingsOnly)
                                 .get(u"/v1/recordings/"_s + recordingId);
    QCOMPARE(noScope.status, 403);
    QCOMPARE(noScope.code(), u"insufficient_scope"_s);

    // Once co-host, bob may read the recordings and stop one, but not delete it.
    QJsonObject answer;
    auto bob = m_live->join(u"bob"_s, meetingId, &answer);
    QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
    const QString bobParticipant = answer.value(u"participant_id"_s).toString();
    QCOMPARE(m_live->api()
                 .patch(u"/v1/meetings/%1/participants/%2"_s.arg(meetingId, bobParticipant),
                        {{u"role"_s, u"co_host"_s}})
                 .status,
             200);
    QCOMPARE(m_live->api(u"bob"_s).get(u"/v1/recordings/"_s + recordingId).status, 200);
    QCOMPARE(
        m_live->api(u"bob"_s).post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status,
        202);
    waitForState(recordingId, {u"completed"_s, u"failed"_s});
    const ApiReply coHostDelete = m_live->api(u"bob"_s).del(u"/v1/recordings/"_s + recordingId);
    QCOMPARE(coHostDelete.status, 403);
    QCOMPARE(coHostDelete.code(), u"forbidden"_s);
}

void RecordingsTest::aRestartInTheMiddleOfProcessingStillCompletes()
{
    // A long capture makes processing take long enough to be interrupted.
    const auto restore = captureWith({{u"mode"_s, u"ok"_s}, {u"seconds"_s, 90}});

    std::unique_ptr<SignalClient> host;
    QString recordingId;
    QJsonObject midway;
    stopAndWaitForProgress(&host, &recordingId, &midway);
    if (QTest::currentTestFailed())
        return;

    // Killed while ffmpeg transcodes: progress has begun but not finished.
    QCOMPARE(midway.value(u"state"_s).toString(), u"processing"_s);
    QVERIFY(midway.value(u"progress"_s).toInt() < 100);
    host.reset();
    m_live->server().kill();

    QVERIFY(m_live->server().start());
    const QJsonObject completed = waitForState(recordingId, {u"completed"_s, u"failed"_s}, 120000);
    QCOMPARE(completed.value(u"state"_s).toString(), u"completed"_s);
    QCOMPARE(completed.value(u"files"_s).toArray().size(), 3);
    QVERIFY(completed.value(u"duration_seconds"_s).toInt() >= 89);
    const QString video
        = completed.value(u"files"_s).toArray().at(0).toObject().value(u"url"_s).toString();
    const Probe media = probe(download(video).body, u"mp4"_s);
    QVERIFY(media.codecs.contains(u"h264"));
}

void RecordingsTest::retentionDeletesOldRecordingsWithTheirFiles()
{
    std::unique_ptr<SignalClient> host;
    const QString meetingId = liveMeeting(&host);
    QVERIFY(!meetingId.isEmpty());
    const QString stopPath = u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId);
    const QString old = startRecording(meetingId);
    QCOMPARE(m_live->api().post(stopPath, {}).status, 202);
    const QString recent = startRecording(meetingId);
    QCOMPARE(m_live->api().post(stopPath, {}).status, 202);
    QCOMPARE(waitForState(old, {u"completed"_s}).value(u"state"_s).toString(), u"completed"_s);
    QCOMPARE(waitForState(recent, {u"completed"_s}).value(u"state"_s).toString(), u"completed"_s);
    const QDir oldFiles(m_live->server().dataDir() + u"/recordings/"_s + meetingId + u'/' + old);
    QVERIFY(oldFiles.exists());

    // Age one of them past the 30 days, as the calendar would, while the server is down.
    host.reset();
    m_live->server().stop();
    {
        QSqlDatabase db = m_live->server().openDatabase(u"aging"_s, DatabaseAccess::ReadWrite);
        QVERIFY(db.isOpen());
        QSqlQuery query(db);
        query.prepare(u"UPDATE recordings SET started_at = started_at - ? WHERE id = ?"_s);
        query.addBindValue(31LL * 86400 * 1000);
        query.addBindValue(old);
        QVERIFY(query.exec());
        QCOMPARE(query.numRowsAffected(), 1);
    }
    QSqlDatabase::removeDatabase(u"aging"_s);

    QVERIFY(m_live->server().start());
    QCOMPARE(m_live->api().get(u"/v1/recordings/"_s + old).status, 404);
    QVERIFY(!oldFiles.exists());
    QCOMPARE(m_live->api().get(u"/v1/recordings/"_s + recent).json().value(u"state"_s).toString(),
             u"completed"_s);
}

void RecordingsTest::aFullDiskFailsNewRecordings()
{
    // A reserve larger than any disk here: the storage is "full" for recordings.
    OwnServer own(kRecordingFlags + QStringList{u"--recording-min-free"_s, u"100000000"_s});
    own.server.useTestBuild();
    QVERIFY(own.startWithLiveMeeting(u"Full disk"_s));
    ApiClient &api = *own.api;
    SignalClient &socket = own.socket;
    const QString &meetingId = own.meetingId;

    const ApiReply started = api.post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    QCOMPARE(started.status, 202);
    QCOMPARE(started.json().value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(started.json().value(u"error_code"_s).toString(), u"storage_full"_s);

    // From the socket, the sender alone is told why.
    socket.send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"s1"_s}});
    const QJsonObject refused = socket.waitFor(u"error"_s);
    QCOMPARE(refused.value(u"code"_s).toString(), u"storage_full"_s);
    QCOMPARE(refused.value(u"id"_s).toString(), u"s1"_s);
    QVERIFY(!socket.has(u"recording_started"_s));

    // The database is intact: the meeting goes on, the failure is recorded and reported.
    QCOMPARE(api.get(u"/v1/meetings/"_s + meetingId).json().value(u"state"_s).toString(),
             u"LIVE"_s);
    DatabaseReader database(own.server);
    bool reported = false;
    for (const EventRow &event : database.events(meetingId))
        reported |= event.type == u"recording.failed"
            && event.data.value(u"error_code"_s).toString() == u"storage_full";
    QVERIFY(reported);
    QCOMPARE(api.get(u"/v1/meetings/%1/recordings"_s.arg(meetingId))
                 .json()
                 .value(u"recordings"_s)
                 .toArray()
                 .size(),
             2);
}

void RecordingsTest::signedLinksExpire()
{
    OwnServer own(kRecordingFlags + QStringList{u"--recording-url-ttl"_s, u"2"_s});
    own.server.useTestBuild();
    QVERIFY(own.startWithLiveMeeting(u"Short links"_s));
    ApiClient &api = *own.api;
    const QString recordingId = RecordingChecks::startRecording(api, own.meetingId);
    QCOMPARE(api.post(u"/v1/meetings/%1/recordings:stop"_s.arg(own.meetingId), {}).status, 202);
    const QJsonObject recording
        = RecordingChecks::waitForState(api, recordingId, {u"completed"_s, u"failed"_s});
    QCOMPARE(recording.value(u"state"_s).toString(), u"completed"_s);

    const QString url
        = recording.value(u"files"_s).toArray().at(0).toObject().value(u"url"_s).toString();
    QCOMPARE(download(url).status, 200);
    QTest::qWait(3000);
    const Download expired = download(url);
    QCOMPARE(expired.status, 403);
    QCOMPARE(QJsonDocument::fromJson(expired.body).object().value(u"code"_s).toString(),
             u"url_expired"_s);
    // A fresh read mints a link that works again.
    const QString fresh = api.get(u"/v1/recordings/"_s + recordingId)
                              .json()
                              .value(u"files"_s)
                              .toArray()
                              .at(0)
                              .toObject()
                              .value(u"url"_s)
                              .toString();
    QCOMPARE(download(fresh).status, 200);
}

void RecordingsTest::theBuiltinMediaPlaneRefusesToRecord()
{
    // The product's quorumd, whose builtin media plane cannot capture.
    OwnServer own({u"--rate-limits"_s, u"off"_s});
    QVERIFY(own.startWithLiveMeeting(u"No capture"_s, {{u"auto_recording"_s, u"cloud"_s}}));
    ApiClient &api = *own.api;
    SignalClient &socket = own.socket;
    const QString &meetingId = own.meetingId;

    const ApiReply refused = api.post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    QCOMPARE(refused.status, 409);
    QCOMPARE(refused.code(), u"capture_unavailable"_s);
    QVERIFY(refused.json().value(u"detail"_s).toString().contains(u"media plane that can capture"));

    socket.send({{u"type"_s, u"start_recording"_s}, {u"id"_s, u"s1"_s}});
    QCOMPARE(socket.waitFor(u"error"_s).value(u"code"_s).toString(), u"capture_unavailable"_s);

    // auto_recording: cloud asked for one when the meeting went LIVE: it failed, and said why.
    const QJsonArray recordings = api.get(u"/v1/meetings/%1/recordings"_s.arg(meetingId))
                                      .json()
                                      .value(u"recordings"_s)
                                      .toArray();
    QCOMPARE(recordings.size(), 1);
    QCOMPARE(recordings.at(0).toObject().value(u"state"_s).toString(), u"failed"_s);
    QCOMPARE(recordings.at(0).toObject().value(u"error_code"_s).toString(),
             u"capture_unavailable"_s);
    DatabaseReader database(own.server);
    QStringList types;
    for (const EventRow &event : database.events(meetingId))
        types << event.type;
    QVERIFY2(types.contains(u"recording.failed"_s), qPrintable(types.join(u' ')));
    QVERIFY(!types.contains(u"recording.started"_s));
}

QTEST_MAIN(RecordingsTest)
#include "tst_recordings.moc"
