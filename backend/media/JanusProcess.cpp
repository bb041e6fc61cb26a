#include "JanusProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>

#include <sys/prctl.h>
#include <unistd.h>

#include <csignal>

using namespace Qt::StringLiterals;

namespace quorum::media {

Q_LOGGING_CATEGORY(lcJanusProcess, "quorum.media.janus.process")

namespace {

constexpr int kRestartMs = 1000;
constexpr int kOutputLinesKept = 20;

// What Debian's janus package ships besides the VideoRoom and the WebSocket transport: loading
// them would open ports and threads nobody uses.
const QStringList kUnusedPlugins{
    u"libjanus_audiobridge.so"_s, u"libjanus_duktape.so"_s,   u"libjanus_echotest.so"_s,
    u"libjanus_lua.so"_s,         u"libjanus_nosip.so"_s,     u"libjanus_recordplay.so"_s,
    u"libjanus_sip.so"_s,         u"libjanus_streaming.so"_s, u"libjanus_textroom.so"_s,
    u"libjanus_videocall.so"_s,   u"libjanus_voicemail.so"_s};
const QStringList kEventHandlers{u"libjanus_gelfevh.so"_s,    u"libjanus_mqttevh.so"_s,
                                 u"libjanus_nanomsgevh.so"_s, u"libjanus_rabbitmqevh.so"_s,
                                 u"libjanus_sampleevh.so"_s,  u"libjanus_wsevh.so"_s};
const QStringList kUnusedTransports{u"libjanus_http.so"_s, u"libjanus_mqtt.so"_s,
                                    u"libjanus_nanomsg.so"_s, u"libjanus_pfunix.so"_s,
                                    u"libjanus_rabbitmq.so"_s};

QString randomHex(int words)
{
    QString text;
    for (int i = 0; i < words; ++i)
        text += QString::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, u'0');
    return text;
}

// Where the janus package put its plugins: /usr/lib/<multiarch triplet>/janus on Debian.
QString janusLibraries()
{
    QStringList candidates;
    for (const QString &triplet : QDir(u"/usr/lib"_s).entryList({u"*-linux-*"_s}, QDir::Dirs))
        candidates << u"/usr/lib/"_s + triplet + u"/janus"_s;
    candidates << u"/usr/lib/janus"_s << u"/usr/local/lib/janus"_s << u"/opt/janus/lib/janus"_s;
    for (const QString &candidate : std::as_const(candidates))
        if (QFileInfo::exists(candidate + u"/plugins/libjanus_videoroom.so"_s))
            return candidate;
    return {};
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// A jcfg string: Janus's libconfig syntax, double-quoted with backslash escapes.
QString quoted(const QString &value)
{
    QString escaped = value;
    escaped.replace(u'\\', u"\\\\"_s).replace(u'"', u"\\\""_s);
    return u'"' + escaped + u'"';
}

Status writePrivateFile(const QString &path, const QString &text)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error{ErrorCode::Internal, u"cannot write %1: %2"_s.arg(path, file.errorString())};
    // The API secret and the admin key are in it: nobody else may read it.
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(text.toUtf8());
    return success();
}

} // namespace

JanusProcess::JanusProcess(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    m_restart.setSingleShot(true);
    connect(&m_restart, &QTimer::timeout, this, &JanusProcess::launch);
}

JanusProcess::~JanusProcess()
{
    stop();
}

QString JanusProcess::locate(const QString &program)
{
    if (program.contains(u'/'))
        return QFileInfo(program).isExecutable() ? program : QString();
    // Debian installs janus in /usr/bin; sbin paths are for distributions that put it there.
    return QStandardPaths::findExecutable(
        program, {u"/usr/local/bin"_s, u"/usr/bin"_s, u"/usr/local/sbin"_s, u"/usr/sbin"_s});
}

Result<JanusNode> JanusProcess::start(int timeoutMs)
{
    const QString program = locate(m_config.program);
    if (program.isEmpty())
        return Error{
            ErrorCode::Unavailable,
            u"Janus is not installed (no %1 found; apt install janus)"_s.arg(m_config.program)};
    m_config.program = program;

    m_port = freeLoopbackPort();
    if (m_port == 0)
        return Error{ErrorCode::Unavailable, u"no free loopback port for Janus's API"_s};
    m_node.name = u"local"_s;
    m_node.region = m_config.region;
    m_node.url = QUrl(u"ws://127.0.0.1:%1"_s.arg(m_port));
    m_node.apiSecret = randomHex(6);
    m_node.adminKey = randomHex(6);
    if (const Status written = writeConfiguration(); !written)
        return written.error();

    launch();
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < timeoutMs) {
        if (!m_process || m_process->waitForFinished(100)) {
            const QString said = QString::fromUtf8(m_lastLines).trimmed();
            stop();
            return Error{ErrorCode::Unavailable,
                         u"Janus exited at start; its last words: %1"_s.arg(said)};
        }
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, m_port);
        if (probe.waitForConnected(200)) {
            qCInfo(lcJanusProcess) << "Janus" << program << "is up, API on" << m_node.url.toString()
                                   << "(" << waited.elapsed() << "ms)";
            return m_node;
        }
    }
    stop();
    return Error{ErrorCode::Unavailable,
                 u"Janus did not open its API within %1 s"_s.arg(timeoutMs / 1000)};
}

Status JanusProcess::writeConfiguration()
{
    QDir directory(m_config.directory);
    if (!directory.mkpath(u"."_s))
        return Error{ErrorCode::Internal, u"cannot create %1"_s.arg(m_config.directory)};
    QFile::setPermissions(m_config.directory,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    QString nat = u"nat: {\n"_s;
    if (!m_config.iceEnforceList.isEmpty())
        nat += u"\tice_enforce_list = %1\n"_s.arg(quoted(m_config.iceEnforceList));
    if (!m_config.nat11Mapping.isEmpty())
        nat += u"\tnat_1_1_mapping = %1\n"_s.arg(quoted(m_config.nat11Mapping));
    if (!m_config.stunServer.isEmpty()) {
        const qsizetype colon = m_config.stunServer.lastIndexOf(u':');
        const QString host = colon > 0 ? m_config.stunServer.left(colon) : m_config.stunServer;
        const QString port = colon > 0 ? m_config.stunServer.mid(colon + 1) : u"3478"_s;
        nat += u"\tstun_server = %1\n\tstun_port = %2\n"_s.arg(quoted(host), port);
    }
    nat += u"}\n"_s;

    const QString libraries = janusLibraries();
    if (libraries.isEmpty())
        return Error{ErrorCode::Unavailable,
                     u"Janus's VideoRoom plugin (libjanus_videoroom.so) is not installed"_s};
    const QString janus
        = u"general: {\n"
          "\tconfigs_folder = %1\n"
          "\tplugins_folder = %2\n"
          "\ttransports_folder = %3\n"
          "\tevents_folder = %4\n"
          "\tloggers_folder = %5\n"
          "\tdebug_level = 3\n"
          "\tdebug_colors = false\n"
          "\tapi_secret = %6\n"
          // Recordings go wherever the server keeps them; nothing else is written.
          "\tprotected_folders = []\n"
          "}\n"
          "media: {\n\trtp_port_range = %7\n}\n"
          "%8"
          "plugins: {\n\tdisable = %9\n}\n"
          "transports: {\n\tdisable = %10\n}\n"
          "loggers: {\n\tdisable = \"libjanus_jsonlog.so\"\n}\n"
          "events: {\n\tbroadcast = false\n\tdisable = %11\n}\n"_s
              .arg(quoted(m_config.directory), quoted(libraries + u"/plugins"_s),
                   quoted(libraries + u"/transports"_s), quoted(libraries + u"/events"_s),
                   quoted(libraries + u"/loggers"_s), quoted(m_node.apiSecret),
                   quoted(m_config.rtpPortRange), nat, quoted(kUnusedPlugins.join(u',')))
              .arg(quoted(kUnusedTransports.join(u',')), quoted(kEventHandlers.join(u',')));
    const QString videoRoom
        = u"general: {\n\tstring_ids = true\n\tadmin_key = %1\n}\n"_s.arg(quoted(m_node.adminKey));
    const QString webSockets
        = u"general: {\n"
          "\tjson = \"plain\"\n"
          "\tws = true\n"
          "\tws_port = %1\n"
          "\tws_ip = \"127.0.0.1\"\n"
          "\twss = false\n"
          "}\n"
          "admin: {\n\tadmin_ws = false\n\tadmin_wss = false\n}\n"_s.arg(m_port);

    for (const auto &[name, text] :
         {std::pair{u"janus.jcfg"_s, janus}, std::pair{u"janus.plugin.videoroom.jcfg"_s, videoRoom},
          std::pair{u"janus.transport.websockets.jcfg"_s, webSockets}}) {
        if (const Status written = writePrivateFile(directory.filePath(name), text); !written)
            return written;
    }
    return success();
}

void JanusProcess::launch()
{
    m_stopping = false;
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(m_config.program);
    const QString configuration = QDir(m_config.directory).filePath(u"janus.jcfg"_s);
    m_process->setArguments(
        {u"--config=%1"_s.arg(configuration), u"--configs-folder=%1"_s.arg(m_config.directory)});
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    // Janus must not outlive the server: the kernel ends it when the thread that forked it dies.
    // Its own process group keeps a terminal's Ctrl-C from reaching it before the server has
    // closed its rooms.
    m_process->setChildProcessModifier([] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        ::setpgid(0, 0);
    });
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this,
            &JanusProcess::forwardOutput);
    connect(m_process.get(), &QProcess::finished, this, &JanusProcess::onFinished);
    m_process->start();
}

void JanusProcess::forwardOutput()
{
    while (m_process && m_process->canReadLine()) {
        const QByteArray line = m_process->readLine().trimmed();
        if (line.isEmpty())
            continue;
        m_lastLines += line + '\n';
        const QList<QByteArray> lines = m_lastLines.split('\n');
        if (lines.size() > kOutputLinesKept)
            m_lastLines = lines.mid(lines.size() - kOutputLinesKept).join('\n');
        if (line.contains("[ERR]") || line.contains("[FATAL]"))
            qCWarning(lcJanusProcess).noquote() << "janus:" << line;
        else
            qCDebug(lcJanusProcess).noquote() << "janus:" << line;
    }
}

void JanusProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_stopping)
        return;
    const char *how = status == QProcess::CrashExit ? "crash" : "exit";
    qCWarning(lcJanusProcess) << "Janus stopped (" << how << exitCode << "); starting it again in"
                              << kRestartMs << "ms";
    m_restart.start(kRestartMs);
}

void JanusProcess::stop()
{
    m_restart.stop();
    if (!m_process)
        return;
    m_stopping = true;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }
    m_process.reset();
}

} // namespace quorum::media
