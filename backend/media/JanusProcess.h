#pragma once

#include "JanusNode.h"
#include "core/Result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QTimer>

#include <memory>

namespace quorum::media {

// A Janus the server runs itself: a child process with a configuration generated for it (its
// WebSocket API on 127.0.0.1 at a free port, fresh API secret and VideoRoom admin key, only the
// VideoRoom plugin and the WebSocket transport loaded). A Janus that dies is started again
// after a second, on the same port and secrets. It dies with the server (PR_SET_PDEATHSIG), so
// it belongs to a long-lived thread.
class JanusProcess final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JanusProcess)

public:
    struct Config
    {
        QString program = QStringLiteral("janus");
        QString directory; // where the configuration goes (created 0700)
        QString region;
        QString iceEnforceList; // janus.jcfg nat.ice_enforce_list: interfaces or prefixes
        QString nat11Mapping; // the public address Janus announces behind 1:1 NAT
        QString stunServer; // host:port, for Janus to learn its public address
        QString rtpPortRange = QStringLiteral("20000-40000");
    };

    explicit JanusProcess(Config config, QObject *parent = nullptr);
    ~JanusProcess() override;

    // Writes the configuration, starts Janus and waits (up to `timeoutMs`) until its API
    // accepts connections. The node to connect to, or why Janus did not come up.
    Result<JanusNode> start(int timeoutMs = 15'000);
    void stop();

    // The program, found on PATH when it is a bare name; empty when it is not installed.
    static QString locate(const QString &program);

private:
    Status writeConfiguration();
    void launch();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void forwardOutput();

    Config m_config;
    JanusNode m_node;
    quint16 m_port = 0;
    std::unique_ptr<QProcess> m_process;
    QTimer m_restart;
    QByteArray m_lastLines;
    QElapsedTimer m_errorWindow;
    int m_errorsShown = 0;
    int m_errorsHeldBack = 0;
    bool m_stopping = false;
    bool m_starting = false;
};

} // namespace quorum::media
