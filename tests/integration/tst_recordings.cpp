// Cloud recordings end to end against a real quorumd: the test build's `test-capture` media
// plane records with ffmpeg's test sources (DESIGN.md *Join tokens and the media-plane seam*),
// processing runs real ffmpeg, and the files are downloaded over real sockets and read by the
// test's own ffprobe. The builtin media plane's refusals run against the product's quorumd.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "SignalClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

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

// The test-capture plane reads its script at every capture start.
void writeCaptureScript(const QString &path, const QJsonObject &script)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write(QJsonDocument(script).toJson());
}

// A plain GET without a bearer, as a recording's link is used.
struct Download
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
};

Download download(const QString &url)
{
    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(QNetworkRequest(QUrl(url)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    Download result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return result;
}

// What ffprobe (the test's own) reads of a media file: format name, codecs, duration.
struct Probe
{
    QString formatName;
    QStringList codecs;
    double durationSeconds = 0;
};

Probe probe(const QByteArray &bytes, const QString &suffix)
{
    Probe result;
    QTemporaryFile file(QDir::tempPath() + u"/probe-XXXXXX."_s + suffix);
    if (!file.open())
        return result;
    file.write(bytes);
    file.flush();
    QProcess ffprobe;
    ffprobe.start(u"ffprobe"_s,
                  {u"-v"_s, u"error"_s, u"-show_entries"_s,
                   u"format=format_name,duration:stream=codec_name"_s, u"-of"_s, u"json"_s,
                   file.fileName()});
    if (!ffprobe.waitForFinished(20000) || ffprobe.exitCode() != 0)
        return result;
    const QJsonObject json = QJsonDocument::fromJson(ffprobe.readAllStandardOutput()).object();
    const QJsonObject format = json.value(u"format"_s).toObject();
    result.formatName = format.value(u"format_name"_s).toString();
    result.durationSeconds = format.value(u"duration"_s).toString().toDouble();
    for (const QJsonValue &stream : json.value(u"streams"_s).toArray())
        result.codecs << stream.toObject().value(u"codec_name"_s).toString();
    return result;
}

} // namespace

class RecordingsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void wholeLifecyclePublishesThreeFilesThatDownloadAndProbe();
    // SLOTS

private:
    // A LIVE meeting hosted by the admin, whose socket is in `host`.
    QString liveMeeting(std::unique_ptr<SignalClient> *host, const QJsonObject &settings = {});
    // Polls GET /v1/recordings/{id} until its state is one of `states`; the last answer.
    QJsonObject waitForState(const QString &recordingId, const QStringList &states,
                             int timeoutMs = 60000);
    QString startRecording(const QString &meetingId);

    std::unique_ptr<LiveScenario> m_live;
    QTemporaryDir m_scratch;
    QString m_scriptPath;
};

void RecordingsTest::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    m_scriptPath = m_scratch.filePath(u"capture.json"_s);
    writeCaptureScript(m_scriptPath, {{u"mode"_s, u"ok"_s}, {u"seconds"_s, 2}});
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
    QJsonObject last;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        last = m_live->api().get(u"/v1/recordings/"_s + recordingId).json();
        if (states.contains(last.value(u"state"_s).toString()))
            return last;
        QTest::qWait(100);
    }
    return last;
}

QString RecordingsTest::startRecording(const QString &meetingId)
{
    const ApiReply started
        = m_live->api().post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    if (started.status != 202)
        qWarning() << "recordings:start" << started.status << started.body;
    return started.json().value(u"recording_id"_s).toString();
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
    DatabaseReader database(m_live->server().dataDir());
    QStringList recordingEvents;
    for (const EventRow &event : database.events(meetingId)) {
        if (event.type.startsWith(u"recording."))
            recordingEvents << event.type;
    }
    QCOMPARE(
        recordingEvents,
        (QStringList{u"recording.started"_s, u"recording.stopped"_s, u"recording.completed"_s}));
}

QTEST_MAIN(RecordingsTest)
#include "tst_recordings.moc"
