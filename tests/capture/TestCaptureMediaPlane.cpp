#include "TestCaptureMediaPlane.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTimer>

#include <sys/prctl.h>

#include <csignal>

using namespace Qt::StringLiterals;

namespace quorum::testing {

Q_LOGGING_CATEGORY(lcTestCapture, "quorum.media.testcapture")

namespace {

const auto kVideo = u"video.webm"_s;
const auto kAudio = u"audio.opus"_s;

} // namespace

TestCaptureMediaPlane::TestCaptureMediaPlane() = default;

TestCaptureMediaPlane::~TestCaptureMediaPlane()
{
    if (!m_context)
        return;
    // No ffmpeg outlives the plane. (PR_SET_PDEATHSIG already kills them when the hub's thread
    // ends, which is usually before the plane goes.)
    for (QProcess *process : m_context->findChildren<QProcess *>()) {
        process->disconnect();
        process->kill();
        process->waitForFinished(2000);
    }
}

Status TestCaptureMediaPlane::prepareRoom(const QString &meetingId)
{
    return m_rooms.prepareRoom(meetingId);
}

void TestCaptureMediaPlane::closeRoom(const QString &meetingId)
{
    // A room that closes while capturing loses the capture, as an SFU's would.
    for (auto it = m_captures.begin(); it != m_captures.end();) {
        if (it->meetingId == meetingId) {
            reportLater(failedEvent(meetingId, it.key(), u"The room closed while capturing."_s));
            it = m_captures.erase(it);
        } else {
            ++it;
        }
    }
    m_rooms.closeRoom(meetingId);
}

Status TestCaptureMediaPlane::admit(const QString &meetingId, const QString &participantId)
{
    return m_rooms.admit(meetingId, participantId);
}

void TestCaptureMediaPlane::remove(const QString &meetingId, const QString &participantId)
{
    m_rooms.remove(meetingId, participantId);
}

void TestCaptureMediaPlane::setAudioMuted(const QString &meetingId, const QString &participantId,
                                          bool muted)
{
    m_rooms.setAudioMuted(meetingId, participantId, muted);
}

Status TestCaptureMediaPlane::signal(const QString &meetingId, const QString &participantId,
                                     const QString &type, const QJsonObject &payload)
{
    return m_rooms.signal(meetingId, participantId, type, payload);
}

TestCaptureMediaPlane::Capture TestCaptureMediaPlane::readScript()
{
    Capture capture;
    const QString path = qEnvironmentVariable("QUORUM_TEST_CAPTURE_SCRIPT");
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly))
        return capture;

    const QJsonObject script = QJsonDocument::fromJson(file.readAll()).object();
    const QString mode = script.value(u"mode"_s).toString(u"ok"_s);
    if (mode == u"fail_start")
        capture.mode = Mode::FailStart;
    else if (mode == u"fail_capture")
        capture.mode = Mode::FailCapture;
    else if (mode == u"corrupt")
        capture.mode = Mode::Corrupt;
    else if (mode == u"mjr")
        capture.mode = Mode::Mjr;
    capture.fixture = script.value(u"fixture"_s).toString();
    capture.seconds = std::max(0, script.value(u"seconds"_s).toInt());
    return capture;
}

Status TestCaptureMediaPlane::startCapture(const QString &meetingId, const QString &recordingId,
                                           const QString &directory)
{
    // Created here, in the calling (the hub's) thread, so its timers and processes live there.
    if (!m_context)
        m_context = std::make_unique<QObject>();

    Capture capture = readScript();
    if (capture.mode == Mode::FailStart)
        return Error{ErrorCode::Unavailable, u"The capture could not start (scripted)."_s};
    if (m_captures.contains(recordingId))
        return Error{ErrorCode::Conflict, u"That recording is already capturing."_s};

    capture.meetingId = meetingId;
    capture.directory = directory;
    capture.running.start();
    m_captures.insert(recordingId, capture);
    qCDebug(lcTestCapture) << "capturing" << recordingId << "into" << directory;
    return success();
}

Status TestCaptureMediaPlane::stopCapture(const QString &meetingId, const QString &recordingId)
{
    const auto found = m_captures.constFind(recordingId);
    if (found == m_captures.constEnd() || found->meetingId != meetingId)
        return Error{ErrorCode::NotFound, u"No such capture."_s};
    const Capture capture = *found;
    m_captures.erase(found);

    const qint64 durationMs = capture.seconds > 0
        ? qint64(capture.seconds) * 1000
        : std::max<qint64>(1000, capture.running.elapsed());
    switch (capture.mode) {
    case Mode::FailCapture:
        reportLater(failedEvent(meetingId, recordingId, u"The capture broke off (scripted)."_s));
        break;
    case Mode::Corrupt:
        writeGarbage(recordingId, capture, durationMs);
        break;
    case Mode::Mjr:
        copyRecorderFiles(recordingId, capture);
        break;
    case Mode::Ok:
    case Mode::FailStart:
        makeMedia(recordingId, capture, durationMs);
        break;
    }
    return success();
}

void TestCaptureMediaPlane::makeMedia(const QString &recordingId, const Capture &capture,
                                      qint64 durationMs)
{
    const QString seconds = QString::number(double(durationMs) / 1000.0, 'f', 3);
    const QDir dir(capture.directory);
    auto *process = new QProcess(m_context.get());
    process->setProgram(u"ffmpeg"_s);
    process->setArguments({u"-hide_banner"_s,
                           u"-nostdin"_s,
                           u"-loglevel"_s,
                           u"error"_s,
                           u"-y"_s,
                           u"-f"_s,
                           u"lavfi"_s,
                           u"-i"_s,
                           u"testsrc=size=320x240:rate=15:duration=%1"_s.arg(seconds),
                           u"-f"_s,
                           u"lavfi"_s,
                           u"-i"_s,
                           u"sine=frequency=440:sample_rate=48000:duration=%1"_s.arg(seconds),
                           u"-map"_s,
                           u"0:v"_s,
                           u"-c:v"_s,
                           u"libvpx"_s,
                           u"-deadline"_s,
                           u"realtime"_s,
                           u"-cpu-used"_s,
                           u"8"_s,
                           u"-b:v"_s,
                           u"300k"_s,
                           dir.filePath(kVideo),
                           u"-map"_s,
                           u"1:a"_s,
                           u"-c:a"_s,
                           u"libopus"_s,
                           dir.filePath(kAudio)});
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });

    const QString meetingId = capture.meetingId;
    QObject::connect(
        process, &QProcess::finished, m_context.get(),
        [this, process, meetingId, recordingId, capture, durationMs](int exitCode,
                                                                     QProcess::ExitStatus status) {
            process->deleteLater();
            if (status != QProcess::NormalExit || exitCode != 0) {
                qCWarning(lcTestCapture) << "ffmpeg failed:" << process->readAllStandardError();
                report(failedEvent(meetingId, recordingId, u"The capture could not be written."_s));
                return;
            }
            report(finishedEvent(recordingId, capture, durationMs));
        });
    QObject::connect(
        process, &QProcess::errorOccurred, m_context.get(),
        [this, process, meetingId, recordingId](QProcess::ProcessError error) {
            if (error != QProcess::FailedToStart)
                return;
            process->deleteLater();
            report(failedEvent(meetingId, recordingId, u"ffmpeg could not be started."_s));
        });
    process->start();
}

void TestCaptureMediaPlane::writeGarbage(const QString &recordingId, const Capture &capture,
                                         qint64 durationMs)
{
    const QDir dir(capture.directory);
    for (const QString &name : {kVideo, kAudio}) {
        // Fixed text, not random bytes: ffprobe now and then takes random data for some
        // format (an lrc file, once in 60 tries), which would make the failure a coin toss.
        const QByteArray bytes
            = QByteArrayLiteral("QUORUM TEST CAPTURE: deliberately not media\n").repeated(1500);
        QFile file(dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
            reportLater(failedEvent(capture.meetingId, recordingId,
                                    u"The capture could not be written."_s));
            return;
        }
    }
    reportLater(finishedEvent(recordingId, capture, durationMs));
}

void TestCaptureMediaPlane::copyRecorderFiles(const QString &recordingId, const Capture &capture)
{
    QFile file(capture.fixture + u"/manifest.json"_s);
    const QJsonObject manifest = file.open(QIODevice::ReadOnly)
        ? QJsonDocument::fromJson(file.readAll()).object()
        : QJsonObject();
    const QJsonArray files = manifest.value(u"files"_s).toArray();
    const QDir dir(capture.directory);
    for (const QJsonValue &value : files) {
        const QString name = value[u"path"_s].toString();
        if (!QFile::copy(capture.fixture + u'/' + name, dir.filePath(name))) {
            reportLater(failedEvent(capture.meetingId, recordingId,
                                    u"The recorder files could not be copied."_s));
            return;
        }
    }
    if (files.isEmpty()) {
        reportLater(failedEvent(capture.meetingId, recordingId,
                                u"The capture script names no recorder files."_s));
        return;
    }

    // The manifest is already in the Janus adapter's payload form.
    media::MediaEvent event;
    event.kind = media::MediaEvent::Kind::CaptureFinished;
    event.meetingId = capture.meetingId;
    event.recordingId = recordingId;
    event.payload = {{u"files"_s, files},
                     {u"duration_ms"_s, manifest.value(u"duration_ms"_s)},
                     {u"started_at_ms"_s, manifest.value(u"started_at_ms"_s)}};
    reportLater(event);
}

void TestCaptureMediaPlane::reportLater(const media::MediaEvent &event)
{
    // Never from inside the gateway's call: it reports what it has done only after it returns.
    QTimer::singleShot(0, m_context.get(), [this, event] { report(event); });
}

media::MediaEvent TestCaptureMediaPlane::finishedEvent(const QString &recordingId,
                                                       const Capture &capture,
                                                       qint64 durationMs) const
{
    media::MediaEvent event;
    event.kind = media::MediaEvent::Kind::CaptureFinished;
    event.meetingId = capture.meetingId;
    event.recordingId = recordingId;
    event.payload = {
        {u"files"_s,
         QJsonArray{QJsonObject{{u"kind"_s, u"video"_s}, {u"path"_s, kVideo}},
                    QJsonObject{{u"kind"_s, u"audio"_s}, {u"path"_s, kAudio}}}},
        {u"duration_ms"_s, durationMs},
    };
    return event;
}

media::MediaEvent TestCaptureMediaPlane::failedEvent(const QString &meetingId,
                                                     const QString &recordingId,
                                                     const QString &message) const
{
    media::MediaEvent event;
    event.kind = media::MediaEvent::Kind::CaptureFailed;
    event.meetingId = meetingId;
    event.recordingId = recordingId;
    event.payload = {{u"error_code"_s, u"capture_failed"_s}, {u"message"_s, message}};
    return event;
}

} // namespace quorum::testing
