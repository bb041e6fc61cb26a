#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>

#include <optional>

namespace quorum {

// "host", "co_host", "attendee": the join token's `role` claim and the roster's.
enum class ParticipantRole { Host, CoHost, Attendee };
// "waiting" (in the waiting room or waiting for the host), "present" (admitted), "left".
enum class ParticipantState { Waiting, Present, Left };
// The `reason` of participant.left.
enum class LeaveReason { Left, Removed, Timeout, MeetingEnded, NodeLost };

QString participantRoleName(ParticipantRole role);
std::optional<ParticipantRole> participantRoleFromName(QStringView name);
QString participantStateName(ParticipantState state);
std::optional<ParticipantState> participantStateFromName(QStringView name);
QString leaveReasonName(LeaveReason reason);

// Whether the role may take host actions (mute others, remove, admit, end).
inline bool mayActAsHost(ParticipantRole role)
{
    return role == ParticipantRole::Host || role == ParticipantRole::CoHost;
}

// One person's presence in one meeting: a fresh join is a new participant.
struct Participant
{
    QString id; // par_
    QString meetingId;
    QString workspaceId;
    QString userId; // set for a signed-in user
    QString guestId; // set for a guest (gst_)
    QString displayName;
    ParticipantRole role = ParticipantRole::Attendee;
    ParticipantState state = ParticipantState::Waiting;
    bool audioMuted = false;
    bool videoMuted = false;
    // Whether the client confirmed the server-side mute it was asked to apply; true when no
    // mute is pending (the participant's own state needs no confirmation).
    bool muteAcknowledged = true;
    QDateTime joinedAt; // when the join frame was accepted (waiting or not)
    QDateTime admittedAt; // when the participant entered the room; null while waiting
    QDateTime leftAt;
    std::optional<LeaveReason> leaveReason;
    QString jti; // the join token redeemed
    QString clientAddress;
    QString node; // the node whose gateway holds the socket

    // The identity that bans and co-host rights are keyed on.
    QString subject() const { return userId.isEmpty() ? guestId : userId; }

    bool operator==(const Participant &) const = default;
};

} // namespace quorum
