#pragma once

#include "core/Result.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QSqlDatabase>
#include <QThread>

#include <functional>
#include <mutex>

namespace quorum {

class Database;

// The bus between nodes that share a PostgreSQL database: LISTEN/NOTIFY on one channel
// (DESIGN.md *Storage, scale-out and operations*). A message is a small JSON object with a
// kind; every node hears every message but its own. Published inside a write transaction, a
// message goes out when the transaction commits and not at all when it rolls back, so no node
// hears of a change it cannot read yet. Delivery is at most once: a node whose listening
// connection broke reconnects and is told (resync), so it can drop what it may have missed.
// On SQLite there is one node and no bus: publishing does nothing.
class ClusterBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterBus)

public:
    using Handler = std::function<void(const QJsonObject &message)>;
    // PostgreSQL refuses payloads of 8000 bytes and more. A longer message (the roster of a
    // large meeting) travels in parts, in order, and is handled once whole.
    static constexpr int kMaxPayloadBytes = 7999;

    ClusterBus(Database &database, QString nodeName);
    ~ClusterBus() override; // stop()

    // Before start(): what to do with one kind of message. Handlers run in the bus's thread.
    void subscribe(const QString &kind, Handler handler);
    // Before start(): called in the bus's thread after the listening connection came back.
    void setResyncHandler(std::function<void()> handler) { m_resync = std::move(handler); }

    // Listens from a thread of its own (PostgreSQL only). Fails when the database cannot be
    // reached.
    Status start();
    void stop();
    bool isActive() const { return m_active; }
    const QString &nodeName() const { return m_nodeName; }

    // From any thread, on the calling thread's connection: sent at once.
    Status publish(const QString &kind, QJsonObject message);
    // On `db`, which may be in a write transaction: sent when it commits.
    Status publish(QSqlDatabase db, const QString &kind, QJsonObject message);

private:
    bool listen();
    void checkListener();
    void dispatch(const QString &payload);
    Status notify(QSqlDatabase &db, const QByteArray &payload);

    // Parts of long messages, by sender and message id, until the last one comes.
    struct Partial
    {
        QString text;
        int next = 0;
        qint64 startedMs = 0;
    };

    Database &m_database;
    QString m_nodeName;
    QString m_connectionName;
    QHash<QString, Handler> m_handlers;
    std::function<void()> m_resync;
    QThread m_thread;
    QObject *m_anchor = nullptr; // lives in m_thread, with the listening connection
    bool m_active = false;
    QHash<QString, Partial> m_partials; // touched only in m_thread
};

} // namespace quorum
