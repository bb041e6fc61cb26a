#pragma once

#include "MediaTool.h"
#include "core/Recording.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QJsonArray>
#include <QObject>

namespace quorum {

// One run of a processing job: the capture's raw media into the published files of a
// recording (recording.mp4, recording.m4a, timeline.json in the capture directory), each
// written under a temporary name, probed, and only then renamed. It touches no database: the
// processor reads what it needs before and commits what it made after. Destroying a run kills
// its ffmpeg and removes its temporary files.
//
// A capture comes in one of two shapes (MediaPlane.h, CaptureFinished): one mixed video and
// one mixed audio file that ffmpeg reads, or an SFU's recorder files ("format": "mjr"), one
// per participant and kind. Those are unpacked with janus-pp-rec, placed on the recording's
// timeline by the time in their headers, and composed (RoomComposition): the mixed audio into
// the M4A first, then the grid of the videos with that audio into the MP4.
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
    enum class Step { ReadHeader, Unpack, Mp4, ProbeMp4, M4a, ProbeM4a };
    struct Task
    {
        Step step = Step::Mp4;
        qsizetype track = -1; // ReadHeader and Unpack: the index in m_tracks
        int weight = 0; // its share of the run's progress
    };
    // One recorder file of an SFU's capture and what becomes of it.
    struct RawTrack
    {
        QString raw; // absolute
        QString owner; // participant id, else the file's name
        MjrHeader header;
        QString unpacked; // absolute, in the unpacking directory
    };

    bool resolveInputs();
    bool resolveTracks(const QJsonArray &files);
    void plan();
    void runTask(qsizetype index);
    void taskDone();
    void acceptHeader(qsizetype index);
    bool acceptUnpacked(const RawTrack &track);
    bool acceptProbe(Step step);
    QList<PlacedTrack> placed(const QString &kind) const;
    void reportProgress(int percentOfTask);
    void finish();
    void fail(const QString &error, const QString &detail = {});
    void removeUnpacked() const;
    QString temporary(const QString &name) const;

    RecordingJob m_job;
    Recording m_recording;
    QList<TimelineEntry> m_timeline;
    QDir m_dir; // the capture directory
    QString m_relativeDir; // the same, relative to the recordings directory
    QDir m_unpackDir; // janus-pp-rec's outputs, inside the capture directory, gone after the run
    MediaTool m_tool;
    QList<Task> m_tasks;
    qsizetype m_current = 0;
    int m_doneWeight = 0;
    int m_totalWeight = 0;
    // A single-file capture's raw inputs, absolute; empty when it has none of that kind.
    QString m_video;
    QString m_audio;
    // An SFU's capture: its recorder files, and when the capture started (Unix ms).
    QList<RawTrack> m_tracks;
    qint64 m_captureStartMs = 0;
    QStringList m_rawFiles;
    qint64 m_captureMs = 0;
    QList<RecordingFile> m_files;
    qint64 m_durationMs = 0;
    QString m_error;
    QString m_detail;
    bool m_done = false;
};

} // namespace quorum
