#pragma once

#include "store/DeliveryQueue.h"

#include <QByteArray>

#include <array>
#include <atomic>

namespace quorum {

// The delivery engine's counters for /metrics, in the Prometheus text format of http/Metrics:
// deliveries by outcome, and how long a delivery waited for its first attempt. Recorded on the
// engine's thread and read by any scrape, so every field is atomic.
class WebhookMetrics final
{
public:
    static constexpr std::array<double, 11> kFirstAttemptBuckets{0.05, 0.1, 0.25, 0.5, 1,  2.5,
                                                                 5,    10,  30,   60,  300};

    void countOutcome(DeliveryVerdict verdict);
    void countCancelled(int deliveries);
    void observeFirstAttempt(double seconds);

    // `queueDepth` is read from the database by the caller at scrape time.
    QByteArray render(qint64 queueDepth) const;

private:
    std::array<std::atomic<quint64>, 4> m_outcomes{}; // by DeliveryVerdict
    std::array<std::atomic<quint64>, kFirstAttemptBuckets.size()> m_buckets{};
    std::atomic<quint64> m_firstAttempts{0};
    std::atomic<qint64> m_firstAttemptMicros{0};
};

} // namespace quorum
