#include "MeetingPatch.h"

namespace quorum {

bool MeetingPatch::isEmpty() const
{
    return !topic && !startTime && !timeZone && !durationMinutes && !passcode && !waitingRoom
        && !autoRecording && !muteUponEntry && !allowJoinBeforeHost;
}

} // namespace quorum
