#include "DeliveryQueue.h"

#include "SqlDialect.h"

#include "AuditRepository.h"
#include "Database.h"
#include "core/Ids.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>

Q_LOGGING_CATEGORY(lcDeliveryQueue, "quorum.webhooks.queue")
// auth/AuditLog sits above the store; the entry is written here, in the attempt's transaction,
// and logged under the same category as AuditLog's entries.
Q_LOGGING_CATEGORY(lcDeliveryAudit, "quorum.audit")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// Claims and cancellations per claiming round; the rest waits for the next round.
constexpr int kMaxCancelsPerRound = 500;
// Rows looked at per claiming round at least (see claimDue).
constexpr int kMinRowsPerRound = 256;

QVariant nullInt()
{
    return QVariant(QMetaType::fromType<qint64>());
}

Status exec(QSqlQuery &query, const char *what)
{
    if (!query.exec())
        return sqlError(query, what);
    return success();
}

ClaimedDelivery readCandidate(const QSqlQuery &query)
{
    ClaimedDelivery d;
    d.id = query.value(0).toString();
    d.webhookId = query.value(1).toString();
    d.workspaceId = query.value(2).toString();
    d.eventId = query.value(3).toString();
    d.eventType = query.value(4).toString();
    // TEXT comes back as a QString; toByteArray gives its UTF-8, byte for byte what was stored.
    d.body = query.value(5).toByteArray();
    d.attempts = query.value(6).toInt();
    d.createdAt = query.value(7).toLongLong();
    d.url = query.value(10).toString();
    d.secretSealed = QByteArray::fromBase64(query.value(11).toString().toLatin1());
    if (!query.value(12).isNull()) {
        d.previousSecretSealed = QByteArray::fromBase64(query.value(12).toString().toLatin1());
        d.previousSecretUntil = query.value(13).toLongLong();
    }
    return d;
}

// Disables a subscription that has failed without a success for the disabled period, in the
// caller's transaction.
Status disableFailing(QSqlDatabase db, const QString &webhookId, const QString &workspaceId,
                      qint64 failingSince, qint64 now)
{
    QSqlQuery disable(db);
    disable.prepare(u"UPDATE webhooks SET enabled = 0, disabled_reason = 'failing', "
                    "updated_at = ?, version = version + 1 WHERE id = ?"_s);
    disable.addBindValue(now);
    disable.addBindValue(webhookId);
    if (Status done = exec(disable, "disabling a failing webhook"); !done)
        return done;

    QSqlQuery cancel(db);
    cancel.prepare(u"UPDATE webhook_deliveries SET state = 'cancelled', next_attempt_at = NULL, "
                   "claimed_until = NULL, completed_at = ? WHERE webhook_id = ? AND "
                   "state = 'pending'"_s);
    cancel.addBindValue(now);
    cancel.addBindValue(webhookId);
    if (Status done = exec(cancel, "cancelling a disabled webhook's deliveries"); !done)
        return done;

    AuditEntry entry;
    entry.id = ids::generate(u"aud");
    entry.workspaceId = workspaceId;
    entry.occurredAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
    entry.action = u"webhook.disabled"_s;
    entry.targetId = webhookId;
    entry.detail = QJsonObject{
        {u"reason"_s, u"failing"_s},
        {u"failing_since"_s,
         QDateTime::fromMSecsSinceEpoch(failingSince, Qt::UTC).toString(Qt::ISODateWithMs)}};
    qCWarning(lcDeliveryQueue).noquote()
        << "webhook" << webhookId << "disabled: no successful delivery since" << failingSince;
    qCInfo(lcDeliveryAudit).noquote()
        << entry.action << u"workspace=%1 target=%2"_s.arg(workspaceId, webhookId);
    return AuditRepository(db).append(entry);
}

} // namespace

DeliveryQueue::DeliveryQueue(Database &database, Policy policy)
    : m_database(database)
    , m_policy(std::move(policy))
{ }

Result<int> DeliveryQueue::releaseClaims()
{
    Database::WriteTransaction transaction(m_database);
    QSqlQuery query(transaction.db());
    // A claim moved the delivery's due time to the claim's end; it is due from the claim's
    // start again.
    query.prepare(u"UPDATE webhook_deliveries SET next_attempt_at = claimed_until - ?, "
                  "claimed_until = NULL WHERE state = 'pending' AND claimed_until IS NOT NULL"_s);
    query.addBindValue(m_policy.leaseMs);
    if (Status done = exec(query, "releasing webhook delivery claims"); !done)
        return done.error();
    const int released = query.numRowsAffected();
    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    return released;
}

Result<ClaimBatch> DeliveryQueue::claimDue(qint64 now, int limit,
                                           const QHash<QString, int> &inFlight, int perWebhook)
{
    ClaimBatch batch;
    if (limit <= 0)
        return batch;

    Database::WriteTransaction transaction(m_database,
                                           Database::WriteTransaction::Locking::RowLocks);
    QSqlDatabase db = transaction.db();

    // Pick first, write after: updating rows under the open cursor of the index it walks
    // could make SQLite visit a row twice. A claim moves a delivery's due time to the claim's
    // end, so the index on (state, next_attempt_at) walks only what is due and unclaimed, and
    // a claim that runs out (its process died) is due again by itself. The walk is bounded:
    // rows of subscriptions already at their limit are skipped, and the rest wait a round.
    QList<QString> toCancel;
    QHash<QString, int> counts = inFlight;
    {
        QSqlQuery due(db);
        due.setForwardOnly(true);
        due.prepare(u"SELECT d.id, d.webhook_id, d.workspace_id, d.event_id, d.event_type, "
                    "d.body, d.attempts, d.created_at, w.id, w.enabled, w.url, w.secret_sealed, "
                    "w.previous_secret_sealed, w.previous_secret_until "
                    "FROM webhook_deliveries d LEFT JOIN webhooks w ON w.id = d.webhook_id "
                    "WHERE d.state = 'pending' AND d.next_attempt_at <= ? "
                    "ORDER BY d.next_attempt_at, d.id LIMIT ?"_s
                    + skipLockedRows(db, u"d"_s));
        due.addBindValue(now);
        due.addBindValue(std::max(4 * limit, kMinRowsPerRound));
        if (Status done = exec(due, "finding due webhook deliveries"); !done)
            return done.error();
        while (due.next() && batch.deliveries.size() < limit
               && toCancel.size() < kMaxCancelsPerRound) {
            const bool live = !due.value(8).isNull() && due.value(9).toInt() != 0;
            if (!live) {
                toCancel << due.value(0).toString();
                continue;
            }
            int &count = counts[due.value(1).toString()];
            if (count >= perWebhook)
                continue;
            ++count;
            batch.deliveries << readCandidate(due);
        }
    }

    QSqlQuery claim(db);
    claim.prepare(u"UPDATE webhook_deliveries SET claimed_until = ?, next_attempt_at = ? "
                  "WHERE id = ?"_s);
    for (const ClaimedDelivery &delivery : std::as_const(batch.deliveries)) {
        claim.bindValue(0, now + m_policy.leaseMs);
        claim.bindValue(1, now + m_policy.leaseMs);
        claim.bindValue(2, delivery.id);
        if (Status done = exec(claim, "claiming a webhook delivery"); !done)
            return done.error();
    }
    QSqlQuery cancel(db);
    cancel.prepare(u"UPDATE webhook_deliveries SET state = 'cancelled', next_attempt_at = NULL, "
                   "claimed_until = NULL, completed_at = ? WHERE id = ?"_s);
    for (const QString &id : std::as_const(toCancel)) {
        cancel.bindValue(0, now);
        cancel.bindValue(1, id);
        if (Status done = exec(cancel, "cancelling an orphaned webhook delivery"); !done)
            return done.error();
    }
    batch.cancelled = int(toCancel.size());

    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    return batch;
}

Result<std::optional<qint64>> DeliveryQueue::nextDueAt()
{
    // A claimed delivery's due time is its claim's end (see claimDue): one look at the index.
    QSqlQuery query(m_database.connection());
    query.prepare(u"SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'"_s);
    if (Status done = exec(query, "finding the next due webhook delivery"); !done)
        return done.error();
    std::optional<qint64> next;
    if (query.next() && !query.value(0).isNull())
        next = query.value(0).toLongLong();
    return next;
}

Result<DeliveryVerdict> DeliveryQueue::recordAttempt(const ClaimedDelivery &delivery,
                                                     const AttemptOutcome &outcome)
{
    Database::WriteTransaction transaction(m_database);
    QSqlDatabase db = transaction.db();
    const qint64 now = outcome.finishedAt;

    QSqlQuery current(db);
    current.prepare(u"SELECT state, attempts, retry_step FROM webhook_deliveries WHERE id = ?"_s);
    current.addBindValue(delivery.id);
    if (Status done = exec(current, "reading a webhook delivery"); !done)
        return done.error();
    if (!current.next())
        return Error{ErrorCode::NotFound, u"The delivery %1 is gone."_s.arg(delivery.id)};
    const QString stateBefore = current.value(0).toString();
    const bool pending = stateBefore == u"pending";
    const int number = current.value(1).toInt() + 1;
    const int retryStep = current.value(2).toInt();
    current.finish();

    QSqlQuery attempt(db);
    attempt.prepare(u"INSERT INTO webhook_attempts (delivery_id, number, attempted_at, "
                    "status_code, error, latency_ms) VALUES (?, ?, ?, ?, ?, ?)"_s);
    attempt.addBindValue(delivery.id);
    attempt.addBindValue(number);
    attempt.addBindValue(outcome.startedAt);
    attempt.addBindValue(outcome.statusCode ? QVariant(outcome.statusCode) : nullInt());
    attempt.addBindValue(outcome.error.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                 : QVariant(outcome.error));
    attempt.addBindValue(std::max<qint64>(0, outcome.finishedAt - outcome.startedAt));
    if (Status done = exec(attempt, "recording a webhook attempt"); !done)
        return done.error();

    // The outcome decides the state, unless the delivery was cancelled while in flight.
    DeliveryVerdict verdict = DeliveryVerdict::Cancelled;
    QString state;
    QVariant nextAttempt = nullInt();
    QVariant completedAt = nullInt();
    int nextStep = retryStep;
    if (pending && outcome.succeeded()) {
        verdict = DeliveryVerdict::Succeeded;
        state = u"succeeded"_s;
        completedAt = now;
    } else if (pending && retryStep < m_policy.retryWaitsMs.size()) {
        verdict = DeliveryVerdict::Retried;
        state = u"pending"_s;
        nextAttempt = now + m_policy.retryWaitsMs.at(retryStep);
        nextStep = retryStep + 1;
    } else if (pending) {
        verdict = DeliveryVerdict::Failed;
        state = u"failed"_s;
        completedAt = now;
    }

    QSqlQuery update(db);
    // A delivery cancelled while in flight keeps its state (a NULL state binds to no change).
    update.prepare(u"UPDATE webhook_deliveries SET state = COALESCE(?, state), attempts = ?, "
                   "retry_step = ?, next_attempt_at = ?, "
                   "claimed_until = NULL, first_attempt_at = COALESCE(first_attempt_at, ?), "
                   "last_attempt_at = ?, last_status = ?, last_error = ?, "
                   "completed_at = COALESCE(completed_at, ?) WHERE id = ?"_s);
    update.addBindValue(state.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : state);
    update.addBindValue(number);
    update.addBindValue(nextStep);
    update.addBindValue(nextAttempt);
    update.addBindValue(outcome.startedAt);
    update.addBindValue(outcome.startedAt);
    update.addBindValue(outcome.statusCode ? QVariant(outcome.statusCode) : nullInt());
    update.addBindValue(outcome.error.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                                : QVariant(outcome.error));
    update.addBindValue(completedAt);
    update.addBindValue(delivery.id);
    if (Status done = exec(update, "updating a webhook delivery"); !done)
        return done.error();

    if (outcome.succeeded()) {
        QSqlQuery healthy(db);
        healthy.prepare(u"UPDATE webhooks SET failing_since = NULL, last_success_at = ? "
                        "WHERE id = ?"_s);
        healthy.addBindValue(now);
        healthy.addBindValue(delivery.webhookId);
        if (Status done = exec(healthy, "marking a webhook healthy"); !done)
            return done.error();
    } else {
        QSqlQuery failing(db);
        failing.prepare(u"UPDATE webhooks SET failing_since = COALESCE(failing_since, ?) "
                        "WHERE id = ?"_s);
        failing.addBindValue(outcome.startedAt);
        failing.addBindValue(delivery.webhookId);
        if (Status done = exec(failing, "marking a webhook failing"); !done)
            return done.error();

        QSqlQuery health(db);
        health.prepare(u"SELECT enabled, failing_since, workspace_id FROM webhooks WHERE id = ?"_s);
        health.addBindValue(delivery.webhookId);
        if (Status done = exec(health, "reading a webhook's health"); !done)
            return done.error();
        if (health.next() && health.value(0).toInt() != 0 && !health.value(1).isNull()
            && now - health.value(1).toLongLong() >= m_policy.disabledAfterMs) {
            const qint64 failingSince = health.value(1).toLongLong();
            const QString workspaceId = health.value(2).toString();
            health.finish();
            if (Status done
                = disableFailing(db, delivery.webhookId, workspaceId, failingSince, now);
                !done)
                return done.error();
            if (verdict == DeliveryVerdict::Retried)
                verdict = DeliveryVerdict::Cancelled;
        }
    }

    if (Status committed = transaction.commit(); !committed)
        return committed.error();
    return verdict;
}

Result<qint64> DeliveryQueue::pendingCount()
{
    QSqlQuery query(m_database.connection());
    query.prepare(u"SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'"_s);
    if (Status done = exec(query, "counting pending webhook deliveries"); !done)
        return done.error();
    return query.next() ? query.value(0).toLongLong() : 0;
}

} // namespace quorum
