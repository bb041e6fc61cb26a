#include "BuiltinMediaPlane.h"

namespace quorum::media {

namespace {

Error noCapture()
{
    return {ErrorCode::Conflict,
            QStringLiteral("Cloud recording needs a media plane that can capture; this server "
                           "runs the builtin one (start it with --media janus).")};
}

} // namespace

Status BuiltinMediaPlane::prepareRoom(const QString &meetingId)
{
    m_rooms.insert(meetingId, m_rooms.value(meetingId));
    return success();
}

void BuiltinMediaPlane::closeRoom(const QString &meetingId)
{
    m_rooms.remove(meetingId);
}

Status BuiltinMediaPlane::admit(const QString &meetingId, const QString &participantId)
{
    m_rooms[meetingId].insert(participantId);

    // Media flows between browsers directly: as far as this plane knows, the participant is
    // connected as soon as it is in.
    MediaEvent event;
    event.kind = MediaEvent::Kind::Connected;
    event.meetingId = meetingId;
    event.participantId = participantId;
    report(event);
    return success();
}

void BuiltinMediaPlane::remove(const QString &meetingId, const QString &participantId)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end() || !room->remove(participantId))
        return;

    MediaEvent event;
    event.kind = MediaEvent::Kind::Disconnected;
    event.meetingId = meetingId;
    event.participantId = participantId;
    report(event);
}

void BuiltinMediaPlane::setAudioMuted(const QString &, const QString &, bool)
{
    // Nothing to enforce on the server: the client applies the mute it acknowledged.
}

Status BuiltinMediaPlane::signal(const QString &, const QString &, const QString &,
                                 const QJsonObject &)
{
    return Error{ErrorCode::InvalidRequest,
                 QStringLiteral("This server has no SFU: address offers, answers and candidates "
                                "to a participant id.")};
}

Status BuiltinMediaPlane::startCapture(const QString &, const QString &, const QString &)
{
    return noCapture();
}

Status BuiltinMediaPlane::stopCapture(const QString &, const QString &)
{
    return noCapture();
}

} // namespace quorum::media
