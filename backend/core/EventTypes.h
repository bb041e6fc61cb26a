#pragma once

#include <QString>
#include <QStringList>

// The event types a webhook can subscribe to (DESIGN.md *Events*) and the scope a client needs
// to receive each (DESIGN.md *Permissions*). `webhook.test`, the ping of :test, is sent to one
// subscription on request and is not subscribable.
namespace quorum::eventtypes {

inline const QString WebhookTest = QStringLiteral("webhook.test");

inline QStringList subscribable()
{
    return {QStringLiteral("meeting.started"),     QStringLiteral("meeting.ended"),
            QStringLiteral("participant.joined"),  QStringLiteral("participant.left"),
            QStringLiteral("recording.started"),   QStringLiteral("recording.stopped"),
            QStringLiteral("recording.completed"), QStringLiteral("recording.failed")};
}

inline bool isSubscribable(const QString &type)
{
    return subscribable().contains(type);
}

// meeting.* and participant.* need meeting.read, recording.* recording.read; empty for a type
// no subscription receives.
inline QString requiredScope(const QString &type)
{
    if (type.startsWith(u"meeting.") || type.startsWith(u"participant."))
        return QStringLiteral("meeting.read");
    if (type.startsWith(u"recording."))
        return QStringLiteral("recording.read");
    return {};
}

} // namespace quorum::eventtypes
