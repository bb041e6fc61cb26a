#pragma once

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
    // Whether the process must serialise writers itself.
    virtual bool serialisesWriters() const = 0;
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
    bool serialisesWriters() const override { return true; }

private:
    bool m_fullSync;
    int m_busyTimeoutMs;
    bool m_backgroundCheckpoints;
};

} // namespace quorum
