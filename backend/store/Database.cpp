#include "Database.h"

#include "OutboxSignal.h"
#include "SqlDialect.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QThreadStorage>
#include <QUuid>

Q_LOGGING_CATEGORY(lcStore, "quorum.store")

namespace quorum {

namespace {

// Removes a thread's connection when the thread ends. QSqlDatabase::removeDatabase must run
// in the thread that used the connection, after every handle to it is gone.
struct ThreadConnections
{
    QStringList names;
    // Prepared statements by connection name and SQL text, compiled once per thread.
    QHash<QString, std::shared_ptr<QSqlQuery>> statements;

    ~ThreadConnections()
    {
        statements.clear();
        for (const QString &name : std::as_const(names)) {
            {
                QSqlDatabase db = QSqlDatabase::database(name, false);
                if (db.isValid())
                    db.close();
            }
            QSqlDatabase::removeDatabase(name);
        }
    }
};

QThreadStorage<ThreadConnections *> g_threadConnections;

QStringList splitStatements(const QString &script)
{
    QStringList statements;
    QString current;
    const QStringList lines = script.split(u'\n');
    for (const QString &line : lines) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(u"--"))
            continue;
        current += line + u'\n';
        if (trimmed.endsWith(u';')) {
            current = current.trimmed();
            current.chop(1);
            statements << current;
            current.clear();
        }
    }
    if (!current.trimmed().isEmpty())
        statements << current.trimmed();
    return statements;
}

} // namespace

CachedStatement::CachedStatement(const QSqlDatabase &db, const QString &sql)
{
    if (!g_threadConnections.hasLocalData())
        g_threadConnections.setLocalData(new ThreadConnections);
    auto &statements = g_threadConnections.localData()->statements;
    const QString key = db.connectionName() + u'\n' + sql;
    auto cached = statements.find(key);
    if (cached == statements.end()) {
        auto query = std::make_shared<QSqlQuery>(db);
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            qCWarning(lcStore) << "cannot prepare" << sql << query->lastError().text();
        cached = statements.insert(key, query);
    }
    m_query = *cached;
}

CachedStatement::~CachedStatement()
{
    // Resetting ends the statement's read transaction; SQLite would otherwise keep it open.
    m_query->finish();
}

Error sqlError(const QSqlQuery &query, const char *what)
{
    qCWarning(lcStore) << what << "failed:" << query.lastError().text();
    return {ErrorCode::Internal, QStringLiteral("The database refused the operation.")};
}

Database::Database(Options options)
    : m_options(std::move(options))
    , m_connectionPrefix(QUuid::createUuid().toString(QUuid::Id128))
{
    if (m_options.engine == Engine::Postgres)
        m_dialect = std::make_unique<PostgresDialect>();
    else
        m_dialect = std::make_unique<SqliteDialect>(m_options.synchronous == Synchronous::Full,
                                                    m_options.busyTimeoutMs,
                                                    m_options.backgroundCheckpoints);
}

QString Database::location() const
{
    if (m_options.engine == Engine::Sqlite)
        return m_options.sqlitePath;
    return QStringLiteral("postgresql://%1@%2:%3/%4")
        .arg(m_options.user, m_options.host)
        .arg(m_options.port)
        .arg(m_options.databaseName);
}

Database::~Database() = default;

const SqlDialect &Database::dialect() const
{
    return *m_dialect;
}

QSqlDatabase Database::connection()
{
    const QString name = m_connectionPrefix + u'-'
        + QString::number(reinterpret_cast<quintptr>(QThread::currentThread()), 16);
    // PostgreSQL's driver reports a connection the server dropped as closed, so a restarted
    // server costs the requests in flight, not the thread's connection for good.
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (db.isValid() && db.isOpen())
        return db;
    return openConnection(name);
}

QSqlDatabase Database::openConnection(const QString &name)
{
    const bool reopening = QSqlDatabase::contains(name);
    QSqlDatabase db = reopening ? QSqlDatabase::database(name, false)
                                : QSqlDatabase::addDatabase(m_dialect->driverName(), name);
    if (reopening) {
        // The statements prepared on the lost connection are gone with it; they go before the
        // connection does, which they still point to.
        qCWarning(lcStore) << "reconnecting to the database" << location();
        if (g_threadConnections.hasLocalData()) {
            auto &statements = g_threadConnections.localData()->statements;
            const QString prefix = name + u'\n';
            statements.removeIf(
                [&prefix](const auto &entry) { return entry.key().startsWith(prefix); });
        }
        db.close();
    }
    openConfigured(db);
    if (!g_threadConnections.hasLocalData())
        g_threadConnections.setLocalData(new ThreadConnections);
    if (!reopening)
        g_threadConnections.localData()->names << name;
    return db;
}

bool Database::openConfigured(QSqlDatabase &db)
{
    if (m_options.engine == Engine::Postgres) {
        db.setHostName(m_options.host);
        db.setPort(m_options.port);
        db.setUserName(m_options.user);
        db.setPassword(m_options.password);
        db.setDatabaseName(m_options.databaseName);
        db.setConnectOptions(m_options.connectOptions);
    } else {
        db.setDatabaseName(m_options.sqlitePath);
    }
    if (!db.open()) {
        qCCritical(lcStore) << "cannot open the database" << location() << ":"
                            << db.lastError().text();
        return false;
    }

    QSqlQuery query(db);
    for (const QString &statement : m_dialect->connectionSetup()) {
        if (!query.exec(statement))
            qCWarning(lcStore) << "connection setup failed:" << statement
                               << query.lastError().text();
    }
    return true;
}

QSqlDatabase Database::openDedicatedConnection(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(m_dialect->driverName(), name);
    openConfigured(db);
    return db;
}

Status Database::open()
{
    if (m_options.engine == Engine::Postgres) {
        QSqlDatabase db = connection();
        if (!db.isOpen())
            return Error{ErrorCode::Unavailable,
                         QStringLiteral("Cannot connect to the database %1: %2")
                             .arg(location(), db.lastError().databaseText().trimmed())};
        return migrate(db);
    }

    QDir().mkpath(QFileInfo(m_options.sqlitePath).absolutePath());
    QSqlDatabase db = connection();
    if (!db.isOpen())
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("Cannot open the database at %1.").arg(m_options.sqlitePath)};
    QFile::setPermissions(m_options.sqlitePath, QFile::ReadOwner | QFile::WriteOwner);
    return migrate(db);
}

Status Database::migrate(QSqlDatabase db)
{
    WriteTransaction transaction(*this);
    if (!transaction.isActive())
        return Error{ErrorCode::Unavailable, QStringLiteral("Cannot start the migration.")};

    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                   "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")))
        return sqlError(query, "creating schema_migrations");

    int current = 0;
    if (!query.exec(QStringLiteral("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")))
        return sqlError(query, "reading the schema version");
    if (query.next())
        current = query.value(0).toInt();

    const QDir migrations(QStringLiteral(":/quorum/migrations"));
    const QStringList files
        = migrations.entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
    static const QRegularExpression numbered(QStringLiteral("^(\\d+)_.*\\.sql$"));
    for (const QString &file : files) {
        const auto match = numbered.match(file);
        if (!match.hasMatch())
            continue;
        const int version = match.captured(1).toInt();
        if (version <= current)
            continue;

        QFile script(migrations.filePath(file));
        if (!script.open(QIODevice::ReadOnly))
            return Error{ErrorCode::Internal,
                         QStringLiteral("Cannot read migration %1.").arg(file)};
        for (const QString &statement : splitStatements(QString::fromUtf8(script.readAll()))) {
            if (!query.exec(statement))
                return sqlError(query, qPrintable(QStringLiteral("migration %1").arg(file)));
        }
        query.prepare(
            QStringLiteral("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)"));
        query.addBindValue(version);
        query.addBindValue(QDateTime::currentMSecsSinceEpoch());
        if (!query.exec())
            return sqlError(query, "recording the migration");
        qCInfo(lcStore) << "applied migration" << file;
    }
    return transaction.commit();
}

void Database::checkpoint()
{
    if (m_options.engine != Engine::Sqlite)
        return; // PostgreSQL checkpoints by itself

    // Without holding back our writers, passes copy the log into the database, fsync included.
    // A pass racing the writers never catches up with them, so the log would grow without
    // end; once it is long, one more pass with the writers held copies the rest, and the next
    // write starts the log over. Before that, passes repeat while the writers added much
    // during the last one: the held pass then has a short tail to copy, not the hundreds of
    // frames written during a long pass, and the requests wait less.
    // Each held pass stalls every write for two fsyncs (5 to 25 ms on the benchmark machine):
    // at 7,000 inserts a second, a 8,192-frame threshold held them five times a second and
    // set the p99 of POST /v1/meetings; at 65,536 frames (256 MiB of log at most) the stalls
    // come about once every two seconds. The log file is cut back after each restart.
    constexpr int kLongLogFrames = 65536;
    constexpr int kShortTailFrames = 256;
    constexpr int kMaxPasses = 6;
    auto run = [this] {
        QSqlQuery query(connection());
        if (!query.exec(QStringLiteral("PRAGMA wal_checkpoint(PASSIVE)")) || !query.next()) {
            qCWarning(lcStore) << "checkpoint failed:" << query.lastError().text();
            return 0;
        }
        return query.value(1).toInt(); // frames in the log
    };

    int frames = run();
    int added = frames;
    for (int pass = 1; pass < kMaxPasses && frames >= kLongLogFrames && added > kShortTailFrames;
         ++pass) {
        const int before = frames;
        frames = run();
        added = frames - before;
    }
    if (frames < kLongLogFrames)
        return;

    std::unique_lock<QMutex> lock(m_writeMutex);
    QElapsedTimer held;
    held.start();
    const int total = run();
    qCDebug(lcStore) << "checkpoint held the writers for" << held.elapsed() << "ms to copy"
                     << total - frames << "frames";
}

Status Database::backupTo(const QString &file)
{
    if (m_options.engine != Engine::Sqlite)
        return Error{ErrorCode::InvalidParameter,
                     QStringLiteral("The database is PostgreSQL's: back it up with pg_dump (for "
                                    "example pg_dump -Fc -f quorum.dump %1).")
                         .arg(m_options.databaseName)};
    if (QFileInfo::exists(file))
        return Error{ErrorCode::Conflict, QStringLiteral("%1 exists already.").arg(file)};
    QSqlQuery query(connection());
    query.prepare(QStringLiteral("VACUUM INTO ?"));
    query.addBindValue(file);
    if (!query.exec())
        return sqlError(query, "backup");
    QFile::setPermissions(file, QFile::ReadOwner | QFile::WriteOwner);
    return success();
}

namespace {

// BEGIN, COMMIT and ROLLBACK. SQLite's are prepared once per thread like any statement;
// PostgreSQL cannot prepare them, and its driver's own calls also catch a COMMIT that the server
// turned into a rollback.
bool runTransactionControl(Database &database, QSqlDatabase &db, const QString &statement)
{
    if (database.options().engine == Database::Engine::Postgres) {
        const bool done = statement == u"COMMIT" ? db.commit()
            : statement == u"ROLLBACK"           ? db.rollback()
                                                 : db.transaction();
        if (!done)
            qCWarning(lcStore) << statement << "failed:" << db.lastError().text();
        return done;
    }
    CachedStatement control(db, statement);
    if (!control->exec()) {
        qCWarning(lcStore) << statement << "failed:" << control->lastError().text();
        return false;
    }
    return true;
}

} // namespace

Database::WriteTransaction::WriteTransaction(Database &database, Locking locking)
    : m_database(database)
    , m_db(database.connection())
{
    const bool rowLocks
        = locking == Locking::RowLocks && database.options().engine == Engine::Postgres;
    // The process's own lock first: a thread waits on a mutex instead of on the database
    // (SQLite's busy handler, PostgreSQL's advisory lock).
    if (!rowLocks)
        m_lock = std::unique_lock<QMutex>(database.m_writeMutex);
    m_active = runTransactionControl(database, m_db, database.dialect().beginWrite());
    if (!m_active || rowLocks)
        return;
    if (const QString lockWriters = database.dialect().lockWriters(); !lockWriters.isEmpty()) {
        CachedStatement lock(m_db, lockWriters);
        if (!lock->exec()) {
            qCWarning(lcStore) << "cannot take the writers' lock:" << lock->lastError().text();
            runTransactionControl(database, m_db, QStringLiteral("ROLLBACK"));
            m_active = false;
        }
    }
}

Database::WriteTransaction::~WriteTransaction()
{
    if (m_active) {
        runTransactionControl(m_database, m_db, QStringLiteral("ROLLBACK"));
        outbox::transactionRolledBack();
    }
}

Status Database::WriteTransaction::commit()
{
    if (!m_active)
        return Error{ErrorCode::Internal, QStringLiteral("No transaction to commit.")};
    if (!runTransactionControl(m_database, m_db, QStringLiteral("COMMIT"))) {
        // PostgreSQL ends a transaction whose COMMIT failed; SQLite keeps it for the rollback.
        if (m_database.options().engine == Engine::Postgres) {
            m_active = false;
            outbox::transactionRolledBack();
        }
        return Error{ErrorCode::Internal, QStringLiteral("The database refused the operation.")};
    }
    m_active = false;
    // Committed: the writers' lock goes now, not when this object goes out of scope, so the
    // same scope may write again (a second transaction there would otherwise wait forever).
    if (m_lock.owns_lock())
        m_lock.unlock();

    // The rows are visible to every connection now; the listener only posts, so the writers'
    // lock is held no longer for it.
    outbox::transactionCommitted();
    return success();
}

} // namespace quorum
