#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>

#include <array>
#include <functional>
#include <memory>

namespace quorum {

// Request counters and latency histograms per route and status, in the Prometheus text
// format. Each thread records into a shard of its own, so recording takes no shared lock;
// a scrape adds the shards up.
class Metrics final
{
public:
    Metrics();
    ~Metrics();

    void observeRequest(const QString &route, const QByteArray &method, int status, double seconds);
    QByteArray render() const;

    // Another part's metrics, rendered after the requests' on every scrape (the webhook
    // dispatcher's, for one). Add sources before serving.
    void addSource(std::function<QByteArray()> render);

    static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1,    5};

private:
    struct Series
    {
        quint64 count = 0;
        double sum = 0;
        std::array<quint64, kBuckets.size()> buckets{};
    };
    struct Shard
    {
        QMutex mutex;
        QHash<QByteArray, Series> series; // key: route \x1f method \x1f status
    };
    Shard &localShard();

    mutable QMutex m_shardsMutex;
    QList<std::shared_ptr<Shard>> m_shards;
    QList<std::function<QByteArray()>> m_sources;
    quint64 m_id;
};

} // namespace quorum
