#pragma once

#include "DispatchConfig.h"
#include "UrlGuard.h"
#include "store/DeliveryQueue.h"

#include <QHash>
#include <QObject>

#include <memory>
#include <vector>

class QNetworkAccessManager;
class QTimer;

namespace quorum {

class Clock;
class Database;
class DeliveryAttempt;
class WebhookMetrics;
namespace crypto {
class SecretBox;
}

// The delivery loop, living on the dispatcher's thread: claims due deliveries up to the
// concurrency limits, runs one DeliveryAttempt per claim, records each outcome, and sleeps
// until the next delivery falls due or the outbox wakes it.
class DeliveryEngine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryEngine)

public:
    struct Context
    {
        Database &database;
        const Clock &clock;
        const crypto::SecretBox &box;
        WebhookMetrics &metrics;
    };

    DeliveryEngine(Context context, DispatchConfig config, QObject *parent = nullptr);
    ~DeliveryEngine() override;

    // On the engine's thread: takes over the deliveries a stopped process left claimed.
    void start();
    // On the engine's thread: drops the attempts in flight unrecorded; their claims are
    // released by the next start, so they are attempted again.
    void shutdown();
    // Claims and launches what is due, then sleeps until the next due time.
    void pump();
    void pumpSoon();

private:
    void launch(const ClaimedDelivery &delivery, qint64 now);
    void attemptFinished(DeliveryAttempt *attempt);
    void record(const ClaimedDelivery &delivery, const AttemptOutcome &outcome);
    void scheduleWake();
    std::optional<QList<QByteArray>> openSecrets(const ClaimedDelivery &delivery, qint64 now) const;

    Context m_context;
    DispatchConfig m_config;
    UrlGuard m_guard;
    DeliveryQueue m_queue;
    QTimer *m_timer = nullptr;
    std::vector<QNetworkAccessManager *> m_managers;
    QHash<QString, int> m_inFlightPerWebhook;
    int m_inFlight = 0;
    bool m_stopping = false;
    bool m_pumpQueued = false;
};

} // namespace quorum
