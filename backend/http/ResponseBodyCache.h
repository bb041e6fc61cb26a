#pragma once

#include <QByteArray>
#include <QHash>
#include <QReadWriteLock>

#include <optional>

namespace quorum {

// Serialised response bodies keyed by what fully determines them (for a meeting: its id,
// its stored version and whether the reader may change it), so a repeated read skips
// building JSON. A key that names the version never goes stale; a full cache starts over.
class ResponseBodyCache final
{
public:
    explicit ResponseBodyCache(int capacity = 20000)
        : m_capacity(capacity)
    { }

    std::optional<QByteArray> find(const QByteArray &key) const
    {
        QReadLocker lock(&m_lock);
        const auto found = m_bodies.constFind(key);
        if (found == m_bodies.cend())
            return std::nullopt;
        return *found;
    }

    void store(const QByteArray &key, const QByteArray &body)
    {
        QWriteLocker lock(&m_lock);
        if (m_bodies.size() >= m_capacity)
            m_bodies.clear();
        m_bodies.insert(key, body);
    }

private:
    int m_capacity;
    mutable QReadWriteLock m_lock;
    QHash<QByteArray, QByteArray> m_bodies;
};

} // namespace quorum
