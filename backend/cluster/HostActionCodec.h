#pragma once

#include "core/Result.h"
#include "signalling/SignalHub.h"

#include <QJsonObject>

#include <optional>

namespace quorum::hostactioncodec {

// A host action as it crosses the bus to the node hosting the meeting, and its outcome on the
// way back. An outcome names the participant, meeting or recording it changed; the asking node
// reads them back from the database, which the hosting node has committed to by then.
QJsonObject encodeAction(const HostAction &action);
std::optional<HostAction> decodeAction(const QJsonObject &json);

QJsonObject encodeOutcome(const Result<HostActionOutcome> &outcome);
// The outcome's shape without the objects it names: ids to read back, flags and counts.
struct RelayedOutcome
{
    std::optional<Error> error;
    bool acknowledged = false;
    int affected = 0;
    QString participantId;
    QString meetingId;
    QString recordingId;
};
RelayedOutcome decodeOutcome(const QJsonObject &json);

} // namespace quorum::hostactioncodec
