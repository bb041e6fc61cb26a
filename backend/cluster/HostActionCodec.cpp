#include "HostActionCodec.h"

using namespace Qt::StringLiterals;

namespace quorum::hostactioncodec {

QJsonObject encodeAction(const HostAction &action)
{
    return {{u"kind"_s, int(action.kind)},
            {u"meeting_id"_s, action.meetingId},
            {u"participant_id"_s, action.participantId},
            {u"muted"_s, action.muted},
            {u"role"_s, participantRoleName(action.role)},
            {u"actor_user_id"_s, action.actorUserId},
            {u"wait_for_ack"_s, action.waitForAck}};
}

std::optional<HostAction> decodeAction(const QJsonObject &json)
{
    const int kind = json.value(u"kind"_s).toInt(-1);
    const auto role = participantRoleFromName(json.value(u"role"_s).toString());
    if (kind < int(HostAction::Kind::Mute) || kind > int(HostAction::Kind::StopRecording) || !role)
        return std::nullopt;
    HostAction action;
    action.kind = HostAction::Kind(kind);
    action.meetingId = json.value(u"meeting_id"_s).toString();
    action.participantId = json.value(u"participant_id"_s).toString();
    action.muted = json.value(u"muted"_s).toBool(true);
    action.role = *role;
    action.actorUserId = json.value(u"actor_user_id"_s).toString();
    action.waitForAck = json.value(u"wait_for_ack"_s).toBool();
    return action;
}

QJsonObject encodeOutcome(const Result<HostActionOutcome> &outcome)
{
    if (!outcome) {
        QJsonObject fields;
        for (const FieldError &field : outcome.error().fields)
            fields.insert(field.field, field.message);
        return {{u"error_code"_s, int(outcome.error().code)},
                {u"detail"_s, outcome.error().detail},
                {u"fields"_s, fields}};
    }
    QJsonObject json{{u"acknowledged"_s, outcome->acknowledged},
                     {u"affected"_s, outcome->affected}};
    if (outcome->participant)
        json.insert(u"participant_id"_s, outcome->participant->id);
    if (outcome->meeting)
        json.insert(u"meeting_id"_s, outcome->meeting->id);
    if (outcome->recording)
        json.insert(u"recording_id"_s, outcome->recording->id);
    return json;
}

RelayedOutcome decodeOutcome(const QJsonObject &json)
{
    RelayedOutcome outcome;
    if (json.contains(u"error_code"_s)) {
        Error error{ErrorCode(json.value(u"error_code"_s).toInt(int(ErrorCode::Internal))),
                    json.value(u"detail"_s).toString()};
        const QJsonObject fields = json.value(u"fields"_s).toObject();
        for (auto field = fields.begin(); field != fields.end(); ++field)
            error.fields.append({field.key(), field.value().toString()});
        outcome.error = error;
        return outcome;
    }
    outcome.acknowledged = json.value(u"acknowledged"_s).toBool();
    outcome.affected = json.value(u"affected"_s).toInt();
    outcome.participantId = json.value(u"participant_id"_s).toString();
    outcome.meetingId = json.value(u"meeting_id"_s).toString();
    outcome.recordingId = json.value(u"recording_id"_s).toString();
    return outcome;
}

} // namespace quorum::hostactioncodec
