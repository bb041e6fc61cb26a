#include "Participant.h"

namespace quorum {

QString participantRoleName(ParticipantRole role)
{
    switch (role) {
    case ParticipantRole::Host:
        return QStringLiteral("host");
    case ParticipantRole::CoHost:
        return QStringLiteral("co_host");
    case ParticipantRole::Attendee:
        return QStringLiteral("attendee");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<ParticipantRole> participantRoleFromName(QStringView name)
{
    for (ParticipantRole role :
         {ParticipantRole::Host, ParticipantRole::CoHost, ParticipantRole::Attendee}) {
        if (name == participantRoleName(role))
            return role;
    }
    return std::nullopt;
}

QString participantStateName(ParticipantState state)
{
    switch (state) {
    case ParticipantState::Waiting:
        return QStringLiteral("waiting");
    case ParticipantState::Present:
        return QStringLiteral("present");
    case ParticipantState::Left:
        return QStringLiteral("left");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<ParticipantState> participantStateFromName(QStringView name)
{
    for (ParticipantState state :
         {ParticipantState::Waiting, ParticipantState::Present, ParticipantState::Left}) {
        if (name == participantStateName(state))
            return state;
    }
    return std::nullopt;
}

QString leaveReasonName(LeaveReason reason)
{
    switch (reason) {
    case LeaveReason::Left:
        return QStringLiteral("left");
    case LeaveReason::Removed:
        return QStringLiteral("removed");
    case LeaveReason::Timeout:
        return QStringLiteral("timeout");
    case LeaveReason::MeetingEnded:
        return QStringLiteral("meeting_ended");
    case LeaveReason::NodeLost:
        return QStringLiteral("node_lost");
    }
    Q_UNREACHABLE();
    return {};
}

} // namespace quorum
