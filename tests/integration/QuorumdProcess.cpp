#include "QuorumdProcess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QRegularExpression>

namespace quorum::testing {

QuorumdProcess::QuorumdProcess(QStringList extraArguments)
    : m_extraArguments(std::move(extraArguments))
{ }

QuorumdProcess::~QuorumdProcess()
{
    stop();
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
    return {QStringLiteral("--data-dir"), m_dataDir.path()};
}

bool QuorumdProcess::start(int timeoutMs)
{
    // A restart reports its own port; the previous run's output must not answer for it.
    m_stdout.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_program);
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
    return m_process ? m_process->readAllStandardError() : QByteArray();
}

QuorumdProcess::CommandResult QuorumdProcess::command(const QStringList &arguments,
                                                      const QByteArray &input) const
{
    QProcess process;
    process.start(m_program, commonArguments() + m_extraArguments + arguments);
    CommandResult result;
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
