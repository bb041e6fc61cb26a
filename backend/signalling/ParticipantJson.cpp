#include "ParticipantJson.h"

#include "core/TimeRules.h"

namespace quorum {

QJsonObject participantJson(const Participant &p)
{
    QJsonObject object{
        {QStringLiteral("id"), p.id},
        {QStringLiteral("display_name"), p.displayName},
        {QStringLiteral("role"), participantRoleName(p.role)},
        {QStringLiteral("state"), participantStateName(p.state)},
        {QStringLiteral("audio_muted"), p.audioMuted},
        {QStringLiteral("video_muted"), p.videoMuted},
        {QStringLiteral("mute_acknowledged"), p.muteAcknowledged},
        {QStringLiteral("joined_at"), timerules::formatUtc(p.joinedAt)},
        {QStringLiteral("admitted_at"),
         p.admittedAt.isValid() ? QJsonValue(timerules::formatUtc(p.admittedAt)) : QJsonValue()},
    };
    if (!p.userId.isEmpty())
        object.insert(QStringLiteral("user_id"), p.userId);
    else
        object.insert(QStringLiteral("guest_id"), p.guestId);
    if (p.state == ParticipantState::Left) {
        object.insert(QStringLiteral("left_at"), timerules::formatUtc(p.leftAt));
        object.insert(QStringLiteral("leave_reason"),
                      p.leaveReason ? QJsonValue(leaveReasonName(*p.leaveReason)) : QJsonValue());
    }
    return object;
}

} // namespace quorum
