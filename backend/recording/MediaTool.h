#pragma once

#include "RoomComposition.h"

#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace quorum {

// What ffprobe reads of a media file.
struct MediaProbe
{
    QString formatName; // ffprobe's list, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    qint64 durationMs = 0;
    qint64 sizeBytes = 0;
    QStringList videoCodecs; // "h264", ...
    QStringList audioCodecs; // "aac", ...
};

// The header of a Janus recorder file (.mjr), as `janus-pp-rec --json` prints it.
struct MjrHeader
{
    QString kind; // "video" or "audio"
    QString codec; // "vp8", "opus", ...
    qint64 createdUs = 0; // Unix time of the recorder's creation, microseconds
    qint64 writtenUs = 0; // of its first packet: where the unpacked media's time 0 lies

    bool isValid() const { return !kind.isEmpty() && !codec.isEmpty() && writtenUs > 0; }
};

// One run of ffmpeg, ffprobe or janus-pp-rec at a time, asynchronous (QProcess in the calling
// thread's event loop; nothing here blocks). A run ends with finished(); ok() and errorString()
// tell how it went. Children die with the server: PR_SET_PDEATHSIG is set in each child (Linux),
// which ties the child to the thread that started it, so a MediaTool belongs to a long-lived
// thread.
class MediaTool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MediaTool)

public:
    struct Programs
    {
        QString ffmpeg = QStringLiteral("ffmpeg");
        QString ffprobe = QStringLiteral("ffprobe");
        // Janus's post-processor (Debian janus-tools): recorder files into WebM and Opus.
        QString janusPpRec = QStringLiteral("janus-pp-rec");
    };

    explicit MediaTool(Programs programs, QObject *parent = nullptr);
    ~MediaTool() override;

    // Raw video and audio into an MP4 (H.264 + AAC, moov up front). `audio` may be empty: the
    // MP4 then gets a silent track, so it always has both. `durationMs` (0 when unknown) scales
    // progress() and the timeout.
    void toMp4(const QString &video, const QString &audio, const QString &output,
               qint64 durationMs);
    // Raw audio into an M4A (AAC).
    void toM4a(const QString &audio, const QString &output, qint64 durationMs);
    // Reads the container and streams of `file`; probeResult() holds them after finished().
    void probe(const QString &file);
    // Reads the header of a Janus recorder file; mjrHeader() holds it after finished().
    void readMjrHeader(const QString &file);
    // A Janus recorder file into `output`, whose extension picks the container (.webm for
    // VP8, .opus for Opus). `durationMs` scales the timeout.
    void unpackMjr(const QString &file, const QString &output, qint64 durationMs);
    // A room's capture (RoomComposition): the mixed audio into an M4A, and the grid of the
    // videos with that M4A's audio into an MP4 (`audio` empty: silence).
    void mixM4a(const QList<PlacedTrack> &audio, qint64 durationMs, const QString &output);
    void composeMp4(const QList<PlacedTrack> &video, const QString &audio, qint64 durationMs,
                    const QString &output);
    // Kills the running child; finished() follows with ok() false.
    void cancel();

    bool isRunning() const { return m_process != nullptr; }
    bool ok() const { return m_ok; }
    // Whether the last run failed because its program could not be started (not installed).
    bool failedToStart() const { return m_failedToStart; }
    // For logs: what failed, with the tail of ffmpeg's complaints.
    QString errorString() const { return m_error; }
    const MediaProbe &probeResult() const { return m_probe; }
    const MjrHeader &mjrHeader() const { return m_header; }

    // How long a run on `durationMs` of media may take: generous, since the machine may be busy.
    static int timeoutFor(qint64 durationMs);
    // ffprobe's JSON (-show_entries format=...:stream=... -of json) as a MediaProbe.
    static MediaProbe parseProbe(const QByteArray &json);
    // janus-pp-rec's --json header ({"t": "v"|"a", "c", "s", "u"}) as an MjrHeader; invalid
    // when any of it is missing.
    static MjrHeader parseMjrHeader(const QByteArray &json);

Q_SIGNALS:
    // 0-100 through a transcode, from ffmpeg's -progress output.
    void progress(int percent);
    void finished();

private:
    enum class Kind { Transcode, Probe, Header, Unpack };

    void run(Kind kind, const QString &program, const QStringList &arguments, qint64 durationMs);
    void readProgress();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onTimeout();
    void fail(const QString &error);

    Programs m_programs;
    std::unique_ptr<QProcess> m_process;
    QTimer m_timeout;
    Kind m_kind = Kind::Transcode;
    qint64 m_durationMs = 0;
    QByteArray m_stdout;
    bool m_ok = false;
    bool m_cancelled = false;
    bool m_failedToStart = false;
    QString m_error;
    MediaProbe m_probe;
    MjrHeader m_header;
};

} // namespace quorum
