#pragma once

#include "MediaPlane.h"

#include <QHash>
#include <QSet>

namespace quorum::media {

// The media plane of a server without an SFU: the participants' browsers negotiate with each
// other (a mesh, fine for a few people) and the gateway relays their offers, answers and
// candidates. It keeps only the rooms' membership, and it cannot record.
class BuiltinMediaPlane final : public MediaPlane
{
public:
    QString name() const override { return QStringLiteral("builtin"); }
    bool negotiatesMedia() const override { return false; }
    bool canCapture() const override { return false; }

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
    QHash<QString, QSet<QString>> m_rooms;
};

} // namespace quorum::media
