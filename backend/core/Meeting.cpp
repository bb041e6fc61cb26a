#include "Meeting.h"

namespace quorum {

QString meetingStateName(MeetingState state)
{
    switch (state) {
    case MeetingState::Scheduled:
        return QStringLiteral("SCHEDULED");
    case MeetingState::Live:
        return QStringLiteral("LIVE");
    case MeetingState::Ended:
        return QStringLiteral("ENDED");
    case MeetingState::Cancelled:
        return QStringLiteral("CANCELLED");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<MeetingState> meetingStateFromName(QStringView name)
{
    for (MeetingState state : {MeetingState::Scheduled, MeetingState::Live, MeetingState::Ended,
                               MeetingState::Cancelled}) {
        if (name == meetingStateName(state))
            return state;
    }
    return std::nullopt;
}

QString autoRecordingName(AutoRecording mode)
{
    switch (mode) {
    case AutoRecording::None:
        return QStringLiteral("none");
    case AutoRecording::Local:
        return QStringLiteral("local");
    case AutoRecording::Cloud:
        return QStringLiteral("cloud");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<AutoRecording> autoRecordingFromName(QStringView name)
{
    for (AutoRecording mode : {AutoRecording::None, AutoRecording::Local, AutoRecording::Cloud}) {
        if (name == autoRecordingName(mode))
            return mode;
    }
    return std::nullopt;
}

} // namespace quorum
