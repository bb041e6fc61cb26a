#include "QuorumdProcess.h"

#include "TestDatabase.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace quorum::testing {

QuorumdProcess::QuorumdProcess(QStringList extraArguments)
    : m_sqliteFile(m_dataDir.filePath(u"quorum.db"_s))
    , m_masterKeyFile(m_dataDir.filePath(u"master.key"_s))
    , m_extraArguments(std::move(extraArguments))
{
    if (!TestDatabase::isConfigured())
        return;
    m_database = std::make_shared<TestDatabase>();
    m_setupError = m_database->errorString();
    if (!m_setupError.isEmpty())
        return;
    m_setupArguments
        = {u"--database"_s, m_database->url(), u"--master-key-file"_s, m_masterKeyFile};
    createMasterKey();
}

QuorumdProcess::QuorumdProcess(const QuorumdProcess &first, const QString &nodeName,
                               QStringList extraArguments)
    : m_database(first.m_database)
    , m_sqliteFile(first.m_sqliteFile)
    , m_masterKeyFile(first.m_masterKeyFile)
    , m_setupError(first.m_setupError)
    , m_extraArguments(std::move(extraArguments))
{
    // On SQLite both processes open the first one's file, which SQLite's locks allow.
    m_setupArguments << u"--database"_s
                     << (m_database ? m_database->url() : u"sqlite:"_s + m_sqliteFile)
                     << u"--master-key-file"_s << m_masterKeyFile << u"--node-name"_s << nodeName;
    // Nodes on one database share the public URL (a balancer's): the first node's stands in.
    if (first.port() != 0)
        m_setupArguments << u"--public-url"_s << first.baseUrl();
}

QuorumdProcess::~QuorumdProcess()
{
    stop();
    // The database outlives every process on it.
    m_database.reset();
}

void QuorumdProcess::createMasterKey()
{
    QProcess process;
    process.start(m_program, {u"master-key"_s, u"create"_s, m_masterKeyFile});
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished(5000);
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        m_setupError = u"quorumd master-key create failed: %1"_s.arg(
            QString::fromLocal8Bit(process.readAllStandardError()));
    }
}

QString QuorumdProcess::databaseEngine() const
{
    return m_database ? u"postgresql"_s : u"sqlite"_s;
}

QSqlDatabase QuorumdProcess::openDatabase(const QString &connectionName,
                                          DatabaseAccess access) const
{
    const bool readOnly = access == DatabaseAccess::ReadOnly;
    QSqlDatabase db;
    if (m_database) {
        db = m_database->addConnection(connectionName, readOnly);
    } else {
        db = QSqlDatabase::addDatabase(u"QSQLITE"_s, connectionName);
        db.setDatabaseName(m_sqliteFile);
        // The server writes while we read: wait for its locks rather than fail.
        db.setConnectOptions(readOnly ? u"QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"_s
                                      : u"QSQLITE_BUSY_TIMEOUT=5000"_s);
    }
    db.open();
    return db;
}

QProcessEnvironment QuorumdProcess::environment() const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (m_database)
        environment.insert(u"QUORUM_DATABASE_PASSWORD"_s, m_database->password());
    return environment;
}

QString QuorumdProcess::binaryPath()
{
    const QByteArray fromEnvironment = qgetenv("QUORUMD_BINARY");
    return fromEnvironment.isEmpty() ? QStringLiteral(QUORUMD_BINARY_PATH)
                                     : QString::fromLocal8Bit(fromEnvironment);
}

QString QuorumdProcess::testBuildPath()
{
    const QByteArray fromEnvironment = qgetenv("QUORUMD_TEST_BINARY");
    return fromEnvironment.isEmpty() ? QStringLiteral(QUORUMD_TEST_BINARY_PATH)
                                     : QString::fromLocal8Bit(fromEnvironment);
}

QStringList QuorumdProcess::commonArguments() const
{
    return QStringList{QStringLiteral("--data-dir"), m_dataDir.path()} + m_setupArguments;
}

bool QuorumdProcess::start(int timeoutMs)
{
    // A restart reports its own port; the previous run's output must not answer for it.
    m_stdout.clear();
    m_process = std::make_unique<QProcess>();
    if (!m_setupError.isEmpty())
        return false;
    m_process->setProgram(m_program);
    m_process->setProcessEnvironment(environment());
    QStringList arguments = commonArguments();
    arguments << QStringLiteral("--listen") << QStringLiteral("127.0.0.1:0")
              << QStringLiteral("--media") << QStringLiteral("builtin") << m_extraArguments;
    m_process->setArguments(arguments);
    m_process->start();
    if (!m_process->waitForStarted(timeoutMs))
        return false;

    static const QRegularExpression listening(QStringLiteral("\\(port (\\d+)\\)"));
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process->state() == QProcess::Running) {
        m_process->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        m_stdout += m_process->readAllStandardOutput();
        const auto match = listening.match(QString::fromUtf8(m_stdout));
        if (match.hasMatch()) {
            m_port = quint16(match.captured(1).toUInt());
            return true;
        }
    }
    return false;
}

void QuorumdProcess::stop(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(timeoutMs)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

void QuorumdProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
}

bool QuorumdProcess::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

int QuorumdProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

QString QuorumdProcess::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QByteArray QuorumdProcess::standardError() const
{
    if (!m_setupError.isEmpty())
        return m_setupError.toLocal8Bit();
    return m_process ? m_process->readAllStandardError() : QByteArray();
}

QuorumdProcess::CommandResult QuorumdProcess::command(const QStringList &arguments,
                                                      const QByteArray &input) const
{
    CommandResult result;
    if (!m_setupError.isEmpty()) {
        result.err = m_setupError.toLocal8Bit();
        return result;
    }
    QProcess process;
    process.setProcessEnvironment(environment());
    process.start(m_program, commonArguments() + m_extraArguments + arguments);
    if (!process.waitForStarted(10000))
        return result;
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished(5000);
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

QString QuorumdProcess::token(const QString &user, const QString &workspace,
                              const QStringList &scopes) const
{
    QStringList arguments{QStringLiteral("token"),       QStringLiteral("create"),
                          QStringLiteral("--user"),      user,
                          QStringLiteral("--workspace"), workspace};
    if (!scopes.isEmpty())
        arguments << QStringLiteral("--scopes") << scopes.join(u',');
    return QString::fromUtf8(command(arguments).out).trimmed();
}

QString QuorumdProcess::createWorkspace(const QString &name) const
{
    return QString::fromUtf8(
               command({QStringLiteral("workspace"), QStringLiteral("create"), name}).out)
        .trimmed();
}

QString QuorumdProcess::createUser(const QString &name, const QString &workspace,
                                   const QString &role) const
{
    return QString::fromUtf8(
               command({QStringLiteral("user"), QStringLiteral("create"), name,
                        QStringLiteral("--workspace"), workspace, QStringLiteral("--role"), role},
                       "correct horse battery staple\n")
                   .out)
        .trimmed();
}

} // namespace quorum::testing
