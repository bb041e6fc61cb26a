// The processing of a Janus VideoRoom capture through RecordingProcessor's durable jobs, on a
// real SQLite database, real janus-pp-rec and real ffmpeg: recorder files (.mjr) made at test
// time by a private Janus and headless chromium (tests/support/janus-recording.sh) become a
// composite MP4, a mixed M4A and the timeline, or fail clearly. Exits 77 (skipped) when Janus,
// janus-pp-rec, node, chromium or playwright-core is missing.
//
// The fixture: Ada publishes for the whole 10 s recording; Bob joins about 3 s in and leaves at
// 8 s. QUORUM_JANUS_FIXTURE may name a directory made before by the same script, to skip the
// recording.

#include "JanusFixture.h"
#include "RecordingTestTools.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/SignedUrl.h"
#include "recording/RecordingProcessor.h"
#include "store/Database.h"
#include "store/EventRepository.h"
#include "store/RecordingRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

constexpr int kFixtureSeconds = 10;
const auto kPeople = u"[{\"name\":\"Ada\",\"join\":0},{\"name\":\"Bob\",\"join\":3,\"leave\":8}]"_s;

// The directory holding the fixture's .mjr files and manifest.json.
QString g_fixture;

QJsonObject fixtureManifest()
{
    return testing::JanusFixture::manifest(g_fixture);
}

} // namespace

class tst_JanusProcessing : public QObject
{
    Q_OBJECT

private:
    static constexpr int kMaxAttempts = 2;

    // How bright the left and right halves of the composite's frame at `second` are: the mean
    // of each pixel's brightest channel in a 64x36 RGB picture of it (0 for black).
    static std::pair<int, int> halves(const QString &file, double second)
    {
        const QByteArray rgb
            = runTool(u"ffmpeg"_s,
                      {u"-v"_s, u"error"_s, u"-ss"_s, QString::number(second), u"-i"_s, file,
                       u"-frames:v"_s, u"1"_s, u"-vf"_s, u"scale=64:36"_s, u"-f"_s, u"rawvideo"_s,
                       u"-pix_fmt"_s, u"rgb24"_s, u"-"_s});
        if (rgb.size() != 64 * 36 * 3)
            return {-1, -1};
        qint64 left = 0;
        qint64 right = 0;
        for (int pixel = 0; pixel < 64 * 36; ++pixel) {
            const int brightest
                = std::max({quint8(rgb.at(pixel * 3)), quint8(rgb.at(pixel * 3 + 1)),
                            quint8(rgb.at(pixel * 3 + 2))});
            (pixel % 64 < 32 ? left : right) += brightest;
        }
        return {int(left / (32 * 36)), int(right / (32 * 36))};
    }

    // The fixture's files whose display name is in `people`, copied into a new capture
    // directory, and a recording in state processing with its job queued for them.
    // `damage` overwrites the named kind's file of the first person with bytes that are not a
    // recording.
    QString addRecording(const QStringList &people, const QString &damage = {})
    {
        const QString id = ids::generate(u"rec");
        const QString captureDir = u"mtg_1/"_s + id;
        QDir dir(m_dir.filePath(u"recordings/"_s + captureDir));
        if (!dir.mkpath(u"."_s))
            return {};

        const QJsonObject manifest = fixtureManifest();
        QJsonArray files;
        bool damaged = false;
        for (const QJsonValue &value : manifest.value(u"files"_s).toArray()) {
            const QJsonObject file = value.toObject();
            if (!people.contains(file[u"display_name"_s].toString()))
                continue;
            const QString name = file[u"path"_s].toString();
            if (!QFile::copy(g_fixture + u'/' + name, dir.filePath(name)))
                return {};
            if (!damaged && file[u"kind"_s].toString() == damage) {
                QFile raw(dir.filePath(name));
                if (!raw.open(QIODevice::WriteOnly | QIODevice::Truncate)
                    || raw.write(QByteArray("MJR00002").append(QByteArray(4000, '\x5a'))) < 0)
                    return {};
                damaged = true;
            }
            files.append(file);
        }

        Recording recording;
        recording.id = id;
        recording.meetingId = u"mtg_1"_s;
        recording.workspaceId = u"wsp_a"_s;
        recording.state = RecordingState::Processing;
        const qint64 startedAtMs = manifest[u"started_at_ms"_s].toInteger();
        const qint64 durationMs = manifest[u"duration_ms"_s].toInteger();
        recording.startedAt = QDateTime::fromMSecsSinceEpoch(startedAtMs, Qt::UTC);
        recording.stoppedAt = recording.startedAt.addMSecs(durationMs);
        recording.captureDir = captureDir;
        recording.node = u"node-a"_s;
        recording.updatedAt = m_clock.now();

        Database::WriteTransaction transaction(*m_database);
        RecordingRepository repository(transaction.db());
        const TimelineEntry joined{
            recording.startedAt.addSecs(3), u"joined"_s, u"par_fixture2"_s, u"Bob"_s, {}};
        // The payload as the Janus adapter reports it (MediaPlane.h, CaptureFinished).
        const QJsonObject capture{
            {u"files"_s, files}, {u"duration_ms"_s, durationMs}, {u"started_at_ms"_s, startedAtMs}};
        if (!repository.insert(recording) || !repository.appendTimeline(id, joined)
            || !repository.enqueueJob(id, capture, m_clock.nowMs()) || !transaction.commit())
            return {};
        return id;
    }

    std::unique_ptr<RecordingProcessor> makeProcessor(const QString &janusPpRec = {})
    {
        RecordingProcessor::Config config;
        config.recordingsDir = m_dir.filePath(u"recordings"_s);
        config.node = u"node-a"_s;
        config.maxAttempts = kMaxAttempts;
        config.retryDelayMs = 100;
        config.urlTtlSeconds = 3600;
        config.minFreeBytes = 0;
        if (!janusPpRec.isEmpty())
            config.programs.janusPpRec = janusPpRec;
        return std::make_unique<RecordingProcessor>(*m_database, m_clock, m_signer, config,
                                                    [] { return u"http://127.0.0.1:1"_s; });
    }

    std::optional<Recording> recording(const QString &id)
    {
        return storedRecording(*m_database, id);
    }

    QList<StoredEvent> events(const QString &type) { return meetingEvents(*m_database, type); }

    QString captureDir(const QString &id) { return m_dir.filePath(u"recordings/mtg_1/"_s + id); }

    QTemporaryDir m_dir;
    SystemClock m_clock;
    crypto::SignedUrl m_signer{QByteArray(32, 's')};
    std::unique_ptr<Database> m_database;
    qint64 m_durationMs = 0;

private Q_SLOTS:
    void initTestCase()
    {
        const QJsonObject manifest = fixtureManifest();
        m_durationMs = manifest[u"duration_ms"_s].toInteger();
        QVERIFY(m_durationMs >= kFixtureSeconds * 1000);
        QCOMPARE(manifest[u"files"_s].toArray().size(), 4);
    }

    void init()
    {
        QVERIFY(m_dir.isValid());
        static int files = 0;
        Database::Options options;
        options.sqlitePath = m_dir.filePath(u"q%1.db"_s.arg(++files));
        m_database = std::make_unique<Database>(options);
        QVERIFY(m_database->open());
        QVERIFY(addLiveMeeting(*m_database));
    }

    void cleanup() { m_database.reset(); }

    void aLateJoinerAppearsInTheGridWhileSheIsThere()
    {
        const QString id = addRecording({u"Ada"_s, u"Bob"_s});
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor();
        QSignalSpy finished(processor.get(), &RecordingProcessor::runFinished);

        // Progress is polled while the run goes: it must pass through values in between.
        QSet<int> seen;
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] {
            if (const auto r = recording(id); r && r->state == RecordingState::Processing)
                seen << r->progress;
        });
        poll.start(10);
        processor->start();
        QVERIFY(finished.wait(60'000));
        poll.stop();
        QCOMPARE(finished.first().at(1).toBool(), true);
        QVERIFY(std::any_of(seen.cbegin(), seen.cend(), [](int p) { return p > 0 && p < 100; }));

        const auto r = recording(id);
        QVERIFY(r);
        QCOMPARE(r->state, RecordingState::Completed);
        QCOMPARE(r->files.size(), 3);
        const QDir recordings(m_dir.filePath(u"recordings"_s));
        const QString mp4 = recordings.filePath(r->files.at(0).path);
        const QString m4a = recordings.filePath(r->files.at(1).path);
        QVERIFY(mp4.endsWith(u"/recording.mp4"_s));
        QVERIFY(m4a.endsWith(u"/recording.m4a"_s));

        // Codecs and lengths, as the test's own ffprobe reads them.
        const ProbedMedia video = probeMedia(mp4);
        QVERIFY2(video.format.contains(u"mp4"), qPrintable(video.format));
        QCOMPARE(video.codecs, (QStringList{u"video:h264"_s, u"audio:aac"_s}));
        QVERIFY2(qAbs(video.seconds * 1000 - double(m_durationMs)) < 1000,
                 qPrintable(u"%1 s for %2 ms"_s.arg(video.seconds).arg(m_durationMs)));
        const ProbedMedia audio = probeMedia(m4a);
        QCOMPARE(audio.codecs, QStringList{u"audio:aac"_s});
        QVERIFY(qAbs(audio.seconds * 1000 - double(m_durationMs)) < 1000);
        QVERIFY(qAbs(r->durationMs - m_durationMs) < 1000);

        // Ada on the left all along; Bob's cell on the right is black before he joins (about
        // 3.5 s in, with his media up) and after he leaves (8 s), and shows him in between.
        const auto before = halves(mp4, 1.5);
        const auto during = halves(mp4, 6.0);
        const auto after = halves(mp4, 9.5);
        const auto describe = [&] {
            return u"before %1/%2 during %3/%4 after %5/%6"_s.arg(before.first)
                .arg(before.second)
                .arg(during.first)
                .arg(during.second)
                .arg(after.first)
                .arg(after.second);
        };
        QVERIFY2(before.first > 40 && during.first > 40 && after.first > 40,
                 qPrintable(describe()));
        QVERIFY2(before.second < 10 && during.second > 40 && after.second < 10,
                 qPrintable(describe()));

        // The raw recorder files and the unpacked tracks are gone; only what was published is
        // left.
        QCOMPARE(QDir(captureDir(id)).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot),
                 (QStringList{u"recording.m4a"_s, u"recording.mp4"_s, u"timeline.json"_s}));
        const QList<StoredEvent> completed = events(u"recording.completed"_s);
        QCOMPARE(completed.size(), 1);
        QCOMPARE(completed[0].data[u"files"_s].toArray().size(), 3);
    }

    void onePersonFillsTheCanvas()
    {
        const QString id = addRecording({u"Ada"_s});
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor();
        QSignalSpy finished(processor.get(), &RecordingProcessor::runFinished);
        processor->start();
        QVERIFY(finished.wait(60'000));
        QCOMPARE(finished.first().at(1).toBool(), true);

        const auto r = recording(id);
        QVERIFY(r);
        const QString mp4 = m_dir.filePath(u"recordings/"_s + r->files.at(0).path);
        QCOMPARE(probeMedia(mp4).codecs, (QStringList{u"video:h264"_s, u"audio:aac"_s}));
        // One cell, the whole canvas: the picture spans both halves.
        const auto middle = halves(mp4, 5.0);
        QVERIFY2(middle.first > 40 && middle.second > 40,
                 qPrintable(u"%1/%2"_s.arg(middle.first).arg(middle.second)));
    }

    void failsClearly_data()
    {
        QTest::addColumn<QString>("damage");
        QTest::addColumn<QString>("janusPpRec");
        QTest::addColumn<QString>("words");

        QTest::newRow("a damaged video recording fails the recording")
            << u"video"_s << QString() << u"damaged or not a Janus recording"_s;
        QTest::newRow("a damaged audio recording fails the recording")
            << u"audio"_s << QString() << u"damaged or not a Janus recording"_s;
        QTest::newRow("without janus-pp-rec the recording fails, naming it")
            << QString() << u"/nonexistent/janus-pp-rec"_s << u"janus-pp-rec"_s;
    }

    void failsClearly()
    {
        QFETCH(QString, damage);
        QFETCH(QString, janusPpRec);
        QFETCH(QString, words);

        const QString id = addRecording({u"Ada"_s, u"Bob"_s}, damage);
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor(janusPpRec);
        processor->start();
        QTRY_COMPARE_WITH_TIMEOUT(recording(id)->state, RecordingState::Failed, 30'000);

        QCOMPARE(recording(id)->errorCode, u"processing_failed"_s);
        const QList<StoredEvent> failed = events(u"recording.failed"_s);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0].data[u"error_code"_s].toString(), u"processing_failed"_s);
        const QString message = failed[0].data[u"message"_s].toString();
        QVERIFY2(message.contains(words), qPrintable(message));
        QVERIFY2(!message.contains(m_dir.path()), qPrintable(message));
        QVERIFY(events(u"recording.completed"_s).isEmpty());

        // The raw files stay (an operator may look at them); nothing half-made is left.
        const QStringList left
            = QDir(captureDir(id)).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(left.size(), 4);
        for (const QString &name : left)
            QVERIFY2(name.endsWith(u".mjr"_s), qPrintable(name));
        QTRY_COMPARE_WITH_TIMEOUT(processor->activeRuns(), 0, 5'000);
    }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir scratch;
    if (const int made = testing::JanusFixture::make(scratch.filePath(u"fixture"_s),
                                                     kFixtureSeconds, kPeople, &g_fixture);
        made != 0)
        return made;
    tst_JanusProcessing test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_janusprocessing.moc"
