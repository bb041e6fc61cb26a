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
    m_dialect
        = std::make_unique<SqliteDialect>(m_options.synchronous == Synchronous::Full,
                                          m_options.busyTimeoutMs, m_options.backgroundCheckpoints);
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
    QSqlDatabase db = QSqlDatabase::database(name, false);
    if (db.isValid() && db.isOpen())
        return db;
    return openConnection(name);
}

QSqlDatabase Database::openConnection(const QString &name)
{
    QSqlDatabase db = QSqlDatabase::contains(name)
        ? QSqlDatabase::database(name, false)
        : QSqlDatabase::addDatabase(m_dialect->driverName(), name);
    db.setDatabaseName(m_options.sqlitePath);
    if (!db.open()) {
        qCCritical(lcStore) << "cannot open the database" << m_options.sqlitePath << ":"
                            << db.lastError().text();
        return db;
    }

    QSqlQuery query(db);
    for (const QString &statement : m_dialect->connectionSetup()) {
        if (!query.exec(statement))
            qCWarning(lcStore) << "connection setup failed:" << statement
                               << query.lastError().text();
    }

    if (!g_threadConnections.hasLocalData())
        g_threadConnections.setLocalData(new ThreadConnections);
    g_threadConnections.localData()->names << name;
    return db;
}

Status Database::open()
{
    if (m_options.engine != Engine::Sqlite)
        return Error{ErrorCode::Internal, QStringLiteral("Only SQLite is supported so far.")};

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
    if (frames < kLongLogFrames || !m_dialect->serialisesWriters())
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

Database::WriteTransaction::WriteTransaction(Database &database)
    : m_database(database)
    , m_db(database.connection())
{
    if (database.dialect().serialisesWriters())
        m_lock = std::unique_lock<QMutex>(database.m_writeMutex);
    CachedStatement begin(m_db, database.dialect().beginWrite());
    m_active = begin->exec();
    if (!m_active)
        qCWarning(lcStore) << "cannot begin a write transaction:" << begin->lastError().text();
}

Database::WriteTransaction::~WriteTransaction()
{
    if (m_active) {
        CachedStatement rollback(m_db, QStringLiteral("ROLLBACK"));
        rollback->exec();
        outbox::transactionRolledBack();
    }
}

Status Database::WriteTransaction::commit()
{
    if (!m_active)
        return Error{ErrorCode::Internal, QStringLiteral("No transaction to commit.")};
    CachedStatement commit(m_db, QStringLiteral("COMMIT"));
    if (!commit->exec())
        return sqlError(*commit, "commit");
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
