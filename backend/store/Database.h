#pragma once

#include "core/Result.h"

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>

#include <memory>
#include <mutex>

namespace quorum {

class SqlDialect;

// Where the data lives and how to reach it. One Database serves every thread: each thread
// gets a connection of its own on first use (QtSql connections must not cross threads), and
// the connection goes away with the thread.
class Database final
{
public:
    enum class Engine { Sqlite, Postgres };
    enum class Synchronous { Normal, Full };

    struct Options
    {
        Engine engine = Engine::Sqlite;
        QString sqlitePath; // the database file
        Synchronous synchronous = Synchronous::Normal;
        int busyTimeoutMs = 5000;
        bool backgroundCheckpoints = false; // the owner calls checkpoint() periodically
        // PostgreSQL: where the server is and who we are there.
        QString host;
        int port = 5432;
        QString user;
        QString password;
        QString databaseName;
        QString connectOptions; // libpq's, e.g. "sslmode=require;connect_timeout=10"
    };

    explicit Database(Options options);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    // Opens the calling thread's connection and applies pending migrations (in one
    // transaction). Call once at start, before serving.
    Status open();

    // The calling thread's connection, opened on first use.
    QSqlDatabase connection();
    // A connection of the caller's own under `name`, for a purpose that must not share the
    // thread's (listening for notifications). The caller closes and removes it.
    QSqlDatabase openDedicatedConnection(const QString &name);
    const SqlDialect &dialect() const;
    const Options &options() const { return m_options; }

    // A write transaction. SQLite allows one writer at a time; taking our own lock first
    // spares the threads SQLite's sleeping busy handler, which costs milliseconds under load.
    class WriteTransaction
    {
    public:
        // AllWriters takes turns with every writer of every node. RowLocks is for what needs
        // no turn: workers claiming rows with skipLockedRows(), and transactions that insert
        // rows of their own and change no other. On PostgreSQL they rely on row locks and
        // commit side by side; on SQLite there is only the turn.
        enum class Locking { AllWriters, RowLocks };
        explicit WriteTransaction(Database &database, Locking locking = Locking::AllWriters);
        ~WriteTransaction(); // rolls back unless committed
        Q_DISABLE_COPY_MOVE(WriteTransaction)

        QSqlDatabase &db() { return m_db; }
        bool isActive() const { return m_active; }
        Status commit();

    private:
        Database &m_database;
        QSqlDatabase m_db;
        std::unique_lock<QMutex> m_lock;
        bool m_active = false;
    };

    // Moves the write-ahead log into the database (without blocking writers).
    void checkpoint();

    // Copies a consistent snapshot of the database into `file` (SQLite's VACUUM INTO).
    Status backupTo(const QString &file);

    // Where the data is, for people: the file, or the PostgreSQL URL without its password.
    QString location() const;

private:
    QSqlDatabase openConnection(const QString &name);
    // Points db at the database, opens it and runs the dialect's set-up; false on failure.
    bool openConfigured(QSqlDatabase &db);
    Status migrate(QSqlDatabase db);

    Options m_options;
    std::unique_ptr<SqlDialect> m_dialect;
    QString m_connectionPrefix;
    QMutex m_writeMutex;
};

// A prepared statement of the calling thread's connection, compiled on first use and kept
// for the thread's life: the hot reads skip SQLite's compiler. Bind with bindValue(index)
// (positional binds accumulate otherwise); the statement is reset when this goes away.
class CachedStatement final
{
public:
    CachedStatement(const QSqlDatabase &db, const QString &sql);
    ~CachedStatement();
    Q_DISABLE_COPY_MOVE(CachedStatement)

    QSqlQuery &operator*() { return *m_query; }
    QSqlQuery *operator->() { return m_query.get(); }

private:
    std::shared_ptr<QSqlQuery> m_query;
};

// Logs the query's error and turns it into an internal Error.
Error sqlError(const class QSqlQuery &query, const char *what);

} // namespace quorum
