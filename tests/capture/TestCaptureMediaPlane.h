#pragma once

#include "media/BuiltinMediaPlane.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QProcess>

#include <memory>

namespace quorum::testing {

// The `test-capture` media plane: a scripted double of an SFU that can record. Rooms behave as
// the builtin plane's (it delegates to one); a capture makes real raw media with ffmpeg's test
// sources (VP8 testsrc in video.webm, Opus sine in audio.opus) as long as the capture lasted,
// at least a second. Tests script it through the JSON file named by QUORUM_TEST_CAPTURE_SCRIPT,
// read at each startCapture:
//     {"mode": "ok" | "fail_start" | "fail_capture" | "corrupt" | "mjr", "seconds": N,
//      "fixture": "<dir>"}
// fail_start: startCapture returns an error; fail_capture: CaptureFailed (capture_failed) at
// stop; corrupt: raw files of random bytes, which processing must refuse; `seconds` replaces
// the captured length; mjr: the Janus recorder files of `fixture` (made by
// tests/support/janus-recording.sh) are copied into the capture directory and reported as the
// Janus adapter reports a capture, with the fixture's own start and length. A missing file
// means "ok".
class TestCaptureMediaPlane final : public media::MediaPlane
{
public:
    TestCaptureMediaPlane();
    ~TestCaptureMediaPlane() override;
    Q_DISABLE_COPY_MOVE(TestCaptureMediaPlane)

    QString name() const override { return QStringLiteral("test-capture"); }
    bool negotiatesMedia() const override { return false; }
    bool canCapture() const override { return true; }

    Status prepareRoom(const QString &meetingId) override;
    void closeRoom(const QString &meetingId) override;
    Status admit(const QString &meetingId, const QString &participantId) override;
    void remove(const QString &meetingId, const QString &participantId) override;
    void setAudioMuted(const QString &meetingId, const QString &participantId, bool muted) override;
    Status signal(const QString &meetingId, const QString &participantId, const QString &type,
                  const QJsonObject &payload) override;
    Status startCapture(const QString &meetingId, const QString &recordingId,
                        const QString &directory) override;
    Status stopCapture(const QString &meetingId, const QString &recordingId) override;

private:
    enum class Mode { Ok, FailStart, FailCapture, Corrupt, Mjr };

    struct Capture
    {
        QString meetingId;
        QString directory;
        Mode mode = Mode::Ok;
        int seconds = 0; // 0: as long as it ran
        QString fixture; // Mjr: the directory of recorder files and their manifest.json
        QElapsedTimer running;
    };

    static Capture readScript();
    void makeMedia(const QString &recordingId, const Capture &capture, qint64 durationMs);
    void writeGarbage(const QString &recordingId, const Capture &capture, qint64 durationMs);
    void copyRecorderFiles(const QString &recordingId, const Capture &capture);
    void reportLater(const media::MediaEvent &event);
    media::MediaEvent finishedEvent(const QString &recordingId, const Capture &capture,
                                    qint64 durationMs) const;
    media::MediaEvent failedEvent(const QString &meetingId, const QString &recordingId,
                                  const QString &message) const;

    media::BuiltinMediaPlane m_rooms;
    QHash<QString, Capture> m_captures; // by recording id, until stopped
    // The parent of the ffmpeg processes and the context of deferred reports: gone with the
    // plane, so nothing fires after it.
    std::unique_ptr<QObject> m_context;
};

} // namespace quorum::testing
