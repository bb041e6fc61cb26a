#pragma once

#include "core/Meeting.h"
#include "core/MeetingPatch.h"
#include "core/Result.h"

#include <QJsonObject>

#include <algorithm>

namespace quorum {

struct MeetingView;

// The JSON shape of a meeting, in and out.
namespace meetingjson {

// A new meeting from a POST body: every field validated with the same validators that PATCH
// and joinToken use.
// `now` lets a past start_time be reported beside the other fields' errors.
Result<Meeting> parseNew(const QJsonObject &body, const QDateTime &now);
// A JSON merge patch (RFC 7396) against `current`: a start_time without offset is read in
// the patch's timezone, else the meeting's; null clears the passcode.
Result<MeetingPatch> parsePatch(const QJsonObject &body, const Meeting &current,
                                const QDateTime &now);

// What the `live` part shows while the meeting is LIVE (from SignalHub::summary).
struct LivePart
{
    int participantCount = 0;
    QString recordingId; // the recording capturing now, if any
};

QJsonObject toJson(const MeetingView &view, const QString &publicUrl, const LivePart &live = {});
QByteArray etag(const Meeting &meeting);

} // namespace meetingjson
} // namespace quorum
