#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSqlDatabase>

namespace quorum {

// One change a webhook can report (DESIGN.md *Events*), as written in the transaction of the
// change itself: the outbox that webhook delivery reads.
struct StoredEvent
{
    QString id; // evt_
    QString workspaceId;
    QString meetingId;
    qint64 sequence = 0; // increasing per meeting
    QString type; // "participant.joined"
    QDateTime occurredAt;
    QJsonObject data; // the per-event fields plus meeting_id, occurred_at and sequence
};

class EventRepository final
{
public:
    explicit EventRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    // Appends an event with the meeting's next sequence number and the common fields added to
    // `data`, and queues its webhook deliveries (DeliveryRepository::queueEvent). Call inside
    // the write transaction of the change it reports.
    Result<StoredEvent> append(const QString &workspaceId, const QString &meetingId,
                               const QString &type, const QDateTime &occurredAt, QJsonObject data);
    // A meeting's events in sequence order (tests and diagnostics; webhooks read their own way).
    Result<QList<StoredEvent>> forMeeting(const QString &meetingId);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
