#include "WebhookMetrics.h"

namespace quorum {

namespace {

// Indexed by DeliveryVerdict; "retried" counts failed attempts that will be tried again.
constexpr std::array<const char *, 4> kOutcomeNames{"succeeded", "retried", "failed", "cancelled"};

} // namespace

void WebhookMetrics::countOutcome(DeliveryVerdict verdict)
{
    ++m_outcomes[size_t(verdict)];
}

void WebhookMetrics::countCancelled(int deliveries)
{
    if (deliveries > 0)
        m_outcomes[size_t(DeliveryVerdict::Cancelled)] += quint64(deliveries);
}

void WebhookMetrics::observeFirstAttempt(double seconds)
{
    ++m_firstAttempts;
    m_firstAttemptMicros += qint64(seconds * 1e6);
    for (size_t i = 0; i < kFirstAttemptBuckets.size(); ++i) {
        if (seconds <= kFirstAttemptBuckets[i])
            ++m_buckets[i];
    }
}

QByteArray WebhookMetrics::render(qint64 queueDepth) const
{
    QByteArray out;
    out += "# HELP quorum_webhook_queue_depth Webhook deliveries pending.\n"
           "# TYPE quorum_webhook_queue_depth gauge\n"
           "quorum_webhook_queue_depth "
        + QByteArray::number(queueDepth) + '\n';

    out += "# HELP quorum_webhook_deliveries_total Webhook delivery outcomes: attempts that "
           "succeeded, failed and will be retried, failed for good, and deliveries cancelled.\n"
           "# TYPE quorum_webhook_deliveries_total counter\n";
    for (size_t i = 0; i < kOutcomeNames.size(); ++i)
        out += "quorum_webhook_deliveries_total{outcome=\"" + QByteArray(kOutcomeNames[i]) + "\"} "
            + QByteArray::number(m_outcomes[i].load()) + '\n';

    const quint64 count = m_firstAttempts.load();
    out += "# HELP quorum_webhook_first_attempt_seconds Time from a delivery's creation to the "
           "start of its first attempt.\n"
           "# TYPE quorum_webhook_first_attempt_seconds histogram\n";
    for (size_t i = 0; i < kFirstAttemptBuckets.size(); ++i)
        out += "quorum_webhook_first_attempt_seconds_bucket{le=\""
            + QByteArray::number(kFirstAttemptBuckets[i]) + "\"} "
            + QByteArray::number(m_buckets[i].load()) + '\n';
    out += "quorum_webhook_first_attempt_seconds_bucket{le=\"+Inf\"} " + QByteArray::number(count)
        + '\n';
    out += "quorum_webhook_first_attempt_seconds_sum "
        + QByteArray::number(double(m_firstAttemptMicros.load()) / 1e6, 'f', 6) + '\n';
    out += "quorum_webhook_first_attempt_seconds_count " + QByteArray::number(count) + '\n';
    return out;
}

} // namespace quorum
