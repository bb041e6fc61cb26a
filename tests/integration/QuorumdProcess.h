#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

namespace quorum::testing {

// A real quorumd in a temporary data directory, listening on 127.0.0.1 on a free port.
// Stopped with SIGTERM (and killed if it lingers) when destroyed.
class QuorumdProcess final
{
public:
    explicit QuorumdProcess(QStringList extraArguments = {});
    ~QuorumdProcess();

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

    static QString binaryPath();
    // The test build of quorumd (tests/capture), with the `test-capture` media plane.
    static QString testBuildPath();
    // Runs the test build from the next start() and command() on.
    void useTestBuild() { m_program = testBuildPath(); }

private:
    QStringList commonArguments() const;

    QString m_program = binaryPath();
    QTemporaryDir m_dataDir;
    QStringList m_extraArguments;
    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

} // namespace quorum::testing
