#include "DeliveryEngine.h"

#include "DeliveryAttempt.h"
#include "WebhookMetrics.h"
#include "core/Clock.h"
#include "crypto/SecretBox.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QTimer>

Q_LOGGING_CATEGORY(lcDeliveryEngine, "quorum.webhooks")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// Sleep at most this long, so a clock moved by hand (tests) or a stuck claim is noticed.
constexpr qint64 kMaxSleepMs = 60 * 1000;
// After a database error, try again after this long rather than spin.
constexpr int kErrorBackoffMs = 1000;

} // namespace

DeliveryEngine::DeliveryEngine(Context context, DispatchConfig config, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_config(std::move(config))
    , m_guard(m_config.allowPrivateNetworks)
    , m_queue(context.database,
              DeliveryQueue::Policy{m_config.retryWaitsMs, m_config.disabledAfterMs,
                                    // A claim outlives any attempt, with room for a slow
                                    // commit; a lost node's claims are free again after it.
                                    qint64(m_config.timeoutMs) + 10 * 1000})
{ }

DeliveryEngine::~DeliveryEngine() = default;

void DeliveryEngine::start()
{
    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &DeliveryEngine::pump);

    for (int i = 0; i < std::max(1, m_config.managers); ++i) {
        auto *manager = new QNetworkAccessManager(this);
        // No proxy: a proxy would become the address we connect to, past the guard's check.
        manager->setProxy(QNetworkProxy::NoProxy);
        manager->setAutoDeleteReplies(false);
        m_managers.push_back(manager);
    }

    if (const auto released = m_queue.releaseClaims(); !released)
        qCWarning(lcDeliveryEngine) << "cannot release old claims:" << released.error().detail;
    else if (*released > 0)
        qCInfo(lcDeliveryEngine) << "resuming" << *released << "deliveries claimed before a stop";
    pump();
}

void DeliveryEngine::shutdown()
{
    m_stopping = true;
    if (m_timer)
        m_timer->stop();
    const QList<DeliveryAttempt *> attempts = findChildren<DeliveryAttempt *>();
    for (DeliveryAttempt *attempt : attempts)
        delete attempt;
    for (QNetworkAccessManager *manager : m_managers)
        delete manager;
    m_managers.clear();
}

void DeliveryEngine::pumpSoon()
{
    // Attempts that finish in the same pass of the event loop share one claiming round.
    if (m_pumpQueued)
        return;
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

void DeliveryEngine::pump()
{
    if (m_stopping)
        return;

    const int free = m_config.maxInFlight - m_inFlight;
    if (free > 0) {
        const qint64 now = m_context.clock.nowMs();
        auto batch = m_queue.claimDue(now, free, m_inFlightPerWebhook,
                                      m_config.maxInFlightPerSubscription);
        if (!batch) {
            qCWarning(lcDeliveryEngine) << "cannot claim deliveries:" << batch.error().detail;
            m_timer->start(kErrorBackoffMs);
            return;
        }
        m_context.metrics.countCancelled(batch->cancelled);
        for (const ClaimedDelivery &delivery : std::as_const(batch->deliveries))
            launch(delivery, now);
    }

    scheduleWake();
}

void DeliveryEngine::scheduleWake()
{
    const qint64 now = m_context.clock.nowMs();
    const auto next = m_queue.nextDueAt();
    if (!next) {
        qCWarning(lcDeliveryEngine) << "cannot read the next due time:" << next.error().detail;
        m_timer->start(kErrorBackoffMs);
        return;
    }
    if (!next->has_value()) {
        if (m_config.idleLookMs > 0)
            m_timer->start(m_config.idleLookMs);
        else
            m_timer->stop();
        return;
    }

    const qint64 wait = **next - now;
    if (wait <= 0) {
        // Due but not claimed: the limits are full, and a finishing attempt pumps again.
        if (m_inFlight > 0)
            m_timer->stop();
        else
            m_timer->start(kErrorBackoffMs);
        return;
    }
    const qint64 longest = m_config.idleLookMs > 0 ? m_config.idleLookMs : kMaxSleepMs;
    m_timer->start(int(std::min(wait, longest)));
}

std::optional<QList<QByteArray>> DeliveryEngine::openSecrets(const ClaimedDelivery &delivery,
                                                             qint64 now) const
{
    const QByteArray context = "webhook-secret:" + delivery.webhookId.toLatin1();
    const auto current = m_context.box.open(delivery.secretSealed, context);
    if (!current)
        return std::nullopt;
    QList<QByteArray> secrets{*current};
    // During a rotation's grace the old secret signs too, so receivers holding it verify.
    if (!delivery.previousSecretSealed.isEmpty() && delivery.previousSecretUntil > now) {
        if (const auto previous = m_context.box.open(delivery.previousSecretSealed, context))
            secrets << *previous;
    }
    return secrets;
}

void DeliveryEngine::launch(const ClaimedDelivery &delivery, qint64 now)
{
    if (delivery.attempts == 0)
        m_context.metrics.observeFirstAttempt(double(std::max<qint64>(0, now - delivery.createdAt))
                                              / 1000.0);

    const auto secrets = openSecrets(delivery, now);
    if (!secrets) {
        // Never send unsigned: the attempt fails and is retried like any other failure.
        qCWarning(lcDeliveryEngine) << "cannot open the secret of webhook" << delivery.webhookId;
        record(delivery, AttemptOutcome{now, now, 0, u"secret_unavailable"_s});
        return;
    }

    DeliveryAttempt::Setup setup;
    setup.delivery = delivery;
    setup.secrets = *secrets;
    setup.timeoutMs = m_config.timeoutMs;
    setup.guard = &m_guard;
    setup.manager = m_managers.at(qHash(delivery.webhookId) % m_managers.size());
    setup.clock = &m_context.clock;
    auto *attempt = new DeliveryAttempt(std::move(setup), this);
    connect(attempt, &DeliveryAttempt::finished, this,
            [this, attempt] { attemptFinished(attempt); });

    ++m_inFlight;
    ++m_inFlightPerWebhook[delivery.webhookId];
    attempt->start();
}

void DeliveryEngine::attemptFinished(DeliveryAttempt *attempt)
{
    --m_inFlight;
    if (--m_inFlightPerWebhook[attempt->delivery().webhookId] <= 0)
        m_inFlightPerWebhook.remove(attempt->delivery().webhookId);

    record(attempt->delivery(), attempt->outcome());
    attempt->deleteLater();
    pumpSoon();
}

void DeliveryEngine::record(const ClaimedDelivery &delivery, const AttemptOutcome &outcome)
{
    const auto verdict = m_queue.recordAttempt(delivery, outcome);
    if (!verdict) {
        // The claim runs out and the delivery is attempted again: at least once, never lost.
        qCWarning(lcDeliveryEngine)
            << "cannot record an attempt of" << delivery.id << ":" << verdict.error().detail;
        return;
    }
    m_context.metrics.countOutcome(*verdict);
}

} // namespace quorum
