#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace quorum {

// DESIGN.md *Recordings*: recording -> processing -> completed | failed.
enum class RecordingState { Recording, Processing, Completed, Failed };

inline QString recordingStateName(RecordingState state)
{
    switch (state) {
    case RecordingState::Recording:
        return QStringLiteral("recording");
    case RecordingState::Processing:
        return QStringLiteral("processing");
    case RecordingState::Completed:
        return QStringLiteral("completed");
    case RecordingState::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

inline std::optional<RecordingState> recordingStateFromName(const QString &name)
{
    for (RecordingState state : {RecordingState::Recording, RecordingState::Processing,
                                 RecordingState::Completed, RecordingState::Failed}) {
        if (recordingStateName(state) == name)
            return state;
    }
    return std::nullopt;
}

// One published file of a recording: the MP4, the M4A or the JSON timeline.
struct RecordingFile
{
    QString id; // fil_
    QString recordingId;
    QString type; // video, audio, timeline
    QString format; // mp4, m4a, json
    QString contentType; // video/mp4, audio/mp4, application/json
    QString path; // relative to the recordings directory
    qint64 sizeBytes = 0;
    qint64 durationMs = 0; // as ffprobe read it; 0 for the timeline
    QDateTime createdAt;
};

struct Recording
{
    QString id; // rec_
    QString meetingId;
    QString workspaceId;
    RecordingState state = RecordingState::Recording;
    QString startedBy; // the user who started it; empty when automatic or a guest co-host
    QDateTime startedAt;
    QDateTime stoppedAt;
    QDateTime completedAt;
    qint64 durationMs = 0; // of the published media, once completed
    int progress = 0; // 0-100 while processing
    QString errorCode; // failed: capture_unavailable, capture_failed, processing_failed, ...
    QString errorMessage;
    QString captureDir; // relative to the recordings directory: where the capture wrote
    QString node;
    qint64 version = 1;
    QDateTime updatedAt;
    QList<RecordingFile> files; // filled by reads that ask for them
};

// What the timeline of a recording notes (DESIGN.md: who joined, left, was muted or removed).
struct TimelineEntry
{
    QDateTime at;
    QString kind; // present, joined, left, removed, muted, unmuted
    QString participantId;
    QString displayName;
    QJsonObject detail; // e.g. {"reason": "timeout"} for left, {"by": "host"} for muted
};

} // namespace quorum
