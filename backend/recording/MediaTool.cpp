#include "MediaTool.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

#include <sys/prctl.h>

#include <csignal>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcMediaTool, "quorum.recording.ffmpeg")

namespace {

// Enough of ffmpeg's standard error to say why it failed, not the whole log.
constexpr qsizetype kErrorTail = 600;

// The common head of every ffmpeg run: no prompts, only errors on stderr, progress on stdout.
QStringList ffmpegHead()
{
    return {u"-hide_banner"_s,  u"-nostdin"_s, u"-loglevel"_s, u"error"_s,  u"-nostats"_s,
            u"-stats_period"_s, u"0.2"_s,      u"-progress"_s, u"pipe:1"_s, u"-y"_s};
}

// janus-pp-rec's head: errors only, without colour codes in what we keep of them.
QStringList ppRecHead()
{
    return {u"--debug-level"_s, u"2"_s, u"--disable-colors"_s};
}

} // namespace

MediaTool::MediaTool(Programs programs, QObject *parent)
    : QObject(parent)
    , m_programs(std::move(programs))
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, &MediaTool::onTimeout);
}

MediaTool::~MediaTool()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

int MediaTool::timeoutFor(qint64 durationMs)
{
    // A minute to start up plus ten times real time: veryfast H.264 runs far quicker than
    // real time even on a shared small machine.
    const qint64 ms = 60'000 + 10 * std::max<qint64>(durationMs, 0);
    return int(std::min<qint64>(ms, 24LL * 3600 * 1000));
}

void MediaTool::toMp4(const QString &video, const QString &audio, const QString &output,
                      qint64 durationMs)
{
    QStringList arguments = ffmpegHead();
    arguments << u"-i"_s << video;
    if (audio.isEmpty())
        arguments << u"-f"_s << u"lavfi"_s << u"-i"_s << u"anullsrc=r=48000:cl=mono"_s;
    else
        arguments << u"-i"_s << audio;
    arguments << u"-map"_s << u"0:v:0"_s << u"-map"_s << u"1:a:0"_s;
    if (audio.isEmpty())
        arguments << u"-shortest"_s;
    arguments << u"-c:v"_s << u"libx264"_s << u"-preset"_s << u"veryfast"_s << u"-pix_fmt"_s
              << u"yuv420p"_s << u"-c:a"_s << u"aac"_s << u"-b:a"_s << u"128k"_s << u"-movflags"_s
              << u"+faststart"_s << u"-f"_s << u"mp4"_s << output;
    run(Kind::Transcode, m_programs.ffmpeg, arguments, durationMs);
}

void MediaTool::toM4a(const QString &audio, const QString &output, qint64 durationMs)
{
    QStringList arguments = ffmpegHead();
    // The "ipod" muxer is ffmpeg's M4A: an MP4 file for audio.
    arguments << u"-i"_s << audio << u"-map"_s << u"0:a:0"_s << u"-vn"_s << u"-c:a"_s << u"aac"_s
              << u"-b:a"_s << u"128k"_s << u"-movflags"_s << u"+faststart"_s << u"-f"_s << u"ipod"_s
              << output;
    run(Kind::Transcode, m_programs.ffmpeg, arguments, durationMs);
}

void MediaTool::probe(const QString &file)
{
    const QStringList arguments
        = {u"-v"_s,
           u"error"_s,
           u"-show_entries"_s,
           u"format=format_name,duration,size:stream=codec_type,codec_name"_s,
           u"-of"_s,
           u"json"_s,
           file};
    run(Kind::Probe, m_programs.ffprobe, arguments, 0);
}

void MediaTool::readMjrHeader(const QString &file)
{
    run(Kind::Header, m_programs.janusPpRec, ppRecHead() << u"--json"_s << file, 0);
}

void MediaTool::unpackMjr(const QString &file, const QString &output, qint64 durationMs)
{
    run(Kind::Unpack, m_programs.janusPpRec, ppRecHead() << file << output, durationMs);
}

void MediaTool::mixM4a(const QList<PlacedTrack> &audio, qint64 durationMs, const QString &output)
{
    run(Kind::Transcode, m_programs.ffmpeg,
        ffmpegHead() + roomcomposition::m4aArguments(audio, durationMs, output), durationMs);
}

void MediaTool::composeMp4(const QList<PlacedTrack> &video, const QString &audio, qint64 durationMs,
                           const QString &output)
{
    run(Kind::Transcode, m_programs.ffmpeg,
        ffmpegHead() + roomcomposition::mp4Arguments(video, audio, durationMs, output), durationMs);
}

void MediaTool::cancel()
{
    if (!m_process)
        return;
    m_cancelled = true;
    m_process->kill();
}

void MediaTool::run(Kind kind, const QString &program, const QStringList &arguments,
                    qint64 durationMs)
{
    Q_ASSERT(!m_process);
    m_kind = kind;
    m_durationMs = durationMs;
    m_stdout.clear();
    m_ok = false;
    m_cancelled = false;
    m_failedToStart = false;
    m_error.clear();
    m_probe = {};
    m_header = {};

    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    m_process->setArguments(arguments);
    // A killed server must not leave ffmpeg running on: the kernel kills the child when the
    // thread that forked it dies.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, &MediaTool::readProgress);
    connect(m_process.get(), &QProcess::finished, this, &MediaTool::onFinished);
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        // A child that never started reports no finished(); one that crashed does.
        if (e != QProcess::FailedToStart)
            return;
        m_failedToStart = true;
        fail(u"%1 could not be started"_s.arg(m_process->program()));
    });

    qCDebug(lcMediaTool) << "running" << program << arguments.join(u' ');
    m_timeout.start(timeoutFor(durationMs));
    m_process->start();
}

void MediaTool::readProgress()
{
    m_stdout += m_process->readAllStandardOutput();
    if (m_kind != Kind::Transcode)
        return;

    // key=value lines; out_time_us says how far the output has got.
    qsizetype end;
    while ((end = m_stdout.indexOf('\n')) >= 0) {
        const QByteArray line = m_stdout.left(end).trimmed();
        m_stdout.remove(0, end + 1);
        if (!line.startsWith("out_time_us=") || m_durationMs <= 0)
            continue;
        bool number = false;
        const qint64 us = line.mid(12).toLongLong(&number);
        if (number && us >= 0)
            Q_EMIT progress(int(std::clamp<qint64>(us / 10 / m_durationMs, 0, 100)));
    }
}

void MediaTool::onFinished(int exitCode, QProcess::ExitStatus status)
{
    m_timeout.stop();
    readProgress();
    if (m_cancelled) {
        fail(u"cancelled"_s);
        return;
    }
    if (status != QProcess::NormalExit || exitCode != 0) {
        // janus-pp-rec complains on standard output, ffmpeg on standard error.
        QByteArray complaint = m_process->readAllStandardError();
        if (complaint.trimmed().isEmpty())
            complaint = m_stdout;
        const QString tail = QString::fromUtf8(complaint.right(kErrorTail)).trimmed();
        fail(u"%1 exited with %2: %3"_s.arg(
            m_process->program(),
            status == QProcess::NormalExit ? QString::number(exitCode) : u"a crash"_s, tail));
        return;
    }

    if (m_kind == Kind::Probe) {
        m_probe = parseProbe(m_stdout);
        if (m_probe.formatName.isEmpty()) {
            fail(u"ffprobe gave no format"_s);
            return;
        }
    }
    if (m_kind == Kind::Header) {
        m_header = parseMjrHeader(m_stdout);
        if (!m_header.isValid()) {
            // janus-pp-rec prints a damaged header as it found it, and exits 0.
            fail(u"not a Janus recording: %1"_s.arg(QString::fromUtf8(m_stdout.left(200))));
            return;
        }
    }
    m_ok = true;
    m_process.release()->deleteLater();
    Q_EMIT finished();
}

void MediaTool::onTimeout()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    m_process->kill();
    m_process->waitForFinished(1000); // a SIGKILLed child is reaped at once
    fail(u"timed out"_s);
}

void MediaTool::fail(const QString &error)
{
    if (!m_process)
        return;
    m_timeout.stop();
    m_ok = false;
    m_error = error;
    qCDebug(lcMediaTool) << "run failed:" << error;
    // The process may be the sender of the signal that brought us here.
    m_process->disconnect(this);
    m_process.release()->deleteLater();
    Q_EMIT finished();
}

MediaProbe MediaTool::parseProbe(const QByteArray &json)
{
    MediaProbe probe;
    const QJsonObject root = QJsonDocument::fromJson(json).object();
    const QJsonObject format = root.value(u"format"_s).toObject();
    probe.formatName = format.value(u"format_name"_s).toString();
    // ffprobe writes numbers as strings: "2.000000", "12345".
    probe.durationMs = qRound64(format.value(u"duration"_s).toString().toDouble() * 1000.0);
    probe.sizeBytes = format.value(u"size"_s).toString().toLongLong();
    for (const QJsonValue &value : root.value(u"streams"_s).toArray()) {
        const QJsonObject stream = value.toObject();
        const QString type = stream.value(u"codec_type"_s).toString();
        const QString codec = stream.value(u"codec_name"_s).toString();
        if (type == u"video")
            probe.videoCodecs << codec;
        else if (type == u"audio")
            probe.audioCodecs << codec;
    }
    return probe;
}

MjrHeader MediaTool::parseMjrHeader(const QByteArray &json)
{
    MjrHeader header;
    const QJsonObject root = QJsonDocument::fromJson(json.trimmed()).object();
    const QString type = root.value(u"t"_s).toString();
    if (type == u"v")
        header.kind = u"video"_s;
    else if (type == u"a")
        header.kind = u"audio"_s;
    header.codec = root.value(u"c"_s).toString();
    // Microseconds since 1970: beyond a double's exact range only far past the year 2200.
    header.createdUs = qint64(root.value(u"s"_s).toDouble());
    header.writtenUs = qint64(root.value(u"u"_s).toDouble());
    return header;
}

} // namespace quorum
