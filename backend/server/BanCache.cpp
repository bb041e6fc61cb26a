#include "BanCache.h"

#include "core/Clock.h"

namespace quorum {

BanCache::BanCache(const Clock &clock, qint64 lifetimeMs, int capacity)
    : m_clock(clock)
    , m_lifetimeMs(lifetimeMs)
    , m_capacity(capacity)
{ }

bool BanCache::isBanned(const QString &meetingId, const QString &subject, const Loader &load)
{
    const qint64 now = m_clock.nowMs();
    quint64 generation = 0;
    {
        const std::shared_lock lock(m_lock);
        const auto entry = m_entries.constFind(meetingId);
        if (entry != m_entries.cend() && entry->expiresAtMs > now)
            return entry->subjects.contains(subject);
        generation = m_generation;
    }

    const QSet<QString> subjects = load(meetingId);

    const std::unique_lock lock(m_lock);
    // A drop() while loading means the set may already be stale: answer, but do not keep it.
    if (generation == m_generation) {
        if (m_entries.size() >= m_capacity)
            m_entries.clear();
        m_entries.insert(meetingId, {subjects, now + m_lifetimeMs});
    }
    return subjects.contains(subject);
}

void BanCache::drop(const QString &meetingId)
{
    forget(meetingId);
    if (m_dropHook)
        m_dropHook(meetingId);
}

void BanCache::forget(const QString &meetingId)
{
    const std::unique_lock lock(m_lock);
    ++m_generation;
    m_entries.remove(meetingId);
}

void BanCache::clear()
{
    const std::unique_lock lock(m_lock);
    ++m_generation;
    m_entries.clear();
}

} // namespace quorum
