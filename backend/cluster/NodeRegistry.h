#pragma once

#include "core/Result.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>
#include <mutex>

class QTimer;

namespace quorum {

class Clock;
class Database;

// The nodes sharing the database (the cluster_nodes table): this node's row, kept fresh by a
// heartbeat, and what this node knows of the others. A node whose heartbeat is older than
// lostAfterMs is reported to the lost handler, on every node, until one of them has taken its
// meetings over (SignalHub::takeOverLostNode marks it lost in the same transaction).
class NodeRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodeRegistry)

public:
    struct Config
    {
        QString nodeName;
        QString region;
        int heartbeatMs = 5000;
        int lostAfterMs = 30000;
        bool watchOthers = false; // several nodes may share the database (PostgreSQL)
    };

    NodeRegistry(Database &database, const Clock &clock, Config config, QObject *parent = nullptr);
    ~NodeRegistry() override;

    // Writes this node's row (fresh heartbeat, not stopped, not lost) with the address
    // clients reach it at, and starts the heartbeat. Refuses to when a live node already goes
    // by this name (its heartbeat still moves) or serves another public URL.
    Status start(const QString &advertiseUrl, const QString &publicUrl);
    // Marks this node stopped; the others take its meetings over once its heartbeat is old.
    void stop();

    // Called with a node's name when its heartbeat is older than lostAfterMs.
    void setLostHandler(std::function<void(const QString &node)> handler)
    {
        m_lostHandler = std::move(handler);
    }

    // Thread-safe. The signalling address of a node (this one's included), read from the
    // database and kept for a heartbeat (a node restarted under its name may listen
    // elsewhere); empty for an unknown node.
    QString advertiseUrl(const QString &node);
    const Config &config() const { return m_config; }

private:
    void beat();
    Status checkOthers(const QString &publicUrl);

    Database &m_database;
    const Clock &m_clock;
    Config m_config;
    QTimer *m_timer = nullptr;
    std::function<void(const QString &)> m_lostHandler;
    struct KnownUrl
    {
        QString url;
        qint64 readAtMs = 0;
    };
    std::mutex m_urlsLock;
    QHash<QString, KnownUrl> m_urls;
};

} // namespace quorum
