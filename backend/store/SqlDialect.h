#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace quorum {

// The differences between SQLite and PostgreSQL, in one place. Repositories write portable
// SQL and ask the dialect only for what cannot be portable.
class SqlDialect
{
public:
    virtual ~SqlDialect() = default;

    virtual QString driverName() const = 0;
    // Statements run on every new connection (pragmas, session settings).
    virtual QStringList connectionSetup() const = 0;
    // The statement that opens a write transaction.
    virtual QString beginWrite() const = 0;
    // Run right after beginWrite(): what makes writers of every node take turns.
    virtual QString lockWriters() const { return {}; }
};

class SqliteDialect final : public SqlDialect
{
public:
    SqliteDialect(bool fullSync, int busyTimeoutMs, bool backgroundCheckpoints)
        : m_fullSync(fullSync)
        , m_busyTimeoutMs(busyTimeoutMs)
        , m_backgroundCheckpoints(backgroundCheckpoints)
    { }

    QString driverName() const override { return QStringLiteral("QSQLITE"); }
    QStringList connectionSetup() const override
    {
        QStringList setup{
            QStringLiteral("PRAGMA journal_mode=WAL"),
            QStringLiteral("PRAGMA synchronous=%1").arg(m_fullSync ? u"FULL" : u"NORMAL"),
            QStringLiteral("PRAGMA busy_timeout=%1").arg(m_busyTimeoutMs),
            QStringLiteral("PRAGMA foreign_keys=ON")};
        // The server checkpoints from a timer instead, so no request pays for the fsync.
        if (m_backgroundCheckpoints)
            setup << QStringLiteral("PRAGMA wal_autocheckpoint=0");
        return setup;
    }
    // IMMEDIATE takes the write lock at once, so two writers never deadlock upgrading
    // their read locks.
    QString beginWrite() const override { return QStringLiteral("BEGIN IMMEDIATE"); }

private:
    bool m_fullSync;
    int m_busyTimeoutMs;
    bool m_backgroundCheckpoints;
};

// PostgreSQL, shared by every node. Writers take turns through one transaction-scoped
// advisory lock: the repositories read and then write inside a transaction (the next event
// sequence of a meeting, the last owner of a workspace), which is safe when one writer runs at
// a time, as on SQLite. Reads never wait for it.
class PostgresDialect final : public SqlDialect
{
public:
    // The advisory lock's key: any constant that no other application on the database uses.
    static constexpr qint64 kWriterLockKey = 0x51756f72756d; // "Quorum"

    QString driverName() const override { return QStringLiteral("QPSQL"); }
    QStringList connectionSetup() const override
    {
        // Notices ("already exists, skipping") would reach standard error through libpq.
        return {QStringLiteral("SET TIME ZONE 'UTC'"),
                QStringLiteral("SET application_name = 'quorumd'"),
                QStringLiteral("SET client_min_messages = warning")};
    }
    QString beginWrite() const override { return QStringLiteral("BEGIN"); }
    QString lockWriters() const override
    {
        return QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(kWriterLockKey);
    }
};

// Appended to a worker's SELECT of due rows (jobs, deliveries): on PostgreSQL each node locks
// the rows it takes and passes over those another node holds, so no row is taken twice at
// once and no node waits for another. SQLite has one writer and needs nothing.
inline QString skipLockedRows(const QSqlDatabase &db, const QString &table)
{
    if (db.driverName() != u"QPSQL")
        return {};
    return QStringLiteral(" FOR UPDATE OF %1 SKIP LOCKED").arg(table);
}

} // namespace quorum
