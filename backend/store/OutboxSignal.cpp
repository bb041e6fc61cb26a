#include "store/OutboxSignal.h"

#include <memory>
#include <mutex>

namespace quorum::outbox {

namespace {

thread_local bool t_queuedInTransaction = false;

std::mutex g_listenerMutex;
std::shared_ptr<const std::function<void()>> g_listener;

} // namespace

void markQueued()
{
    t_queuedInTransaction = true;
}

void transactionCommitted()
{
    if (!t_queuedInTransaction)
        return;
    t_queuedInTransaction = false;

    std::shared_ptr<const std::function<void()>> listener;
    {
        std::lock_guard lock(g_listenerMutex);
        listener = g_listener;
    }
    if (listener && *listener)
        (*listener)();
}

void transactionRolledBack()
{
    t_queuedInTransaction = false;
}

void setListener(std::function<void()> listener)
{
    auto shared = std::make_shared<const std::function<void()>>(std::move(listener));
    std::lock_guard lock(g_listenerMutex);
    g_listener = std::move(shared);
}

} // namespace quorum::outbox
