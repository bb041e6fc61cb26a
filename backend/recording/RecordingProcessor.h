#pragma once

#include "MediaTool.h"
#include "core/Recording.h"
#include "core/Result.h"
#include "store/RecordingRepository.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>
#include <memory>

namespace quorum {

class Clock;
class Database;
class ProcessingRun;

namespace crypto {
class SignedUrl;
}

// Turns finished captures into published recordings (DESIGN.md *Recordings*): claims the
// processing jobs of recording_jobs, runs ffmpeg on each (ProcessingRun), and commits the
// outcome with its event (recording.completed or recording.failed) in one transaction. It
// lives in the thread that creates it and is driven by its event loop; nothing blocks.
class RecordingProcessor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordingProcessor)

public:
    struct Config
    {
        QString recordingsDir; // absolute; capture_dir of each recording is relative to it
        QString node; // the claimant of this node's jobs (Settings::nodeName)
        int maxAttempts = 3; // runs of a job before the recording fails
        qint64 retryDelayMs = 30'000; // between those runs
        int concurrency = 1; // runs at a time
        qint64 urlTtlSeconds = 7 * 24 * 3600; // of the links in recording.completed
        qint64 minFreeBytes = 512LL * 1024 * 1024; // below this a run fails with storage_full
        // A claim outlives a crashed node's run by this much; longer than any run should take.
        qint64 leaseMs = 6LL * 3600 * 1000;
        MediaTool::Programs programs; // ffmpeg, ffprobe and janus-pp-rec
    };

    RecordingProcessor(Database &database, const Clock &clock, const crypto::SignedUrl &signer,
                       Config config, std::function<QString()> publicUrl,
                       QObject *parent = nullptr);
    ~RecordingProcessor() override;

    // Releases the claims this node held before (a previous process's runs) and starts
    // claiming jobs.
    void start();
    // Kills the running ffmpeg children; their jobs stay claimed until the next start().
    void stop();
    // A job was queued: look for work soon. Calls in a row coalesce into one look.
    void wake();
    // The recording was deleted: its run, if one is going, stops now (its ffmpeg is killed and
    // its partial outputs removed) rather than finishing work nobody will see.
    void cancel(const QString &recordingId);

    bool isRunning() const { return m_running; }
    int activeRuns() const { return int(m_runs.size()); }

Q_SIGNALS:
    // A job's run ended and its outcome is committed (tests and logs).
    void runFinished(const QString &recordingId, bool ok);

private:
    void pump();
    Result<std::optional<RecordingJob>> claimNext();
    bool startJob(const RecordingJob &job);
    void scheduleNextLook();
    void onProgress(ProcessingRun *run, int percent);
    void onRunFinished(ProcessingRun *run);
    void complete(ProcessingRun *run);
    enum class Commit { Done, Gone, Error };
    Commit commitCompleted(const Recording &recording, const QList<RecordingFile> &files,
                           qint64 durationMs, const QDateTime &now);
    // A run that failed: queued again (`retry` and attempts left) or the recording failed with
    // its recording.failed event.
    void failJob(const RecordingJob &job, const Recording &recording, const QString &errorCode,
                 const QString &message, const QString &detail, bool retry);
    void dropJob(const QString &recordingId);

    struct Progress
    {
        int stored = 0;
        QElapsedTimer since;
    };

    Database &m_database;
    const Clock &m_clock;
    const crypto::SignedUrl &m_signer;
    Config m_config;
    std::function<QString()> m_publicUrl;
    bool m_running = false;
    bool m_wakeQueued = false;
    QTimer m_nextLook;
    QHash<QString, ProcessingRun *> m_runs; // children of this object, by recording id
    QHash<QString, Progress> m_progress;
};

} // namespace quorum
