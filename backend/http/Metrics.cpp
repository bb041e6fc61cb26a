#include "Metrics.h"

#include <QMap>

#include <atomic>
#include <unordered_map>

namespace quorum {

namespace {
std::atomic<quint64> g_nextMetricsId{1};
}

Metrics::Metrics()
    : m_id(g_nextMetricsId++)
{ }

Metrics::~Metrics() = default;

Metrics::Shard &Metrics::localShard()
{
    // One shard per (thread, Metrics instance); instances are never reused, so ids are too.
    thread_local std::unordered_map<quint64, std::weak_ptr<Shard>> shards;
    if (auto shard = shards[m_id].lock())
        return *shard;
    auto shard = std::make_shared<Shard>();
    shards[m_id] = shard;
    QMutexLocker lock(&m_shardsMutex);
    m_shards << shard;
    return *shard;
}

void Metrics::observeRequest(const QString &route, const QByteArray &method, int status,
                             double seconds)
{
    const QByteArray key = route.toUtf8() + '\x1f' + method + '\x1f' + QByteArray::number(status);
    Shard &shard = localShard();
    QMutexLocker lock(&shard.mutex);
    Series &series = shard.series[key];
    ++series.count;
    series.sum += seconds;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i])
            ++series.buckets[i];
    }
}

QByteArray Metrics::render() const
{
    QMap<QByteArray, Series> total;
    {
        QMutexLocker lock(&m_shardsMutex);
        for (const auto &shard : m_shards) {
            QMutexLocker shardLock(&shard->mutex);
            for (auto it = shard->series.cbegin(); it != shard->series.cend(); ++it) {
                Series &sum = total[it.key()];
                sum.count += it->count;
                sum.sum += it->sum;
                for (size_t i = 0; i < kBuckets.size(); ++i)
                    sum.buckets[i] += it->buckets[i];
            }
        }
    }

    QByteArray out;
    out += "# HELP quorum_http_requests_total HTTP requests answered, by route, method and "
           "status.\n"
           "# TYPE quorum_http_requests_total counter\n";
    auto labels = [](const QByteArray &key) {
        const QList<QByteArray> parts = key.split('\x1f');
        return "route=\"" + parts.value(0) + "\",method=\"" + parts.value(1) + "\",status=\""
            + parts.value(2) + "\"";
    };
    for (auto it = total.cbegin(); it != total.cend(); ++it)
        out += "quorum_http_requests_total{" + labels(it.key()) + "} "
            + QByteArray::number(it->count) + '\n';

    out += "# HELP quorum_http_request_duration_seconds Time to answer, by route, method and "
           "status.\n# TYPE quorum_http_request_duration_seconds histogram\n";
    for (auto it = total.cbegin(); it != total.cend(); ++it) {
        const QByteArray l = labels(it.key());
        for (size_t i = 0; i < kBuckets.size(); ++i)
            out += "quorum_http_request_duration_seconds_bucket{" + l + ",le=\""
                + QByteArray::number(kBuckets[i]) + "\"} " + QByteArray::number(it->buckets[i])
                + '\n';
        out += "quorum_http_request_duration_seconds_bucket{" + l + ",le=\"+Inf\"} "
            + QByteArray::number(it->count) + '\n';
        out += "quorum_http_request_duration_seconds_sum{" + l + "} "
            + QByteArray::number(it->sum, 'f', 6) + '\n';
        out += "quorum_http_request_duration_seconds_count{" + l + "} "
            + QByteArray::number(it->count) + '\n';
    }

    for (const auto &source : m_sources)
        out += source();
    return out;
}

void Metrics::addSource(std::function<QByteArray()> render)
{
    m_sources << std::move(render);
}

} // namespace quorum
