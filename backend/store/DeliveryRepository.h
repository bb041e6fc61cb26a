#pragma once

#include "Keyset.h"
#include "core/Result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QSqlDatabase>

#include <optional>

namespace quorum {

// One event on its way to one subscription (webhook_deliveries). `body` holds the exact
// bytes every attempt sends.
struct Delivery
{
    QString id; // dlv_
    QString webhookId;
    QString workspaceId;
    QString eventId; // evt_
    QString eventType;
    QByteArray body;
    QString state = QStringLiteral("pending"); // pending, succeeded, failed, cancelled
    int attempts = 0;
    int retryStep = 0;
    QDateTime nextAttemptAt;
    QDateTime claimedUntil;
    QDateTime createdAt;
    QDateTime firstAttemptAt;
    QDateTime lastAttemptAt;
    std::optional<int> lastStatus;
    QString lastError;
    QDateTime completedAt;
};

// One attempt of a delivery (webhook_attempts).
struct DeliveryAttemptRecord
{
    int number = 0; // 1-based
    QDateTime attemptedAt;
    std::optional<int> statusCode; // none without an HTTP answer
    QString error;
    std::optional<int> latencyMs;
};

// The webhook_deliveries table as the API and the outbox fan-out see it: queueing, listing,
// redelivering and cancelling. Every method that makes a delivery pending marks the open
// write transaction (outbox::markQueued), so the dispatcher wakes once it commits.
class DeliveryRepository final
{
public:
    explicit DeliveryRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    // The body of every attempt: {"event","event_id","ts","data"} in that order, compact
    // UTF-8, `ts` the event's time in RFC 3339 UTC with milliseconds.
    static QByteArray eventBody(const QString &type, const QString &eventId,
                                const QDateTime &occurredAt, const QJsonObject &data);

    // The outbox fan-out, inside the event's write transaction: queues one pending delivery,
    // due at once, for every subscription that receives the event (see receiversOf).
    // Returns how many were queued.
    Result<int> queueEvent(const QString &workspaceId, const QString &meetingId,
                           const QString &eventId, const QString &type, const QDateTime &occurredAt,
                           const QJsonObject &data);
    // The subscriptions of the workspace that receive an event of `type` about the meeting:
    // enabled, listing the type, holding its scope (core/EventTypes.h), and owned by a client
    // that may read the meeting (an app for the workspace, an active admin or owner, or an
    // active member who hosts or co-hosts it). One query on the workspace index.
    Result<QStringList> receiversOf(const QString &workspaceId, const QString &meetingId,
                                    const QString &type);
    // Inserts `delivery` as pending, due at `delivery.nextAttemptAt`.
    Status insertPending(const Delivery &delivery);
    std::optional<Delivery> byId(const QString &id);
    // A subscription's deliveries, newest first, by (created_at, id).
    Result<Page<Delivery>> listForWebhook(const QString &webhookId, const PageRequest &page);
    // The attempts of each delivery named, in attempt order.
    Result<QHash<QString, QList<DeliveryAttemptRecord>>> attemptsOf(const QStringList &deliveryIds);
    // Queues a finished delivery again from the start of the schedule; Conflict if it is
    // still pending.
    Status requeue(const QString &id, const QDateTime &now);
    // Cancels every pending delivery of a subscription; returns how many.
    Result<int> cancelPending(const QString &webhookId, const QDateTime &now);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
