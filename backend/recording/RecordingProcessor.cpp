#include "RecordingProcessor.h"

#include "ProcessingRun.h"
#include "PublishedFiles.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "store/Database.h"
#include "store/EventRepository.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QStorageInfo>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcRecording, "quorum.recording")

namespace {

// Jobs queued by another node (shared database) wake nobody here; an idle node still looks
// this often.
constexpr qint64 kIdleLookMs = 30'000;
// After a database error, the next look waits this long instead of spinning.
constexpr int kErrorBackoffMs = 5'000;
// Progress is stored at most this often, or when it moved this many points.
constexpr qint64 kProgressIntervalMs = 500;
constexpr int kProgressStep = 5;
// jobs.last_error is for operators; ffmpeg's complaints are cut to this.
constexpr qsizetype kLastErrorLength = 1000;

} // namespace

RecordingProcessor::RecordingProcessor(Database &database, const Clock &clock,
                                       const crypto::SignedUrl &signer, Config config,
                                       std::function<QString()> publicUrl, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_signer(signer)
    , m_config(std::move(config))
    , m_publicUrl(std::move(publicUrl))
{
    // 0: this node leaves processing to the others sharing its database.
    m_config.concurrency = std::max(0, m_config.concurrency);
    m_config.maxAttempts = std::max(1, m_config.maxAttempts);
    m_nextLook.setSingleShot(true);
    connect(&m_nextLook, &QTimer::timeout, this, &RecordingProcessor::pump);
}

RecordingProcessor::~RecordingProcessor()
{
    stop();
}

void RecordingProcessor::start()
{
    if (m_running)
        return;

    // Claims this node held belong to runs of a process that is gone: free them now rather
    // than after their lease.
    {
        Database::WriteTransaction transaction(m_database);
        auto released = RecordingRepository(transaction.db()).releaseClaims(m_config.node);
        if (released && transaction.commit() && *released > 0)
            qCInfo(lcRecording) << "released" << *released << "processing claims of"
                                << m_config.node;
    }

    m_running = true;
    wake();
}

void RecordingProcessor::stop()
{
    m_running = false;
    m_nextLook.stop();
    // Deleting a run kills its ffmpeg; the job stays claimed by this node until start().
    const auto runs = m_runs;
    m_runs.clear();
    m_progress.clear();
    for (ProcessingRun *run : runs) {
        run->disconnect(this);
        delete run;
    }
}

void RecordingProcessor::wake()
{
    if (!m_running || m_wakeQueued)
        return;
    m_wakeQueued = true;
    QTimer::singleShot(0, this, [this] {
        m_wakeQueued = false;
        pump();
    });
}

void RecordingProcessor::cancel(const QString &recordingId)
{
    ProcessingRun *run = m_runs.take(recordingId);
    if (!run)
        return;

    qCInfo(lcRecording) << "processing of" << recordingId << "cancelled: the recording is gone";
    m_progress.remove(recordingId);
    run->disconnect(this);
    delete run;
    wake();
}

void RecordingProcessor::pump()
{
    if (!m_running)
        return;

    while (m_runs.size() < m_config.concurrency) {
        auto claimed = claimNext();
        if (!claimed) {
            qCWarning(lcRecording) << "could not claim a processing job; looking again later";
            m_nextLook.start(kErrorBackoffMs);
            return;
        }
        if (!claimed->has_value())
            break;
        startJob(**claimed);
    }
    scheduleNextLook();
}

Result<std::optional<RecordingJob>> RecordingProcessor::claimNext()
{
    // Its own transaction, over before the job starts: a run that fails at once writes too.
    Database::WriteTransaction transaction(m_database,
                                           Database::WriteTransaction::Locking::RowLocks);
    auto claimed = RecordingRepository(transaction.db())
                       .claimJob(m_clock.nowMs(), m_config.leaseMs, m_config.node);
    if (!claimed)
        return claimed;
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return claimed;
}

void RecordingProcessor::scheduleNextLook()
{
    // A full house looks again when a run ends.
    if (m_runs.size() >= m_config.concurrency) {
        m_nextLook.stop();
        return;
    }
    auto due = RecordingRepository(m_database.connection()).nextJobDueAt();
    if (!due) {
        m_nextLook.start(kErrorBackoffMs);
        return;
    }
    const qint64 wait = due->has_value() ? **due - m_clock.nowMs() : kIdleLookMs;
    m_nextLook.start(int(std::clamp<qint64>(wait, 100, kIdleLookMs)));
}

bool RecordingProcessor::startJob(const RecordingJob &job)
{
    RecordingRepository repository(m_database.connection());
    auto recording = repository.byId(job.recordingId, false);
    auto timeline = repository.timeline(job.recordingId);
    if (!recording || !timeline) {
        // The database is the trouble, not the capture: try again later without failing it.
        const qint64 nowMs = m_clock.nowMs();
        Database::WriteTransaction transaction(m_database);
        if (!RecordingRepository(transaction.db())
                 .jobFailed(job.recordingId, u"reading the recording failed"_s,
                            nowMs + m_config.retryDelayMs, nowMs)
            || !transaction.commit())
            qCWarning(lcRecording) << "could not queue" << job.recordingId << "again";
        return false;
    }
    // Deleted meanwhile, or failed by someone else: nothing to publish.
    if (!recording->has_value() || (*recording)->state != RecordingState::Processing) {
        dropJob(job.recordingId);
        return false;
    }
    const Recording &r = **recording;

    const QString directory = QDir(m_config.recordingsDir).filePath(r.captureDir);
    const QStorageInfo storage(QFileInfo::exists(directory) ? directory : m_config.recordingsDir);
    if (storage.isValid() && storage.bytesAvailable() < m_config.minFreeBytes) {
        // A full disk does not clear up by itself within a retry delay: fail now, clearly.
        failJob(job, r, u"storage_full"_s,
                u"The server's recording storage is full; the recording could not be processed."_s,
                u"%1 bytes free"_s.arg(storage.bytesAvailable()), false);
        return false;
    }

    auto *run
        = new ProcessingRun(job, r, *timeline, m_config.recordingsDir, m_config.programs, this);
    connect(run, &ProcessingRun::progress, this,
            [this, run](int percent) { onProgress(run, percent); });
    connect(run, &ProcessingRun::finished, this, [this, run] { onRunFinished(run); });
    m_runs.insert(job.recordingId, run);
    m_progress[job.recordingId].since.start();
    qCInfo(lcRecording) << "processing" << job.recordingId << "run" << job.attempts + 1 << "of"
                        << m_config.maxAttempts;
    run->start();
    return true;
}

void RecordingProcessor::onProgress(ProcessingRun *run, int percent)
{
    Progress &progress = m_progress[run->recording().id];
    // 100 comes with the completion itself.
    if (percent <= progress.stored || percent >= 100)
        return;
    if (percent - progress.stored < kProgressStep && progress.since.elapsed() < kProgressIntervalMs)
        return;

    Database::WriteTransaction transaction(m_database);
    if (!RecordingRepository(transaction.db())
             .setProgress(run->recording().id, percent, m_clock.now())
        || !transaction.commit())
        return;
    progress.stored = percent;
    progress.since.restart();
}

void RecordingProcessor::onRunFinished(ProcessingRun *run)
{
    const QString id = run->recording().id;
    m_runs.remove(id);
    m_progress.remove(id);

    if (run->ok()) {
        complete(run);
    } else {
        failJob(run->job(), run->recording(), u"processing_failed"_s,
                u"Processing failed: %1."_s.arg(run->error()), run->detail(), true);
    }
    const bool ok = run->ok();
    run->disconnect(this);
    run->deleteLater();
    Q_EMIT runFinished(id, ok);
    wake();
}

void RecordingProcessor::complete(ProcessingRun *run)
{
    const Recording &recording = run->recording();
    const QDateTime now = m_clock.now();
    QList<RecordingFile> files = run->files();
    for (RecordingFile &file : files) {
        file.id = ids::generate(u"fil");
        file.createdAt = now;
    }

    const Commit outcome = commitCompleted(recording, files, run->durationMs(), now);
    if (outcome == Commit::Gone) {
        // Deleted (or failed) while ffmpeg ran: its files have no row to be published under.
        qCInfo(lcRecording) << recording.id << "went away while processing; output dropped";
        run->discardOutputs();
        dropJob(recording.id);
        return;
    }
    if (outcome == Commit::Error) {
        failJob(run->job(), recording, u"processing_failed"_s,
                u"Processing failed: the result could not be stored."_s, u"database write failed"_s,
                true);
        return;
    }

    // The rows and the event are committed: the raw capture is no longer needed.
    run->removeRawFiles();
    qCInfo(lcRecording) << "completed" << recording.id << "duration" << run->durationMs() << "ms";
}

RecordingProcessor::Commit RecordingProcessor::commitCompleted(const Recording &recording,
                                                               const QList<RecordingFile> &files,
                                                               qint64 durationMs,
                                                               const QDateTime &now)
{
    Database::WriteTransaction transaction(m_database);
    RecordingRepository repository(transaction.db());
    const Status completed = repository.markCompleted(recording.id, files, durationMs, now);
    if (!completed)
        return completed.error().code == ErrorCode::NotFound ? Commit::Gone : Commit::Error;

    // Links minted once, here, so every delivery of the event carries the same bytes.
    const QJsonObject data{
        {u"recording_id"_s, recording.id},
        {u"files"_s,
         publishedfiles::toJson(files, m_signer, m_publicUrl(), now, m_config.urlTtlSeconds)},
        {u"duration_seconds"_s, qRound64(double(durationMs) / 1000.0)},
    };
    auto event = EventRepository(transaction.db())
                     .append(recording.workspaceId, recording.meetingId, u"recording.completed"_s,
                             now, data);
    if (!event || !repository.jobDone(recording.id, now.toMSecsSinceEpoch())
        || !transaction.commit())
        return Commit::Error;
    return Commit::Done;
}

void RecordingProcessor::failJob(const RecordingJob &job, const Recording &recording,
                                 const QString &errorCode, const QString &message,
                                 const QString &detail, bool retry)
{
    const QDateTime now = m_clock.now();
    const qint64 nowMs = now.toMSecsSinceEpoch();
    const int run = job.attempts + 1;
    const QString lastError = (message + u' ' + detail).left(kLastErrorLength);

    if (retry && run < m_config.maxAttempts) {
        qCWarning(lcRecording).noquote() << "run" << run << "of" << m_config.maxAttempts << "for"
                                         << job.recordingId << "failed:" << message << detail;
        Database::WriteTransaction transaction(m_database);
        if (!RecordingRepository(transaction.db())
                 .jobFailed(job.recordingId, lastError, nowMs + m_config.retryDelayMs, nowMs)
            || !transaction.commit())
            qCWarning(lcRecording) << "could not queue" << job.recordingId << "again";
        return;
    }

    qCWarning(lcRecording).noquote()
        << "processing" << job.recordingId << "failed for good:" << errorCode << message << detail;
    Database::WriteTransaction transaction(m_database);
    RecordingRepository repository(transaction.db());
    if (!repository.jobFailed(job.recordingId, lastError, -1, nowMs))
        return;
    const Status failed = repository.markFailed(job.recordingId, errorCode, message, now);
    if (!failed && failed.error().code != ErrorCode::NotFound) {
        qCWarning(lcRecording) << "could not fail" << job.recordingId;
        return;
    }
    // NotFound: deleted or finished meanwhile, so there is no news to tell.
    if (failed) {
        const QJsonObject data{{u"recording_id"_s, job.recordingId},
                               {u"error_code"_s, errorCode},
                               {u"message"_s, message}};
        if (!EventRepository(transaction.db())
                 .append(recording.workspaceId, recording.meetingId, u"recording.failed"_s, now,
                         data)) {
            qCWarning(lcRecording) << "could not write recording.failed for" << job.recordingId;
            return;
        }
    }
    if (!transaction.commit())
        qCWarning(lcRecording) << "could not fail" << job.recordingId;
}

void RecordingProcessor::dropJob(const QString &recordingId)
{
    qCDebug(lcRecording) << "dropping the job of" << recordingId << "(no longer processing)";
    Database::WriteTransaction transaction(m_database);
    if (!RecordingRepository(transaction.db()).jobDone(recordingId, m_clock.nowMs())
        || !transaction.commit())
        qCWarning(lcRecording) << "could not drop the job of" << recordingId;
}

} // namespace quorum
