#pragma once

#include "MediaTool.h"
#include "core/Recording.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QObject>

namespace quorum {

// One run of a processing job: the capture's raw media into the published files of a
// recording (recording.mp4, recording.m4a, timeline.json in the capture directory), each
// written under a temporary name, probed, and only then renamed. It touches no database: the
// processor reads what it needs before and commits what it made after. Destroying a run kills
// its ffmpeg and removes its temporary files.
class ProcessingRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessingRun)

public:
    ProcessingRun(RecordingJob job, Recording recording, QList<TimelineEntry> timeline,
                  const QString &recordingsDir, MediaTool::Programs programs,
                  QObject *parent = nullptr);
    ~ProcessingRun() override;

    void start();

    const RecordingJob &job() const { return m_job; }
    const Recording &recording() const { return m_recording; }

    // After finished():
    bool ok() const { return m_error.isEmpty(); }
    // A short reason for people, naming the step and never a path: "the video could not be
    // transcoded". detail() adds ffmpeg's words, for the log.
    QString error() const { return m_error; }
    QString detail() const { return m_detail; }
    // The published files without ids or creation time (the processor adds them at commit),
    // their paths relative to the recordings directory.
    const QList<RecordingFile> &files() const { return m_files; }
    // Of the published media: the MP4's, else the M4A's.
    qint64 durationMs() const { return m_durationMs; }

    // Removes the published files of a run whose recording went away meanwhile.
    void discardOutputs();
    // Removes the capture's raw files once the published ones are committed.
    void removeRawFiles();

    // The document written as timeline.json.
    static QByteArray timelineJson(const Recording &recording,
                                   const QList<TimelineEntry> &timeline);

Q_SIGNALS:
    void progress(int percent); // 0-100 over the whole run
    void finished();

private:
    enum class Step { Mp4, ProbeMp4, M4a, ProbeM4a };

    bool resolveInputs();
    void runStep(Step step);
    void stepDone();
    bool acceptProbe(Step step);
    void finish();
    void fail(const QString &error, const QString &detail = {});
    QString temporary(const QString &name) const;

    RecordingJob m_job;
    Recording m_recording;
    QList<TimelineEntry> m_timeline;
    QDir m_dir; // the capture directory
    QString m_relativeDir; // the same, relative to the recordings directory
    MediaTool m_tool;
    QList<Step> m_steps;
    Step m_step = Step::Mp4;
    QString m_video; // raw inputs, absolute; empty when the capture has none of that kind
    QString m_audio;
    QStringList m_rawFiles;
    qint64 m_captureMs = 0;
    QList<RecordingFile> m_files;
    qint64 m_durationMs = 0;
    QString m_error;
    QString m_detail;
    bool m_done = false;
};

} // namespace quorum
