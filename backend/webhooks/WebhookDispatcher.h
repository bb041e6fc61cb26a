#pragma once

#include "DeliveryEngine.h"
#include "DispatchConfig.h"
#include "WebhookMetrics.h"

#include <QByteArray>

#include <memory>

class QThread;

namespace quorum {

// Delivers webhooks on a thread of its own (DESIGN.md *Webhooks*). The outbox wakes it when a
// transaction queues deliveries, a timer when the next retry falls due; at start it resumes
// whatever a previous process left pending. Owned and started by QuorumServer.
class WebhookDispatcher final
{
public:
    WebhookDispatcher(DeliveryEngine::Context context, DispatchConfig config);
    ~WebhookDispatcher(); // stops
    Q_DISABLE_COPY_MOVE(WebhookDispatcher)

    void start();
    // Returns once the thread has ended; attempts in flight are dropped unrecorded and made
    // again after the next start.
    void stop();

    // Thread-safe: look for due deliveries now (the outbox listener calls it after a commit;
    // tests call it after moving a manual clock). Wakes arriving together are merged.
    void wake();

    // The webhook part of /metrics, with the queue depth read on the calling thread.
    QByteArray renderMetrics() const;

    struct Waker;

private:
    DeliveryEngine::Context m_context;
    DispatchConfig m_config;
    std::unique_ptr<QThread> m_thread;
    std::shared_ptr<Waker> m_waker;
};

} // namespace quorum
