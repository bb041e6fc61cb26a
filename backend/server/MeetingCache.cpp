#include "MeetingCache.h"

#include "core/Clock.h"

namespace quorum {

MeetingCache::MeetingCache(const Clock &clock, qint64 lifetimeMs, int capacity)
    : m_clock(clock)
    , m_lifetimeMs(lifetimeMs)
    , m_capacity(capacity)
{ }

std::optional<Meeting> MeetingCache::find(const QString &id) const
{
    const qint64 now = m_clock.nowMs();
    const std::shared_lock lock(m_lock);
    const auto entry = m_entries.constFind(id);
    if (entry == m_entries.cend() || entry->expiresAtMs <= now)
        return std::nullopt;
    return entry->meeting;
}

quint64 MeetingCache::generation() const
{
    const std::shared_lock lock(m_lock);
    return m_generation;
}

void MeetingCache::store(const Meeting &meeting, quint64 generationBeforeRead)
{
    const qint64 now = m_clock.nowMs();
    const std::unique_lock lock(m_lock);
    if (generationBeforeRead != m_generation)
        return;
    // Simpler than an LRU and good enough: a full cache starts over.
    if (m_entries.size() >= m_capacity)
        m_entries.clear();
    m_entries.insert(meeting.id, {meeting, now + m_lifetimeMs});
}

void MeetingCache::drop(const QString &id)
{
    forget(id);
    if (m_dropHook)
        m_dropHook(id);
}

void MeetingCache::forget(const QString &id)
{
    const std::unique_lock lock(m_lock);
    ++m_generation;
    m_entries.remove(id);
}

void MeetingCache::clear()
{
    const std::unique_lock lock(m_lock);
    ++m_generation;
    m_entries.clear();
}

} // namespace quorum
