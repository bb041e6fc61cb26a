#include "DeliveryRepository.h"

#include "Database.h"
#include "OutboxSignal.h"
#include "PageQuery.h"
#include "SqlValues.h"
#include "core/EventTypes.h"
#include "core/Ids.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, webhook_id, workspace_id, event_id, event_type, body, state, attempts, retry_step, "
    "next_attempt_at, claimed_until, created_at, first_attempt_at, last_attempt_at, "
    "last_status, last_error, completed_at");

Delivery readDelivery(const QSqlQuery &query)
{
    Delivery d;
    d.id = query.value(0).toString();
    d.webhookId = query.value(1).toString();
    d.workspaceId = query.value(2).toString();
    d.eventId = query.value(3).toString();
    d.eventType = query.value(4).toString();
    d.body = query.value(5).toString().toUtf8();
    d.state = query.value(6).toString();
    d.attempts = query.value(7).toInt();
    d.retryStep = query.value(8).toInt();
    d.nextAttemptAt = toTime(query.value(9));
    d.claimedUntil = toTime(query.value(10));
    d.createdAt = toTime(query.value(11));
    d.firstAttemptAt = toTime(query.value(12));
    d.lastAttemptAt = toTime(query.value(13));
    if (!query.value(14).isNull())
        d.lastStatus = query.value(14).toInt();
    d.lastError = query.value(15).toString();
    d.completedAt = toTime(query.value(16));
    return d;
}

// A JSON string literal, compact and in UTF-8, as QJsonDocument writes strings.
QByteArray jsonString(const QString &text)
{
    const QByteArray array = QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact);
    return array.mid(1, array.size() - 2);
}

} // namespace

QByteArray DeliveryRepository::eventBody(const QString &type, const QString &eventId,
                                         const QDateTime &occurredAt, const QJsonObject &data)
{
    // Written member by member: QJsonDocument would sort the keys, and receivers read the
    // documented order more easily. The bytes are made once and stored, never re-serialised.
    return "{\"event\":" + jsonString(type) + ",\"event_id\":" + jsonString(eventId)
        + ",\"ts\":" + jsonString(occurredAt.toUTC().toString(Qt::ISODateWithMs))
        + ",\"data\":" + QJsonDocument(data).toJson(QJsonDocument::Compact) + '}';
}

Result<QStringList> DeliveryRepository::receiversOf(const QString &workspaceId,
                                                    const QString &meetingId, const QString &type)
{
    const QString requiredScope = eventtypes::requiredScope(type);
    if (requiredScope.isEmpty())
        return QStringList();

    // Runs for every event, in the event's transaction: the workspace index narrows it to a
    // few rows, and the owner's right to read the meeting is settled in the same statement.
    CachedStatement query(
        m_db,
        QStringLiteral(
            "SELECT w.id FROM webhooks w LEFT JOIN users u ON u.id = w.owner_user_id "
            "WHERE w.workspace_id = ? AND w.enabled = 1 AND w.events LIKE ? "
            "AND (' ' || w.scopes || ' ') LIKE ? "
            "AND (w.owner_user_id IS NULL OR (u.disabled = 0 AND u.workspace_id = w.workspace_id "
            "AND (u.role IN ('admin', 'owner') "
            "OR u.id = (SELECT host_id FROM meetings WHERE id = ?) "
            "OR EXISTS (SELECT 1 FROM meeting_cohosts c WHERE c.meeting_id = ? "
            "AND c.user_id = u.id)))) "
            "ORDER BY w.created_at, w.id"));
    query->bindValue(0, workspaceId);
    query->bindValue(1, QStringLiteral("%\"%1\"%").arg(type));
    query->bindValue(2, QStringLiteral("% %1 %").arg(requiredScope));
    query->bindValue(3, meetingId);
    query->bindValue(4, meetingId);
    if (!query->exec())
        return sqlError(*query, "finding a webhook's receivers");
    QStringList ids;
    while (query->next())
        ids << query->value(0).toString();
    return ids;
}

Result<int> DeliveryRepository::queueEvent(const QString &workspaceId, const QString &meetingId,
                                           const QString &eventId, const QString &type,
                                           const QDateTime &occurredAt, const QJsonObject &data)
{
    const auto receivers = receiversOf(workspaceId, meetingId, type);
    if (!receivers)
        return receivers.error();
    if (receivers->isEmpty())
        return 0;

    Delivery delivery;
    delivery.workspaceId = workspaceId;
    delivery.eventId = eventId;
    delivery.eventType = type;
    delivery.body = eventBody(type, eventId, occurredAt, data);
    delivery.createdAt = occurredAt;
    delivery.nextAttemptAt = occurredAt;
    for (const QString &webhookId : *receivers) {
        delivery.id = ids::generate(u"dlv");
        delivery.webhookId = webhookId;
        if (const Status queued = insertPending(delivery); !queued)
            return queued.error();
    }
    return int(receivers->size());
}

Status DeliveryRepository::insertPending(const Delivery &delivery)
{
    static const QString sql
        = QStringLiteral("INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event_id, "
                         "event_type, body, state, attempts, retry_step, next_attempt_at, "
                         "created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, 0, ?, ?)");
    CachedStatement query(m_db, sql);
    query->bindValue(0, delivery.id);
    query->bindValue(1, delivery.webhookId);
    query->bindValue(2, delivery.workspaceId);
    query->bindValue(3, delivery.eventId);
    query->bindValue(4, delivery.eventType);
    query->bindValue(5, QString::fromUtf8(delivery.body));
    query->bindValue(6, fromTime(delivery.nextAttemptAt));
    query->bindValue(7, fromTime(delivery.createdAt));
    if (!query->exec())
        return sqlError(*query, "queueing a delivery");
    outbox::markQueued();
    return success();
}

std::optional<Delivery> DeliveryRepository::byId(const QString &id)
{
    static const QString sql
        = QStringLiteral("SELECT %1 FROM webhook_deliveries WHERE id = ?").arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, id);
    if (!query->exec() || !query->next())
        return std::nullopt;
    return readDelivery(*query);
}

Result<Page<Delivery>> DeliveryRepository::listForWebhook(const QString &webhookId,
                                                          const PageRequest &page)
{
    const QString sql
        = QStringLiteral("SELECT %1 FROM webhook_deliveries WHERE webhook_id = ?").arg(kColumns);
    return fetchPage<Delivery>(
        m_db, sql, {webhookId}, QStringLiteral("created_at"), true, page, readDelivery,
        [](const Delivery &delivery) { return delivery.createdAt.toMSecsSinceEpoch(); },
        "listing deliveries");
}

Result<QHash<QString, QList<DeliveryAttemptRecord>>>
DeliveryRepository::attemptsOf(const QStringList &deliveryIds)
{
    QHash<QString, QList<DeliveryAttemptRecord>> attempts;
    if (deliveryIds.isEmpty())
        return attempts;

    QStringList marks;
    for (qsizetype i = 0; i < deliveryIds.size(); ++i)
        marks << QStringLiteral("?");
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT delivery_id, number, attempted_at, status_code, error, "
                                 "latency_ms FROM webhook_attempts WHERE delivery_id IN (%1) "
                                 "ORDER BY delivery_id, number")
                      .arg(marks.join(u", ")));
    for (const QString &id : deliveryIds)
        query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "reading delivery attempts");
    while (query.next()) {
        DeliveryAttemptRecord attempt;
        attempt.number = query.value(1).toInt();
        attempt.attemptedAt = toTime(query.value(2));
        if (!query.value(3).isNull())
            attempt.statusCode = query.value(3).toInt();
        attempt.error = query.value(4).toString();
        if (!query.value(5).isNull())
            attempt.latencyMs = query.value(5).toInt();
        attempts[query.value(0).toString()] << attempt;
    }
    return attempts;
}

Status DeliveryRepository::requeue(const QString &id, const QDateTime &now)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE webhook_deliveries SET state = 'pending', retry_step = 0, "
                                 "next_attempt_at = ?, claimed_until = NULL, completed_at = NULL "
                                 "WHERE id = ? AND state <> 'pending'"));
    query.addBindValue(now.toMSecsSinceEpoch());
    query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "requeueing a delivery");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::Conflict,
                     QStringLiteral("The delivery is still pending; it will be attempted as "
                                    "scheduled.")};
    outbox::markQueued();
    return success();
}

Result<int> DeliveryRepository::cancelPending(const QString &webhookId, const QDateTime &now)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE webhook_deliveries SET state = 'cancelled', "
                                 "next_attempt_at = NULL, completed_at = ? "
                                 "WHERE webhook_id = ? AND state = 'pending'"));
    query.addBindValue(now.toMSecsSinceEpoch());
    query.addBindValue(webhookId);
    if (!query.exec())
        return sqlError(query, "cancelling deliveries");
    return query.numRowsAffected();
}

} // namespace quorum
