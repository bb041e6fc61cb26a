#include "RateLimiter.h"

#include "core/Clock.h"

namespace quorum {

namespace {
constexpr int kPurgeThreshold = 50000;
}

RateLimiter::RateLimiter(const Clock &clock, int windowSeconds)
    : m_clock(clock)
    , m_windowMs(qint64(windowSeconds) * 1000)
{ }

RateLimiter::Decision RateLimiter::decide(const Window &window, int limit, qint64 nowMs) const
{
    Decision decision;
    decision.limit = limit;
    decision.allowed = window.count <= limit;
    decision.remaining = qMax(0, limit - window.count);
    const qint64 leftMs = window.startMs + m_windowMs - nowMs;
    decision.resetSeconds = int(qMax<qint64>(1, (leftMs + 999) / 1000));
    return decision;
}

void RateLimiter::purge(qint64 nowMs)
{
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (it->startMs + m_windowMs <= nowMs)
            it = m_windows.erase(it);
        else
            ++it;
    }
}

RateLimiter::Decision RateLimiter::hit(const QString &key, int limit)
{
    const qint64 now = m_clock.nowMs();
    QMutexLocker lock(&m_mutex);
    if (m_windows.size() > kPurgeThreshold)
        purge(now);
    Window &window = m_windows[key];
    if (window.startMs + m_windowMs <= now)
        window = {now, 0};
    ++window.count;
    return decide(window, limit, now);
}

RateLimiter::Decision RateLimiter::check(const QString &key, int limit) const
{
    const qint64 now = m_clock.nowMs();
    QMutexLocker lock(&m_mutex);
    Window window = m_windows.value(key);
    if (window.startMs + m_windowMs <= now)
        window = {now, 0};
    Decision decision = decide(window, limit, now);
    decision.allowed = window.count < limit;
    return decision;
}

int RateLimiter::count(const QString &key) const
{
    const qint64 now = m_clock.nowMs();
    QMutexLocker lock(&m_mutex);
    const Window window = m_windows.value(key);
    return window.startMs + m_windowMs <= now ? 0 : window.count;
}

} // namespace quorum
