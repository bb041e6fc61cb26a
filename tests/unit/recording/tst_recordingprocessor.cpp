// RecordingProcessor on a real SQLite database and real ffmpeg: captures become published,
// probe-checked files with their recording.completed event, or fail after their retries with
// recording.failed; a run cut off by a stop is taken up again by the next start.

#include "RecordingTestTools.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/SignedUrl.h"
#include "recording/ProcessingRun.h"
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
#include <QUrl>
#include <QUrlQuery>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_RecordingProcessor : public QObject
{
    Q_OBJECT

private:
    static constexpr int kMaxAttempts = 3;

    // A recording in state processing whose capture directory holds `seconds` of raw media
    // (or random bytes), with its job queued.
    QString addRecording(double seconds, bool garbage = false)
    {
        const QString id = ids::generate(u"rec");
        const QString captureDir = u"mtg_1/"_s + id;
        QDir dir(m_dir.filePath(u"recordings/"_s + captureDir));
        if (!dir.mkpath(u"."_s))
            return {};

        if (garbage) {
            for (const QString &name : {u"video.mkv"_s, u"audio.opus"_s}) {
                QFile file(dir.filePath(name));
                if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray(50'000, 'x')) < 0)
                    return {};
            }
        } else {
            // MJPEG is quick to make; the x264 transcode takes long enough to show progress.
            const QString duration = QString::number(seconds);
            runTool(u"ffmpeg"_s,
                    {u"-nostdin"_s,
                     u"-y"_s,
                     u"-loglevel"_s,
                     u"error"_s,
                     u"-f"_s,
                     u"lavfi"_s,
                     u"-i"_s,
                     u"testsrc=size=640x360:rate=25:duration="_s + duration,
                     u"-f"_s,
                     u"lavfi"_s,
                     u"-i"_s,
                     u"sine=sample_rate=48000:duration="_s + duration,
                     u"-map"_s,
                     u"0:v"_s,
                     u"-c:v"_s,
                     u"mjpeg"_s,
                     u"-q:v"_s,
                     u"8"_s,
                     dir.filePath(u"video.mkv"_s),
                     u"-map"_s,
                     u"1:a"_s,
                     u"-c:a"_s,
                     u"libopus"_s,
                     dir.filePath(u"audio.opus"_s)});
            if (!QFile::exists(dir.filePath(u"audio.opus"_s)))
                return {};
        }

        Recording recording;
        recording.id = id;
        recording.meetingId = u"mtg_1"_s;
        recording.workspaceId = u"wsp_a"_s;
        recording.state = RecordingState::Processing;
        recording.startedAt = m_clock.now().addSecs(-60);
        recording.stoppedAt = m_clock.now().addSecs(-10);
        recording.captureDir = captureDir;
        recording.node = u"node-a"_s;
        recording.updatedAt = m_clock.now();

        Database::WriteTransaction transaction(*m_database);
        RecordingRepository repository(transaction.db());
        TimelineEntry joined{
            recording.startedAt.addMSecs(1500), u"joined"_s, u"par_1"_s, u"Ada"_s, {}};
        TimelineEntry muted{recording.startedAt.addSecs(20), u"muted"_s, u"par_1"_s, u"Ada"_s,
                            QJsonObject{{u"by"_s, u"host"_s}}};
        const QJsonObject capture{
            {u"files"_s,
             QJsonArray{QJsonObject{{u"kind"_s, u"video"_s}, {u"path"_s, u"video.mkv"_s}},
                        QJsonObject{{u"kind"_s, u"audio"_s}, {u"path"_s, u"audio.opus"_s}}}},
            {u"duration_ms"_s, qint64(seconds * 1000)}};
        if (!repository.insert(recording) || !repository.appendTimeline(id, joined)
            || !repository.appendTimeline(id, muted)
            || !repository.enqueueJob(id, capture, m_clock.nowMs()) || !transaction.commit())
            return {};
        return id;
    }

    std::unique_ptr<RecordingProcessor> makeProcessor(qint64 minFreeBytes = 0)
    {
        RecordingProcessor::Config config;
        config.recordingsDir = m_dir.filePath(u"recordings"_s);
        config.node = u"node-a"_s;
        config.maxAttempts = kMaxAttempts;
        config.retryDelayMs = 100;
        config.urlTtlSeconds = 3600;
        config.minFreeBytes = minFreeBytes;
        config.leaseMs = 600'000;
        return std::make_unique<RecordingProcessor>(*m_database, m_clock, m_signer, config,
                                                    [] { return u"http://127.0.0.1:1"_s; });
    }

    std::optional<Recording> recording(const QString &id)
    {
        return storedRecording(*m_database, id);
    }

    QList<StoredEvent> events(const QString &type) { return meetingEvents(*m_database, type); }

    int attempts(const QString &id)
    {
        QSqlQuery query(m_database->connection());
        query.prepare(u"SELECT attempts FROM recording_jobs WHERE recording_id = ?"_s);
        query.addBindValue(id);
        return query.exec() && query.next() ? query.value(0).toInt() : -1;
    }

    QString captureDir(const QString &id) { return m_dir.filePath(u"recordings/mtg_1/"_s + id); }

    QTemporaryDir m_dir;
    SystemClock m_clock;
    crypto::SignedUrl m_signer{QByteArray(32, 's')};
    std::unique_ptr<Database> m_database;

private Q_SLOTS:
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

    void completesWithProbedFilesTimelineAndEvent()
    {
        const QString id = addRecording(8);
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor();
        QSignalSpy finished(processor.get(), &RecordingProcessor::runFinished);

        // The row is polled while ffmpeg runs: progress must move through values in between.
        QSet<int> seen;
        QTimer poll;
        connect(&poll, &QTimer::timeout, this, [&] {
            if (const auto r = recording(id); r && r->state == RecordingState::Processing)
                seen << r->progress;
        });
        poll.start(10);
        processor->start();
        QVERIFY(finished.wait(40'000));
        poll.stop();
        QCOMPARE(finished.first().at(1).toBool(), true);
        const bool between
            = std::any_of(seen.cbegin(), seen.cend(), [](int p) { return p > 0 && p < 100; });
        QVERIFY2(between, qPrintable(u"progress seen: %1"_s.arg(seen.values().size())));

        const auto r = recording(id);
        QVERIFY(r);
        QCOMPARE(r->state, RecordingState::Completed);
        QCOMPARE(r->progress, 100);
        QVERIFY(qAbs(r->durationMs - 8000) < 300);
        QCOMPARE(r->files.size(), 3);

        // Each file, read by ffprobe here and not by the code under test.
        const QDir recordings(m_dir.filePath(u"recordings"_s));
        const RecordingFile &video = r->files.at(0);
        QCOMPARE(video.type, u"video"_s);
        const ProbedMedia mp4 = probeMedia(recordings.filePath(video.path));
        QVERIFY(mp4.format.contains(u"mp4"));
        QCOMPARE(mp4.codecs, (QStringList{u"video:h264"_s, u"audio:aac"_s}));
        QCOMPARE(video.sizeBytes, QFileInfo(recordings.filePath(video.path)).size());
        const RecordingFile &audio = r->files.at(1);
        QCOMPARE(audio.format, u"m4a"_s);
        const ProbedMedia m4a = probeMedia(recordings.filePath(audio.path));
        QCOMPARE(m4a.codecs, QStringList{u"audio:aac"_s});
        QVERIFY(qAbs(m4a.seconds - 8.0) < 0.3);

        const RecordingFile &timelineFile = r->files.at(2);
        QCOMPARE(timelineFile.type, u"timeline"_s);
        QFile timelineJson(recordings.filePath(timelineFile.path));
        QVERIFY(timelineJson.open(QIODevice::ReadOnly));
        const QJsonObject timeline = QJsonDocument::fromJson(timelineJson.readAll()).object();
        QCOMPARE(timeline[u"recording_id"_s].toString(), id);
        QCOMPARE(timeline[u"meeting_id"_s].toString(), u"mtg_1"_s);
        const QJsonArray entries = timeline[u"entries"_s].toArray();
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries[0][u"kind"_s].toString(), u"joined"_s);
        QCOMPARE(entries[0][u"offset_seconds"_s].toDouble(), 1.5);
        QCOMPARE(entries[0][u"display_name"_s].toString(), u"Ada"_s);
        QCOMPARE(entries[1][u"kind"_s].toString(), u"muted"_s);
        QCOMPARE(entries[1][u"by"_s].toString(), u"host"_s);

        // One event whose links verify; the raw capture is gone, no temporary file is left.
        const QList<StoredEvent> completed = events(u"recording.completed"_s);
        QCOMPARE(completed.size(), 1);
        QCOMPARE(completed[0].data[u"recording_id"_s].toString(), id);
        QCOMPARE(completed[0].data[u"duration_seconds"_s].toInteger(), 8);
        const QJsonArray files = completed[0].data[u"files"_s].toArray();
        QCOMPARE(files.size(), 3);
        for (const QJsonValue &file : files) {
            const QUrl url(file[u"url"_s].toString());
            const QUrlQuery query(url);
            QCOMPARE(m_signer.verify(url.path(), query.queryItemValue(u"expires"_s),
                                     query.queryItemValue(u"sig"_s), m_clock.now()),
                     crypto::SignedUrl::Check::Valid);
        }
        QCOMPARE(QDir(captureDir(id)).entryList(QDir::Files),
                 (QStringList{u"recording.m4a"_s, u"recording.mp4"_s, u"timeline.json"_s}));
        QVERIFY(events(u"recording.failed"_s).isEmpty());
    }

    void failsClearly_data()
    {
        QTest::addColumn<bool>("garbage");
        QTest::addColumn<qint64>("minFreeBytes");
        QTest::addColumn<QString>("errorCode");
        QTest::addColumn<int>("runs");

        QTest::newRow("random bytes are retried, then fail as processing_failed")
            << true << qint64(0) << u"processing_failed"_s << kMaxAttempts;
        QTest::newRow("a full disk fails at once as storage_full")
            << false << std::numeric_limits<qint64>::max() << u"storage_full"_s << 1;
    }

    void failsClearly()
    {
        QFETCH(bool, garbage);
        QFETCH(qint64, minFreeBytes);
        QFETCH(QString, errorCode);
        QFETCH(int, runs);

        const QString id = addRecording(1, garbage);
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor(minFreeBytes);
        processor->start();
        QTRY_COMPARE_WITH_TIMEOUT(recording(id)->state, RecordingState::Failed, 30'000);

        QCOMPARE(attempts(id), runs);
        QCOMPARE(recording(id)->errorCode, errorCode);
        const QList<StoredEvent> failed = events(u"recording.failed"_s);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0].data[u"recording_id"_s].toString(), id);
        QCOMPARE(failed[0].data[u"error_code"_s].toString(), errorCode);
        const QString message = failed[0].data[u"message"_s].toString();
        QVERIFY(!message.isEmpty());
        QVERIFY2(!message.contains(m_dir.path()), qPrintable(message));
        QVERIFY(events(u"recording.completed"_s).isEmpty());
        // Nothing half-made is left beside the capture.
        for (const QString &name : QDir(captureDir(id)).entryList(QDir::Files))
            QVERIFY2(!name.startsWith(u"recording."), qPrintable(name));
        QCOMPARE(processor->activeRuns(), 0);
    }

    void aRunCutOffByAStopIsTakenUpAtTheNextStart()
    {
        const QString id = addRecording(8);
        QVERIFY(!id.isEmpty());
        auto first = makeProcessor();
        first->start();
        QTRY_COMPARE_WITH_TIMEOUT(first->activeRuns(), 1, 5'000);
        // As if the process died mid-run: ffmpeg is killed, the claim stays.
        first->stop();
        first.reset();
        QCOMPARE(recording(id)->state, RecordingState::Processing);

        auto second = makeProcessor();
        QSignalSpy finished(second.get(), &RecordingProcessor::runFinished);
        second->start();
        QVERIFY(finished.wait(40'000));
        QCOMPARE(recording(id)->state, RecordingState::Completed);
        QCOMPARE(attempts(id), 2);
        QCOMPARE(events(u"recording.completed"_s).size(), 1);
    }

    void aRecordingDeletedWhileProcessingIsDroppedQuietly()
    {
        const QString id = addRecording(4);
        QVERIFY(!id.isEmpty());
        auto processor = makeProcessor();
        QSignalSpy finished(processor.get(), &RecordingProcessor::runFinished);
        processor->start();
        QTRY_COMPARE_WITH_TIMEOUT(processor->activeRuns(), 1, 5'000);
        {
            Database::WriteTransaction transaction(*m_database);
            QVERIFY(RecordingRepository(transaction.db()).remove(id));
            QVERIFY(transaction.commit());
        }

        QVERIFY(finished.wait(40'000));
        QVERIFY(!recording(id));
        QVERIFY(events(u"recording.completed"_s).isEmpty());
        QVERIFY(events(u"recording.failed"_s).isEmpty());
        QVERIFY(!QFile::exists(captureDir(id) + u"/recording.mp4"_s));
        QVERIFY(!QFile::exists(captureDir(id) + u"/timeline.json"_s));
    }
};

QTEST_GUILESS_MAIN(tst_RecordingProcessor)
#include "tst_recordingprocessor.moc"
