#include "NodeRegistry.h"

#include "core/Clock.h"
#include "store/Database.h"

#include <QLoggingCategory>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>

#include <algorithm>

Q_LOGGING_CATEGORY(lcNodes, "quorum.nodes")

namespace {

// How much longer than one heartbeat a start waits to see whether a namesake still beats.
constexpr int kHeartbeatSlackMs = 500;

} // namespace

using namespace Qt::StringLiterals;

namespace quorum {

NodeRegistry::NodeRegistry(Database &database, const Clock &clock, Config config, QObject *parent)
    : QObject(parent)
    , m_database(database)
    , m_clock(clock)
    , m_config(std::move(config))
{ }

NodeRegistry::~NodeRegistry() = default;

Status NodeRegistry::checkOthers(const QString &publicUrl)
{
    struct Row
    {
        QString name;
        QString publicUrl;
        qint64 heartbeatAt = 0;
    };
    auto live = [this]() -> Result<QList<Row>> {
        QSqlQuery query(m_database.connection());
        query.prepare(u"SELECT name, public_url, heartbeat_at FROM cluster_nodes WHERE "
                      "stopped_at IS NULL AND lost_at IS NULL AND heartbeat_at >= ?"_s);
        query.addBindValue(m_clock.nowMs() - m_config.lostAfterMs);
        if (!query.exec())
            return sqlError(query, "reading the other nodes");
        QList<Row> rows;
        while (query.next())
            rows.append({query.value(0).toString(), query.value(1).toString(),
                         query.value(2).toLongLong()});
        return rows;
    };

    auto before = live();
    if (!before)
        return before.error();
    for (const Row &row : std::as_const(*before)) {
        if (row.name != m_config.nodeName && row.publicUrl != publicUrl)
            return Error{ErrorCode::InvalidParameter,
                         u"Node %1 serves --public-url %2 and this one %3: nodes sharing a "
                         "database need the same one (it names the issuer of their join "
                         "tokens)."_s.arg(row.name, row.publicUrl, publicUrl)};
    }

    // A row of this name with a recent heartbeat: this node restarting after a crash, or
    // another node by the same name. Only a live one beats again within the interval.
    const auto sameName = std::find_if(before->cbegin(), before->cend(), [this](const Row &r) {
        return r.name == m_config.nodeName;
    });
    if (sameName == before->cend())
        return success();
    qCInfo(lcNodes) << "a node named" << m_config.nodeName
                    << "beat recently; waiting a heartbeat to tell whether it still runs";
    QThread::msleep(quint64(m_config.heartbeatMs) + kHeartbeatSlackMs);
    auto after = live();
    if (!after)
        return after.error();
    for (const Row &row : std::as_const(*after)) {
        if (row.name == m_config.nodeName && row.heartbeatAt != sameName->heartbeatAt)
            return Error{ErrorCode::InvalidParameter,
                         u"Another node named %1 is running on this database: give this one "
                         "another --node-name (or data directory)."_s.arg(m_config.nodeName)};
    }
    return success();
}

Status NodeRegistry::start(const QString &advertiseUrl, const QString &publicUrl)
{
    if (m_config.watchOthers) {
        if (const Status alone = checkOthers(publicUrl); !alone)
            return alone;
    }
    const qint64 now = m_clock.nowMs();
    {
        Database::WriteTransaction tx(m_database);
        QSqlQuery query(tx.db());
        query.prepare(u"INSERT INTO cluster_nodes (name, advertise_url, public_url, region, "
                      "started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO "
                      "UPDATE SET advertise_url = excluded.advertise_url, public_url = "
                      "excluded.public_url, region = excluded.region, started_at = "
                      "excluded.started_at, heartbeat_at = excluded.heartbeat_at, "
                      "stopped_at = NULL, lost_at = NULL"_s);
        for (const QVariant &value :
             {QVariant(m_config.nodeName), QVariant(advertiseUrl), QVariant(publicUrl),
              QVariant(m_config.region), QVariant(now), QVariant(now)})
            query.addBindValue(value);
        if (!query.exec())
            return sqlError(query, "registering this node");
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    {
        const std::lock_guard lock(m_urlsLock);
        m_urls.insert(m_config.nodeName, KnownUrl{advertiseUrl, 0}); // never read again
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
        qCWarning(lcNodes) << "node" << node << "stopped or has been silent for"
                           << m_config.lostAfterMs / 1000 << "s: taking over its meetings";
        if (m_lostHandler)
            m_lostHandler(node);
    }
}

QString NodeRegistry::advertiseUrl(const QString &node)
{
    {
        const std::lock_guard lock(m_urlsLock);
        if (const auto known = m_urls.constFind(node); known != m_urls.constEnd()
            && (node == m_config.nodeName
                || m_clock.nowMs() - known->readAtMs < m_config.heartbeatMs))
            return known->url;
    }
    CachedStatement query(m_database.connection(),
                          u"SELECT advertise_url FROM cluster_nodes WHERE name = ?"_s);
    query->bindValue(0, node);
    if (!query->exec() || !query->next())
        return {};
    const QString url = query->value(0).toString();
    const std::lock_guard lock(m_urlsLock);
    m_urls.insert(node, KnownUrl{url, m_clock.nowMs()});
    return url;
}

} // namespace quorum
