#include "RecordingJson.h"

#include "core/TimeRules.h"
#include "recording/PublishedFiles.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum::recordingjson {

namespace {

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(timerules::formatUtc(time)) : QJsonValue(QJsonValue::Null);
}

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

QJsonObject toJson(const Recording &r, const crypto::SignedUrl &signer, const QString &publicUrl,
                   const QDateTime &now, qint64 linkTtlSeconds)
{
    const bool completed = r.state == RecordingState::Completed;
    return {
        {u"id"_s, r.id},
        {u"meeting_id"_s, r.meetingId},
        {u"state"_s, recordingStateName(r.state)},
        {u"started_by"_s, textOrNull(r.startedBy)},
        {u"started_at"_s, timerules::formatUtc(r.startedAt)},
        {u"stopped_at"_s, timeOrNull(r.stoppedAt)},
        {u"completed_at"_s, timeOrNull(r.completedAt)},
        {u"duration_seconds"_s,
         completed ? QJsonValue(qRound64(double(r.durationMs) / 1000.0))
                   : QJsonValue(QJsonValue::Null)},
        {u"progress"_s, completed ? 100 : r.progress},
        {u"error_code"_s, textOrNull(r.errorCode)},
        {u"error_message"_s, textOrNull(r.errorMessage)},
        {u"files"_s,
         completed ? publishedfiles::toJson(r.files, signer, publicUrl, now, linkTtlSeconds)
                   : QJsonArray()},
        {u"version"_s, r.version},
    };
}

QByteArray etag(const Recording &recording)
{
    return "\"v" + QByteArray::number(recording.version) + '"';
}

} // namespace quorum::recordingjson
