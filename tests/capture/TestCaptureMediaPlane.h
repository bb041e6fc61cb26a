#pragma once

#include "media/BuiltinMediaPlane.h"

namespace quorum::testing {

// PLACEHOLDER until the capture double lands: builtin behaviour, but claims to capture.
class TestCaptureMediaPlane final : public media::MediaPlane
{
public:
    QString name() const override { return QStringLiteral("test-capture"); }
    bool negotiatesMedia() const override { return false; }
    bool canCapture() const override { return true; }

    Status prepareRoom(const QString &meetingId) override;
    void closeRoom(const QString &meetingId) override;
    Status admit(const QString &meetingId, const QString &participantId) override;
    void remove(const QString &meetingId, const QString &participantId) override;
    void setAudioMuted(const QString &meetingId, const QString &participantId, bool muted) override;
    Status signal(const QString &meetingId, const QString &participantId, const QString &type,
                  const QJsonObject &payload) override;
    Status startCapture(const QString &meetingId, const QString &recordingId,
                        const QString &directory) override;
    Status stopCapture(const QString &meetingId, const QString &recordingId) override;

private:
    media::BuiltinMediaPlane m_rooms;
};

} // namespace quorum::testing
