#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

namespace quorum {

class Clock;

// Fixed-window counters keyed by a string: the general limits per credential and per address,
// passcode failures per client and meeting, and joinToken misses per client. Thread-safe.
class RateLimiter final
{
public:
    struct Decision
    {
        bool allowed = true;
        int limit = 0;
        int remaining = 0;
        int resetSeconds = 0; // until the window ends
    };

    RateLimiter(const Clock &clock, int windowSeconds);

    // Counts one hit and tells whether it was within the limit.
    Decision hit(const QString &key, int limit);
    // Tells whether the key has reached the limit, without counting.
    Decision check(const QString &key, int limit) const;
    // How many hits the key has in the current window.
    int count(const QString &key) const;
    int windowSeconds() const { return m_windowMs / 1000; }

private:
    struct Window
    {
        qint64 startMs = 0;
        int count = 0;
    };
    Decision decide(const Window &window, int limit, qint64 nowMs) const;
    void purge(qint64 nowMs);

    const Clock &m_clock;
    qint64 m_windowMs;
    mutable QMutex m_mutex;
    QHash<QString, Window> m_windows;
};

} // namespace quorum
