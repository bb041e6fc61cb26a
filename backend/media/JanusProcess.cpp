#include "JanusProcess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QNetworkInterface>
#include <QScopeGuard>
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
// At most this many of Janus's error lines reach the log in each window.
constexpr int kErrorsPerWindow = 20;
constexpr qint64 kErrorWindowMs = 60'000;

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

// Janus takes --janus-ice-interfaces as interface names or address prefixes, and quietly
// offers every interface when none matches; it never offers a loopback one. Both would leave
// media where the operator did not mean it to go, so they are refused here.
Status checkIceInterfaces(const QString &list)
{
    if (list.isEmpty())
        return success();
    const QList<QNetworkInterface> interfaces = QNetworkInterface::allInterfaces();
    for (const QString &entry : list.split(u',', Qt::SkipEmptyParts)) {
        const QString wanted = entry.trimmed();
        bool matched = false;
        bool loopbackOnly = true;
        for (const QNetworkInterface &candidate : interfaces) {
            const bool loopback = candidate.flags().testFlag(QNetworkInterface::IsLoopBack);
            bool matches = candidate.name() == wanted;
            for (const QNetworkAddressEntry &address : candidate.addressEntries())
                matches = matches || address.ip().toString().startsWith(wanted);
            if (matches) {
                matched = true;
                loopbackOnly = loopbackOnly && loopback;
            }
        }
        if (!matched)
            return Error{ErrorCode::InvalidRequest,
                         u"--janus-ice-interfaces: no interface or address of this machine "
                         "matches %1"_s.arg(wanted)};
        if (loopbackOnly)
            return Error{ErrorCode::InvalidRequest,
                         u"--janus-ice-interfaces: %1 is loopback, and Janus never offers media "
                         "on loopback; name a network interface or address"_s.arg(wanted)};
    }
    return success();
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
            m_config.program.contains(u'/')
                ? u"no Janus at %1 (--janus-binary): not an executable"_s.arg(m_config.program)
                : u"Janus is not installed (no %1 found; apt install janus)"_s.arg(
                    m_config.program)};
    m_config.program = program;

    if (const Status interfaces = checkIceInterfaces(m_config.iceEnforceList); !interfaces)
        return interfaces.error();

    m_port = freeLoopbackPort();
    if (m_port == 0)
        return Error{ErrorCode::Unavailable, u"no free loopback port for Janus's API"_s};
    m_node.name = u"local"_s;
    m_node.region = m_config.region;
    m_node.url = QUrl(u"ws://127.0.0.1:%1"_s.arg(m_port));
    m_node.apiSecret = newJanusSecret();
    m_node.adminKey = newJanusSecret();
    if (const Status written = writeConfiguration(); !written)
        return written.error();

    // A Janus that dies while starting is a failed start, not one to start again.
    m_starting = true;
    const auto started = qScopeGuard([this] { m_starting = false; });
    launch();
    QElapsedTimer waited;
    waited.start();
    while (waited.elapsed() < timeoutMs) {
        if (!m_process || m_process->waitForFinished(100)) {
            const QString said = QString::fromUtf8(m_lastLines).trimmed();
            const int exitCode = m_process ? m_process->exitCode() : -1;
            stop();
            return Error{ErrorCode::Unavailable,
                         said.isEmpty() ? u"%1 exited at start with code %2 and said nothing"_s.arg(
                             m_config.program, QString::number(exitCode))
                                        : u"Janus exited at start; its last words: %1"_s.arg(said)};
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
        nat += u"\tice_enforce_list = "_s + quoted(m_config.iceEnforceList) + u'\n';
    if (!m_config.nat11Mapping.isEmpty())
        nat += u"\tnat_1_1_mapping = "_s + quoted(m_config.nat11Mapping) + u'\n';
    if (!m_config.stunServer.isEmpty()) {
        const qsizetype colon = m_config.stunServer.lastIndexOf(u':');
        const QString host = colon > 0 ? m_config.stunServer.left(colon) : m_config.stunServer;
        const QString port = colon > 0 ? m_config.stunServer.mid(colon + 1) : u"3478"_s;
        nat += u"\tstun_server = "_s + quoted(host) + u"\n\tstun_port = "_s + port + u'\n';
    }
    nat += u"}\n"_s;

    const QString libraries = janusLibraries();
    if (libraries.isEmpty())
        return Error{ErrorCode::Unavailable,
                     u"Janus's VideoRoom plugin (libjanus_videoroom.so) is not installed"_s};
    // Plain concatenation: a value holding "%1" (a data directory may) must stay as it is.
    const auto setting = [](const char *name, const QString &value) {
        return u"\t"_s + QLatin1String(name) + u" = "_s + quoted(value) + u'\n';
    };
    const QString janus = u"general: {\n"_s + setting("configs_folder", m_config.directory)
        + setting("plugins_folder", libraries + u"/plugins"_s)
        + setting("transports_folder", libraries + u"/transports"_s)
        + setting("events_folder", libraries + u"/events"_s)
        + setting("loggers_folder", libraries + u"/loggers"_s)
        + u"\tdebug_level = 3\n\tdebug_colors = false\n"_s
        + setting("api_secret", m_node.apiSecret)
        // Recordings go wherever the server keeps them; nothing else is written.
        + u"\tprotected_folders = []\n}\n"_s + u"media: {\n"_s
        + setting("rtp_port_range", m_config.rtpPortRange) + u"}\n"_s + nat + u"plugins: {\n"_s
        + setting("disable", kUnusedPlugins.join(u',')) + u"}\n"_s + u"transports: {\n"_s
        + setting("disable", kUnusedTransports.join(u',')) + u"}\n"_s + u"loggers: {\n"_s
        + setting("disable", u"libjanus_jsonlog.so"_s) + u"}\n"_s
        + u"events: {\n\tbroadcast = false\n"_s + setting("disable", kEventHandlers.join(u','))
        + u"}\n"_s;
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
        if (!line.contains("[ERR]") && !line.contains("[FATAL]")) {
            qCDebug(lcJanusProcess).noquote() << "janus:" << line;
            continue;
        }
        // A participant's bad offers make Janus complain; they must not flood the log.
        if (!m_errorWindow.isValid() || m_errorWindow.elapsed() > kErrorWindowMs) {
            if (m_errorsHeldBack > 0)
                qCWarning(lcJanusProcess) << m_errorsHeldBack << "more Janus errors not shown";
            m_errorWindow.start();
            m_errorsShown = 0;
            m_errorsHeldBack = 0;
        }
        if (m_errorsShown++ < kErrorsPerWindow)
            qCWarning(lcJanusProcess).noquote() << "janus:" << line;
        else
            ++m_errorsHeldBack;
    }
}

void JanusProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_stopping || m_starting)
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
