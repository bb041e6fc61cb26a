#pragma once

#include "core/Participant.h"

#include <QJsonObject>

namespace quorum {

// A participant as the REST API, the roster and the participant_* frames show it:
// id, user_id or guest_id, display_name, role, state, audio_muted, video_muted,
// mute_acknowledged, joined_at, admitted_at, and (once gone) left_at and leave_reason.
QJsonObject participantJson(const Participant &participant);

} // namespace quorum
