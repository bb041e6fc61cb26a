#include "EventRepository.h"

#include "Database.h"
#include "DeliveryRepository.h"
#include "SqlValues.h"
#include "core/Ids.h"
#include "core/TimeRules.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Result<StoredEvent> EventRepository::append(const QString &workspaceId, const QString &meetingId,
                                            const QString &type, const QDateTime &occurredAt,
                                            QJsonObject data)
{
    // The caller holds the write transaction, so no other writer can take the same number.
    CachedStatement next(m_db,
                         QStringLiteral("SELECT COALESCE(MAX(sequence), 0) + 1 FROM events "
                                        "WHERE meeting_id = ?"));
    next->bindValue(0, meetingId);
    if (!next->exec() || !next->next())
        return sqlError(*next, "numbering an event");
    const qint64 sequence = next->value(0).toLongLong();
    next->finish();

    StoredEvent event;
    event.id = ids::generate(u"evt");
    event.workspaceId = workspaceId;
    event.meetingId = meetingId;
    event.sequence = sequence;
    event.type = type;
    event.occurredAt = occurredAt.toUTC();
    data.insert(QStringLiteral("meeting_id"), meetingId);
    data.insert(QStringLiteral("occurred_at"), timerules::formatUtc(event.occurredAt));
    data.insert(QStringLiteral("sequence"), sequence);
    event.data = data;

    CachedStatement insert(m_db,
                           QStringLiteral("INSERT INTO events (id, workspace_id, meeting_id, "
                                          "sequence, type, occurred_at, data) "
                                          "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert->bindValue(0, event.id);
    insert->bindValue(1, workspaceId);
    insert->bindValue(2, meetingId);
    insert->bindValue(3, sequence);
    insert->bindValue(4, type);
    insert->bindValue(5, event.occurredAt.toMSecsSinceEpoch());
    insert->bindValue(6, QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)));
    if (!insert->exec())
        return sqlError(*insert, "appending an event");

    // The transactional outbox: the deliveries commit or roll back with the event.
    const auto queued = DeliveryRepository(m_db).queueEvent(workspaceId, meetingId, event.id, type,
                                                            event.occurredAt, data);
    if (!queued)
        return queued.error();
    return event;
}

Result<QList<StoredEvent>> EventRepository::forMeeting(const QString &meetingId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT id, workspace_id, meeting_id, sequence, type, "
                                 "occurred_at, data FROM events WHERE meeting_id = ? "
                                 "ORDER BY sequence"));
    query.addBindValue(meetingId);
    if (!query.exec())
        return sqlError(query, "reading events");
    QList<StoredEvent> events;
    while (query.next()) {
        StoredEvent event;
        event.id = query.value(0).toString();
        event.workspaceId = query.value(1).toString();
        event.meetingId = query.value(2).toString();
        event.sequence = query.value(3).toLongLong();
        event.type = query.value(4).toString();
        event.occurredAt = toTime(query.value(5));
        event.data = QJsonDocument::fromJson(query.value(6).toString().toUtf8()).object();
        events << event;
    }
    return events;
}

} // namespace quorum
