#pragma once

#include <QHash>
#include <QSet>
#include <QString>
#include <mutex>
#include <shared_mutex>

#include <functional>

namespace quorum {

class Clock;

// Who is barred from each meeting (users, guests, client addresses), as recently read, so
// that issuing a join token does not query the bans every time: most meetings have none.
// A ban written through this process must call drop(); entries also expire after a short
// time for bans written by other processes. Thread-safe.
class BanCache final
{
public:
    using Loader = std::function<QSet<QString>(const QString &meetingId)>;

    BanCache(const Clock &clock, qint64 lifetimeMs = 2000, int capacity = 20000);

    bool isBanned(const QString &meetingId, const QString &subject, const Loader &load);
    void drop(const QString &meetingId);
    // Several nodes: drop() also tells the others through the hook (set before serving),
    // and they forget() the entry; clear() after missing what they said.
    void setDropHook(std::function<void(const QString &meetingId)> hook)
    {
        m_dropHook = std::move(hook);
    }
    void forget(const QString &meetingId);
    void clear();

private:
    struct Entry
    {
        QSet<QString> subjects;
        qint64 expiresAtMs = 0;
    };

    const Clock &m_clock;
    qint64 m_lifetimeMs;
    int m_capacity;
    std::shared_mutex m_lock; // a standard lock: ThreadSanitizer sees it
    QHash<QString, Entry> m_entries;
    quint64 m_generation = 0;
    std::function<void(const QString &)> m_dropHook;
};

} // namespace quorum
