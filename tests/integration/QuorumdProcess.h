#pragma once

#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace quorum::testing {

class TestDatabase;

enum class DatabaseAccess { ReadOnly, ReadWrite };

// A real quorumd in a temporary data directory, listening on 127.0.0.1 on a free port.
// Stopped with SIGTERM (and killed if it lingers) when destroyed.
//
// Its database is SQLite's file in the data dir, or, when QUORUM_TEST_POSTGRES_FILE names the
// test run's PostgreSQL server (the _pg variant of every integration test), a database of its
// own there, created with the object and dropped after the process is gone. Every start() and
// command() then passes that database, its password and a master key made in the data dir.
class QuorumdProcess final
{
public:
    explicit QuorumdProcess(QStringList extraArguments = {});
    // A second node on the database and master key of `first`, with a data dir, a port and a
    // node name of its own, and first's address as its public URL when first has started.
    // The database goes when the last node on it does.
    QuorumdProcess(const QuorumdProcess &first, const QString &nodeName,
                   QStringList extraArguments = {});
    ~QuorumdProcess();
    Q_DISABLE_COPY_MOVE(QuorumdProcess)

    bool start(int timeoutMs = 15000);
    // The flags of the next start() and command(): a restart on the same data dir with other
    // settings.
    void setExtraArguments(QStringList extraArguments)
    {
        m_extraArguments = std::move(extraArguments);
    }
    // Ends the process with SIGKILL at once, as a crash would, and waits for it to be gone.
    void kill();
    void stop(int timeoutMs = 15000);
    bool isRunning() const;
    int exitCode() const;
    // The running process's id (0 when none), e.g. to read its memory use in /proc.
    qint64 processId() const { return m_process ? m_process->processId() : 0; }

    quint16 port() const { return m_port; }
    QString baseUrl() const;
    QString dataDir() const { return m_dataDir.path(); }
    QByteArray standardError() const;
    QByteArray standardOutput() const { return m_stdout; }

    // Runs a quorumd command (token create, user create, ...) against the same data dir.
    struct CommandResult
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };
    CommandResult command(const QStringList &arguments, const QByteArray &input = {}) const;

    // A personal access token for the user (all scopes unless given).
    QString token(const QString &user = QStringLiteral("admin"),
                  const QString &workspace = QStringLiteral("default"),
                  const QStringList &scopes = {}) const;
    // Creates a workspace and returns its id.
    QString createWorkspace(const QString &name) const;
    // Creates a user and returns its id.
    QString createUser(const QString &name, const QString &workspace,
                       const QString &role = QStringLiteral("member")) const;

    // "sqlite" or "postgresql": what the server stores its data in.
    QString databaseEngine() const;
    // Opens the server's database (the SQLite file, or the PostgreSQL test database) under
    // connectionName, read-only unless asked. The caller closes it and removes the connection.
    QSqlDatabase openDatabase(const QString &connectionName,
                              DatabaseAccess access = DatabaseAccess::ReadOnly) const;
    // Where the master key is, in this data dir or in the first node's.
    QString masterKeyFile() const { return m_masterKeyFile; }

    static QString binaryPath();
    // The test build of quorumd (tests/capture), with the `test-capture` media plane.
    static QString testBuildPath();
    // Runs the test build from the next start() and command() on.
    void useTestBuild() { m_program = testBuildPath(); }

private:
    QStringList commonArguments() const;
    QProcessEnvironment environment() const;
    // On PostgreSQL: the master key file quorumd requires, before the first start or command.
    void createMasterKey();

    QString m_program = binaryPath();
    QTemporaryDir m_dataDir;
    // Shared with the second nodes; null on SQLite.
    std::shared_ptr<TestDatabase> m_database;
    // The flags that choose the database, the master key and the node name; empty for the
    // SQLite file in the own data dir.
    QStringList m_setupArguments;
    QString m_sqliteFile;
    QString m_masterKeyFile;
    QString m_setupError;
    QStringList m_extraArguments;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

} // namespace quorum::testing
