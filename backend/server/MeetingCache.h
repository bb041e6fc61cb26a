#pragma once

#include "core/Meeting.h"

#include <QHash>
#include <mutex>
#include <shared_mutex>

#include <functional>
#include <optional>

namespace quorum {

class Clock;

// Meetings recently read, so the hot reads (GET a meeting, issue a join token) skip the
// database. Every change made through this process drops its entry at once, so a client
// always reads its own writes; an entry also expires after a short time, which bounds how
// stale a change made by another process sharing the database can look. Thread-safe.
class MeetingCache final
{
public:
    MeetingCache(const Clock &clock, qint64 lifetimeMs = 2000, int capacity = 20000);

    std::optional<Meeting> find(const QString &id) const;
    // Take the generation before reading the database and hand it to store(): a meeting
    // read before a concurrent drop() is not stored, so it cannot hide that change.
    quint64 generation() const;
    void store(const Meeting &meeting, quint64 generationBeforeRead);
    void drop(const QString &id);
    // Several nodes: drop() also tells the others through the hook (set before serving),
    // and they forget() the entry; clear() after missing what they said.
    void setDropHook(std::function<void(const QString &id)> hook) { m_dropHook = std::move(hook); }
    void forget(const QString &id);
    void clear();

private:
    struct Entry
    {
        Meeting meeting;
        qint64 expiresAtMs = 0;
    };

    const Clock &m_clock;
    qint64 m_lifetimeMs;
    int m_capacity;
    mutable std::shared_mutex m_lock; // a standard lock: ThreadSanitizer sees it
    QHash<QString, Entry> m_entries;
    quint64 m_generation = 0;
    std::function<void(const QString &)> m_dropHook;
};

} // namespace quorum
