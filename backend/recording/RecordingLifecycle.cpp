#include "RecordingLifecycle.h"

#include "core/Ids.h"
#include "core/TimeRules.h"
#include "store/EventRepository.h"
#include "store/RecordingRepository.h"

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

Recording newRecording(const QString &workspaceId, const QString &meetingId,
                       const QString &startedBy, const QString &node, const QDateTime &at)
{
    Recording recording;
    recording.id = ids::generate(u"rec");
    recording.meetingId = meetingId;
    recording.workspaceId = workspaceId;
    recording.startedBy = startedBy;
    recording.startedAt = at;
    recording.captureDir = meetingId + u'/' + recording.id;
    recording.node = node;
    recording.updatedAt = at;
    return recording;
}

} // namespace

Status RecordingLifecycle::appendEvent(const Recording &recording, const QString &type,
                                       const QDateTime &at, QJsonObject data)
{
    data.insert(u"recording_id"_s, recording.id);
    auto event = EventRepository(m_db).append(recording.workspaceId, recording.meetingId, type, at,
                                              std::move(data));
    if (!event)
        return event.error();
    return success();
}

Result<Recording> RecordingLifecycle::begin(const QString &workspaceId, const QString &meetingId,
                                            const QString &startedBy, const QString &node,
                                            const QDateTime &at)
{
    Recording recording = newRecording(workspaceId, meetingId, startedBy, node, at);
    if (const Status stored = RecordingRepository(m_db).insert(recording); !stored)
        return stored.error();
    if (const Status event = appendEvent(recording, u"recording.started"_s, at,
                                         {{u"started_at"_s, timerules::formatUtc(at)}});
        !event)
        return event.error();
    return recording;
}

Result<Recording> RecordingLifecycle::refuse(const QString &workspaceId, const QString &meetingId,
                                             const QString &startedBy, const QString &node,
                                             const QDateTime &at, const QString &errorCode,
                                             const QString &message)
{
    Recording recording = newRecording(workspaceId, meetingId, startedBy, node, at);
    recording.state = RecordingState::Failed;
    recording.stoppedAt = at;
    recording.completedAt = at;
    recording.errorCode = errorCode;
    recording.errorMessage = message;
    if (const Status stored = RecordingRepository(m_db).insert(recording); !stored)
        return stored.error();
    if (const Status event = appendEvent(recording, u"recording.failed"_s, at,
                                         {{u"error_code"_s, errorCode}, {u"message"_s, message}});
        !event)
        return event.error();
    return recording;
}

Status RecordingLifecycle::stop(const Recording &recording, const QDateTime &at,
                                const QString &reason)
{
    if (const Status stopped = RecordingRepository(m_db).markStopped(recording.id, at); !stopped)
        return stopped;
    return appendEvent(recording, u"recording.stopped"_s, at,
                       {{u"stopped_at"_s, timerules::formatUtc(at)}, {u"reason"_s, reason}});
}

Status RecordingLifecycle::fail(const Recording &recording, const QString &errorCode,
                                const QString &message, const QDateTime &at)
{
    if (const Status failed
        = RecordingRepository(m_db).markFailed(recording.id, errorCode, message, at);
        !failed)
        return failed;
    return appendEvent(recording, u"recording.failed"_s, at,
                       {{u"error_code"_s, errorCode}, {u"message"_s, message}});
}

Status RecordingLifecycle::captured(const Recording &recording, const QJsonObject &capture,
                                    const QDateTime &at)
{
    if (recording.state == RecordingState::Recording) {
        if (const Status stopped = stop(recording, at, u"stopped"_s); !stopped)
            return stopped;
    } else if (recording.state != RecordingState::Processing) {
        return Error{ErrorCode::Conflict, QStringLiteral("The recording has already finished.")};
    }
    return RecordingRepository(m_db).enqueueJob(recording.id, capture, at.toMSecsSinceEpoch());
}

} // namespace quorum
