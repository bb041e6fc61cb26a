#include "TestCaptureMediaPlane.h"

namespace quorum::testing {

Status TestCaptureMediaPlane::prepareRoom(const QString &meetingId)
{
    return m_rooms.prepareRoom(meetingId);
}

void TestCaptureMediaPlane::closeRoom(const QString &meetingId)
{
    m_rooms.closeRoom(meetingId);
}

Status TestCaptureMediaPlane::admit(const QString &meetingId, const QString &participantId)
{
    return m_rooms.admit(meetingId, participantId);
}

void TestCaptureMediaPlane::remove(const QString &meetingId, const QString &participantId)
{
    m_rooms.remove(meetingId, participantId);
}

void TestCaptureMediaPlane::setAudioMuted(const QString &meetingId, const QString &participantId,
                                          bool muted)
{
    m_rooms.setAudioMuted(meetingId, participantId, muted);
}

Status TestCaptureMediaPlane::signal(const QString &meetingId, const QString &participantId,
                                     const QString &type, const QJsonObject &payload)
{
    return m_rooms.signal(meetingId, participantId, type, payload);
}

Status TestCaptureMediaPlane::startCapture(const QString &, const QString &, const QString &)
{
    return success();
}

Status TestCaptureMediaPlane::stopCapture(const QString &meetingId, const QString &recordingId)
{
    media::MediaEvent event;
    event.kind = media::MediaEvent::Kind::CaptureFailed;
    event.meetingId = meetingId;
    event.recordingId = recordingId;
    event.payload = {{QStringLiteral("error_code"), QStringLiteral("capture_failed")},
                     {QStringLiteral("message"), QStringLiteral("not built yet")}};
    report(event);
    return success();
}

} // namespace quorum::testing
