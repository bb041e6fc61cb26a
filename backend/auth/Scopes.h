#pragma once

#include <QSet>
#include <QString>
#include <QStringList>

namespace quorum::scopes {

inline const QString MeetingRead = QStringLiteral("meeting.read");
inline const QString MeetingWrite = QStringLiteral("meeting.write");
inline const QString MeetingJoin = QStringLiteral("meeting.join");
inline const QString RecordingRead = QStringLiteral("recording.read");
inline const QString RecordingWrite = QStringLiteral("recording.write");
inline const QString WebhookRead = QStringLiteral("webhook.read");
inline const QString WebhookWrite = QStringLiteral("webhook.write");

inline QStringList all()
{
    return {MeetingRead,    MeetingWrite, MeetingJoin, RecordingRead,
            RecordingWrite, WebhookRead,  WebhookWrite};
}

inline bool isKnown(const QString &scope)
{
    return all().contains(scope);
}

} // namespace quorum::scopes
