// A Janus room's recording through quorumd's real durable jobs: the test build's `test-capture`
// plane, scripted with mode "mjr", hands real Janus recorder files (made at the start of the
// test by tests/support/janus-recording.sh: a private Janus and headless chromium) to the
// gateway in the Janus adapter's payload form; the server's processing queue turns them into
// the published files, and the test downloads them through their signed links and reads them
// with its own ffprobe. Exits 77 (skipped) when Janus, janus-pp-rec, node, chromium or
// playwright-core is missing.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "JanusFixture.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "RecordingChecks.h"
#include "SignalClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// Two people, the second joining late: 8 s of Ada, Bob from about 3 s in.
constexpr int kFixtureSeconds = 8;
const auto kPeople = u"[{\"name\":\"Ada\",\"join\":0},{\"name\":\"Bob\",\"join\":3}]"_s;

QString g_fixture;

} // namespace

class JanusRecordingsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_scratch.isValid());
        m_scriptPath = m_scratch.filePath(u"capture.json"_s);
        QFile script(m_scriptPath);
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write(
            QJsonDocument(QJsonObject{{u"mode"_s, u"mjr"_s}, {u"fixture"_s, g_fixture}}).toJson());
        script.close();
        qputenv("QUORUM_TEST_CAPTURE_SCRIPT", m_scriptPath.toLocal8Bit());

        m_live = std::make_unique<LiveScenario>(QStringList{
            u"--media"_s, u"test-capture"_s, u"--rate-limits"_s, u"off"_s,
            u"--recording-processing-attempts"_s, u"1"_s, u"--recording-min-free"_s, u"0"_s});
        m_live->server().useTestBuild();
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
    }

    void cleanupTestCase()
    {
        m_live.reset();
        qunsetenv("QUORUM_TEST_CAPTURE_SCRIPT");
    }

    void aJanusCaptureBecomesAGridMp4AndAMixedM4a()
    {
        const QJsonObject body{{u"topic"_s, u"Recorded on Janus"_s},
                               {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                               {u"duration_minutes"_s, 30},
                               {u"waiting_room"_s, false}};
        const ApiReply created = m_live->api().post(u"/v1/meetings"_s, body);
        QCOMPARE(created.status, 201);
        const QString meetingId = created.json().value(u"id"_s).toString();
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);

        const QString recordingId = RecordingChecks::startRecording(m_live->api(), meetingId);
        QVERIFY(!recordingId.isEmpty());
        QCOMPARE(m_live->api().post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status,
                 202);

        const QJsonObject done = RecordingChecks::waitForState(
            m_live->api(), recordingId, {u"completed"_s, u"failed"_s}, 120'000);
        QVERIFY2(done.value(u"state"_s).toString() == u"completed"_s,
                 QJsonDocument(done).toJson().constData());
        const double recorded
            = double(JanusFixture::manifest(g_fixture)[u"duration_ms"_s].toInteger()) / 1000.0;
        QVERIFY(qAbs(done.value(u"duration_seconds"_s).toDouble() - recorded) <= 1.0);

        QStringList types;
        for (const QJsonValue &value : done.value(u"files"_s).toArray()) {
            const QJsonObject file = value.toObject();
            const QString type = file.value(u"type"_s).toString();
            types << type;
            const RecordingChecks::Download got
                = RecordingChecks::download(file.value(u"url"_s).toString());
            QCOMPARE(got.status, 200);
            if (type == u"timeline")
                continue;
            const RecordingChecks::Probe media
                = RecordingChecks::probe(got.body, type == u"video" ? u"mp4"_s : u"m4a"_s);
            const QStringList codecs
                = type == u"video" ? QStringList{u"h264"_s, u"aac"_s} : QStringList{u"aac"_s};
            QCOMPARE(media.codecs, codecs);
            QVERIFY2(
                qAbs(media.durationSeconds - recorded) < 1.0,
                qPrintable(
                    u"%1: %2 s for %3 s"_s.arg(type).arg(media.durationSeconds).arg(recorded)));
        }
        QCOMPARE(types, (QStringList{u"video"_s, u"audio"_s, u"timeline"_s}));

        DatabaseReader database(m_live->server());
        QStringList recordingEvents;
        for (const EventRow &event : database.events(meetingId))
            if (event.type.startsWith(u"recording."))
                recordingEvents << event.type;
        QCOMPARE(recordingEvents,
                 (QStringList{u"recording.started"_s, u"recording.stopped"_s,
                              u"recording.completed"_s}));
    }

private:
    std::unique_ptr<LiveScenario> m_live;
    QTemporaryDir m_scratch;
    QString m_scriptPath;
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir scratch;
    if (const int made
        = JanusFixture::make(scratch.filePath(u"fixture"_s), kFixtureSeconds, kPeople, &g_fixture);
        made != 0)
        return made;
    JanusRecordingsTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_janus_recordings.moc"
