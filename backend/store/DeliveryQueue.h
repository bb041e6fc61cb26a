#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>

#include <optional>

namespace quorum {

class Database;

// A pending webhook delivery claimed for one attempt, with what the attempt needs of its
// subscription.
struct ClaimedDelivery
{
    QString id;
    QString webhookId;
    QString workspaceId;
    QString eventId;
    QString eventType;
    QByteArray body; // the exact bytes of every attempt
    int attempts = 0; // made before this one
    qint64 createdAt = 0;
    QString url;
    QByteArray secretSealed; // SecretBox output (decoded from the column's base64)
    QByteArray previousSecretSealed; // empty when there is none
    qint64 previousSecretUntil = 0;
};

// How one attempt went. An empty error with a 2xx status is a success.
struct AttemptOutcome
{
    qint64 startedAt = 0;
    qint64 finishedAt = 0;
    int statusCode = 0; // 0: no HTTP answer
    QString error; // "timeout", "connection_refused", "http_status", "forbidden_address: ..."

    bool succeeded() const { return error.isEmpty() && statusCode >= 200 && statusCode < 300; }
};

// What became of a delivery after an attempt was recorded, or when it was claimed.
enum class DeliveryVerdict { Succeeded, Retried, Failed, Cancelled };

struct ClaimBatch
{
    QList<ClaimedDelivery> deliveries;
    int cancelled = 0; // found with a deleted or disabled subscription and cancelled unsent
};

// The dispatcher's side of webhook_deliveries (DESIGN.md *Webhooks*): claiming due deliveries
// under a lease, and recording each attempt together with its consequences (the next retry,
// the subscription's health, disabling a subscription that has failed for too long). The
// caller passes every instant, so the time source stays the caller's Clock.
class DeliveryQueue final
{
public:
    struct Policy
    {
        QList<qint64> retryWaitsMs; // see webhooks/RetrySchedule
        qint64 disabledAfterMs = 7LL * 24 * 3600 * 1000;
        qint64 leaseMs = 5 * 60 * 1000; // longer than any attempt can take
    };

    DeliveryQueue(Database &database, Policy policy);

    // At start: a claim left by a stopped process holds no attempt any more, so its pending
    // deliveries are due again at once.
    Result<int> releaseClaims();

    // Claims up to `limit` due deliveries, oldest due first, leaving out any that would put more
    // than `perWebhook` of one subscription in flight (`inFlight` counts those already out).
    // A due delivery whose subscription is gone or disabled is cancelled instead.
    Result<ClaimBatch> claimDue(qint64 now, int limit, const QHash<QString, int> &inFlight,
                                int perWebhook);

    // When the next unclaimed delivery falls due (possibly already), or nothing if none is
    // pending; a delivery under a live claim counts from its claim's end.
    Result<std::optional<qint64>> nextDueAt();

    // In one transaction: the attempt row, the delivery's new state, the subscription's health;
    // a subscription failing for the disabled period is disabled, its pending deliveries are
    // cancelled and the audit log says so.
    Result<DeliveryVerdict> recordAttempt(const ClaimedDelivery &delivery,
                                          const AttemptOutcome &outcome);

    Result<qint64> pendingCount();

private:
    Database &m_database;
    Policy m_policy;
};

} // namespace quorum
