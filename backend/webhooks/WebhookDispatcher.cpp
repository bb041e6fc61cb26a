#include "WebhookDispatcher.h"

#include "store/OutboxSignal.h"

#include <QMutex>
#include <QThread>

#include <atomic>

namespace quorum {

// Shared with the outbox listener, which may run on any committing thread, even while the
// dispatcher stops: it reaches the engine only under the mutex, and stop() clears it first.
struct WebhookDispatcher::Waker
{
    QMutex mutex;
    DeliveryEngine *engine = nullptr;
    std::atomic<bool> posted{false};

    void wake()
    {
        if (posted.exchange(true))
            return;
        QMutexLocker lock(&mutex);
        if (!engine) {
            posted = false;
            return;
        }
        DeliveryEngine *target = engine;
        QMetaObject::invokeMethod(
            target,
            [this, target] {
                posted = false;
                target->pump();
            },
            Qt::QueuedConnection);
    }
};

WebhookDispatcher::WebhookDispatcher(DeliveryEngine::Context context, DispatchConfig config)
    : m_context(context)
    , m_config(std::move(config))
    , m_waker(std::make_shared<Waker>())
{ }

WebhookDispatcher::~WebhookDispatcher()
{
    stop();
}

void WebhookDispatcher::start()
{
    if (m_thread)
        return;

    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("webhooks"));
    auto *engine = new DeliveryEngine(m_context, m_config);
    engine->moveToThread(m_thread.get());
    QObject::connect(m_thread.get(), &QThread::finished, engine, &QObject::deleteLater);
    m_thread->start();
    {
        QMutexLocker lock(&m_waker->mutex);
        m_waker->engine = engine;
    }
    QMetaObject::invokeMethod(engine, &DeliveryEngine::start, Qt::QueuedConnection);

    std::weak_ptr<Waker> waker = m_waker;
    outbox::setListener([waker] {
        if (const auto alive = waker.lock())
            alive->wake();
    });
}

void WebhookDispatcher::stop()
{
    if (!m_thread)
        return;

    outbox::setListener({});
    DeliveryEngine *engine = nullptr;
    {
        QMutexLocker lock(&m_waker->mutex);
        engine = std::exchange(m_waker->engine, nullptr);
    }
    if (engine)
        QMetaObject::invokeMethod(engine, &DeliveryEngine::shutdown, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
}

void WebhookDispatcher::wake()
{
    m_waker->wake();
}

QByteArray WebhookDispatcher::renderMetrics() const
{
    DeliveryQueue queue(m_context.database, {});
    const auto depth = queue.pendingCount();
    return m_context.metrics.render(depth ? *depth : 0);
}

} // namespace quorum
