#include "NodeRegistry.h"

#include "core/Clock.h"
#include "store/Database.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTimer>

Q_LOGGING_CATEGORY(lcNodes, "quorum.nodes")

using namespace Qt::StringLiterals;

namespace quorum {

NodeRegistry::NodeRegistry(Database &database, const Clock &clock, Config config, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_config(std::move(config))
{ }

NodeRegistry::~NodeRegistry() = default;

Status NodeRegistry::start(const QString &advertiseUrl)
{
    const qint64 now = m_clock.nowMs();
    {
        Database::WriteTransaction tx(m_database);
        QSqlQuery query(tx.db());
        query.prepare(u"INSERT INTO cluster_nodes (name, advertise_url, region, started_at, "
                      "heartbeat_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                      "advertise_url = excluded.advertise_url, region = excluded.region, "
                      "started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, "
                      "stopped_at = NULL, lost_at = NULL"_s);
        for (const QVariant &value : {QVariant(m_config.nodeName), QVariant(advertiseUrl),
                                      QVariant(m_config.region), QVariant(now), QVariant(now)})
            query.addBindValue(value);
        if (!query.exec())
            return sqlError(query, "registering this node");
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    {
        const std::lock_guard lock(m_urlsLock);
        m_urls.insert(m_config.nodeName, advertiseUrl);
    }

    if (!m_config.watchOthers)
        return success();
    m_timer = new QTimer(this);
    m_timer->setInterval(m_config.heartbeatMs);
    connect(m_timer, &QTimer::timeout, this, &NodeRegistry::beat);
    m_timer->start();
    return success();
}

void NodeRegistry::stop()
{
    if (m_timer)
        m_timer->stop();
    QSqlQuery query(m_database.connection());
    query.prepare(u"UPDATE cluster_nodes SET stopped_at = ? WHERE name = ?"_s);
    query.addBindValue(m_clock.nowMs());
    query.addBindValue(m_config.nodeName);
    if (!query.exec())
        sqlError(query, "marking this node stopped");
}

void NodeRegistry::beat()
{
    const qint64 now = m_clock.nowMs();
    QSqlDatabase db = m_database.connection();
    {
        CachedStatement heartbeat(db,
                                  u"UPDATE cluster_nodes SET heartbeat_at = ? WHERE name = ?"_s);
        heartbeat->bindValue(0, now);
        heartbeat->bindValue(1, m_config.nodeName);
        if (!heartbeat->exec()) {
            sqlError(*heartbeat, "heartbeat");
            return;
        }
    }

    QStringList lost;
    {
        CachedStatement query(db,
                              u"SELECT name FROM cluster_nodes WHERE lost_at IS NULL AND "
                              "heartbeat_at < ? AND name <> ?"_s);
        query->bindValue(0, now - m_config.lostAfterMs);
        query->bindValue(1, m_config.nodeName);
        if (!query->exec()) {
            sqlError(*query, "looking for lost nodes");
            return;
        }
        while (query->next())
            lost << query->value(0).toString();
    }
    for (const QString &node : std::as_const(lost)) {
        qCWarning(lcNodes) << "node" << node << "has not been heard of for"
                           << m_config.lostAfterMs / 1000 << "s";
        if (m_lostHandler)
            m_lostHandler(node);
    }
}

QString NodeRegistry::advertiseUrl(const QString &node)
{
    {
        const std::lock_guard lock(m_urlsLock);
        if (const auto known = m_urls.constFind(node); known != m_urls.constEnd())
            return *known;
    }
    CachedStatement query(m_database.connection(),
                          u"SELECT advertise_url FROM cluster_nodes WHERE name = ?"_s);
    query->bindValue(0, node);
    if (!query->exec() || !query->next())
        return {};
    const QString url = query->value(0).toString();
    const std::lock_guard lock(m_urlsLock);
    m_urls.insert(node, url);
    return url;
}

} // namespace quorum
