#pragma once

#include "core/Recording.h"
#include "core/Result.h"

#include <QJsonObject>
#include <QSqlDatabase>

namespace quorum {

// The state changes of a recording together with the events that report them (DESIGN.md
// *Events*: recording.started, recording.stopped, recording.failed), each written in the
// caller's transaction so the change and its webhook deliveries commit as one. Shared by the
// signalling hub (start, stop, the meeting's end, capture reports) and the processor.
class RecordingLifecycle final
{
public:
    explicit RecordingLifecycle(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    // A new recording capturing from `at`, in `<meeting>/<recording>` under the recordings
    // directory, with its recording.started.
    Result<Recording> begin(const QString &workspaceId, const QString &meetingId,
                            const QString &startedBy, const QString &node, const QDateTime &at);
    // A recording that failed before it captured anything (the media plane cannot record, the
    // disk is full): stored as failed, with its recording.failed.
    Result<Recording> refuse(const QString &workspaceId, const QString &meetingId,
                             const QString &startedBy, const QString &node, const QDateTime &at,
                             const QString &errorCode, const QString &message);
    // recording -> processing, with its recording.stopped; `reason` as the socket frame says
    // it: stopped (a host, or the media plane on its own) or meeting_ended.
    Status stop(const Recording &recording, const QDateTime &at, const QString &reason);
    // recording or processing -> failed, with its recording.failed.
    Status fail(const Recording &recording, const QString &errorCode, const QString &message,
                const QDateTime &at);
    // The media plane handed over the capture: stopped first if it was still capturing (the
    // plane ended it on its own), then queued for processing.
    Status captured(const Recording &recording, const QJsonObject &capture, const QDateTime &at);

private:
    Status appendEvent(const Recording &recording, const QString &type, const QDateTime &at,
                       QJsonObject data);

    QSqlDatabase m_db;
};

} // namespace quorum
