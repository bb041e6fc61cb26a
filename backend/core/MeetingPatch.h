#pragma once

#include "Meeting.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace quorum {

// A partial change to a meeting, decoded from a JSON merge patch by the HTTP layer: a member
// that is set was present in the request. Values are not validated yet; meetingrules::checkPatch
// does that.
struct MeetingPatch
{
    std::optional<QString> topic;
    std::optional<QDateTime> startTime; // already resolved to UTC
    std::optional<QString> timeZone;
    std::optional<int> durationMinutes;
    std::optional<std::optional<QString>> passcode; // present; inner nullopt: cleared by null
    std::optional<bool> waitingRoom;
    std::optional<AutoRecording> autoRecording;
    std::optional<bool> muteUponEntry;
    std::optional<bool> allowJoinBeforeHost;

    bool isEmpty() const;
};

} // namespace quorum
