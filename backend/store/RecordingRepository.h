#pragma once

#include "Keyset.h"
#include "core/Recording.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

#include <optional>

namespace quorum {

// A processing job claimed for one run: the recording it is for and what the capture left.
struct RecordingJob
{
    QString recordingId;
    int attempts = 0; // runs started before this one
    QJsonObject capture; // the media plane's report: {"files": [{"path", "kind"}], ...}
};

// recordings, recording_files, recording_jobs and recording_timeline (DESIGN.md *Recordings*).
// Every write is meant for the caller's transaction, so a state change and its event commit
// together; conditional updates (on the state a change starts from) keep concurrent writers
// (the hub, the processor, a DELETE) from undoing each other.
class RecordingRepository final
{
public:
    explicit RecordingRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    // ---- lifecycle (the hub) ----
    Status insert(const Recording &recording);
    // recording -> processing at `at`. NotFound when it is not in state `recording`.
    Status markStopped(const QString &id, const QDateTime &at);
    // Any state but completed and failed -> failed. NotFound when already final or gone.
    Status markFailed(const QString &id, const QString &errorCode, const QString &message,
                      const QDateTime &at);
    // Appends to the timeline with the next sequence number.
    Status appendTimeline(const QString &recordingId, const TimelineEntry &entry);
    Result<QList<TimelineEntry>> timeline(const QString &recordingId);
    // Recordings of `node` whose capture is still with the media plane: capturing, or stopped
    // with no capture handed over yet. After a restart of the node, those captures are lost.
    Result<QList<Recording>> awaitingCapture(const QString &node);

    // ---- processing (the processor) ----
    Status enqueueJob(const QString &recordingId, const QJsonObject &capture, qint64 nowMs);
    // Claims the oldest due job whose claim is free or expired, for `leaseMs`.
    Result<std::optional<RecordingJob>> claimJob(qint64 nowMs, qint64 leaseMs,
                                                 const QString &claimant);
    // At start: claims held by `claimant` (this node) hold no run any more.
    Result<int> releaseClaims(const QString &claimant);
    // The next time a queued job falls due, or nothing.
    Result<std::optional<qint64>> nextJobDueAt();
    // A failed run: queued again at `retryAtMs`, or (retryAtMs < 0) failed for good.
    Status jobFailed(const QString &recordingId, const QString &error, qint64 retryAtMs,
                     qint64 nowMs);
    Status jobDone(const QString &recordingId, qint64 nowMs);
    // processing -> processing with a new progress (0-100).
    Status setProgress(const QString &id, int progress, const QDateTime &at);
    // processing -> completed with its files. NotFound when it is no longer processing.
    Status markCompleted(const QString &id, const QList<RecordingFile> &files, qint64 durationMs,
                         const QDateTime &at);

    // ---- reads ----
    Result<std::optional<Recording>> byId(const QString &id, bool withFiles);
    Result<Page<Recording>> listForMeeting(const QString &meetingId, const PageRequest &page);
    Result<std::optional<RecordingFile>> file(const QString &recordingId, const QString &fileId);

    // ---- removal ----
    // Deletes the recording with its files' rows, timeline and job; the caller removes the
    // files on disk afterwards (the rows go first, so no URL can reach a half-deleted file).
    Status remove(const QString &id);
    // Recordings started before `cutoff`, oldest first (retention).
    Result<QList<Recording>> startedBefore(const QDateTime &cutoff, int limit);

private:
    Result<QList<RecordingFile>> filesOf(const QString &recordingId);

    QSqlDatabase m_db;
};

} // namespace quorum
