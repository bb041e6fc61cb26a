#pragma once

#include "core/Result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <functional>

namespace quorum::media {

// What the media plane saw, reported back to the signalling gateway.
struct MediaEvent
{
    enum class Kind {
        Connected, // a participant's media reached the plane
        Disconnected, // it went away
        Signal, // an offer, answer or candidate from the plane to a participant
        CaptureFinished, // a capture's raw files are complete (after stopCapture)
        CaptureFailed, // a capture could not start, broke off, or could not be finished
    };
    Kind kind = Kind::Connected;
    QString meetingId;
    QString participantId; // Connected, Disconnected, Signal
    QString recordingId; // Capture*
    QString signalType; // "offer", "answer", "candidate" for Signal
    // Signal: the frame's fields.
    // CaptureFinished: {"files": [{"kind": "video" | "audio", "path": "<relative to the
    //   capture directory>"}], "duration_ms": <n>}: raw media in any container ffmpeg reads,
    //   the first file of each kind being the room's mixed video or audio. An SFU that records
    //   each participant apart (Janus) reports instead one Janus recorder file per participant
    //   and kind, each {"kind", "path", "format": "mjr", "participant_id", "display_name"},
    //   with "duration_ms" (stop - start) and "started_at_ms" (the capture's start, Unix ms):
    //   processing places each file by the time in its header against that start.
    // CaptureFailed: {"error_code": "capture_failed" | ..., "message": "<for people>"}.
    QJsonObject payload;
};

// The seam between the signalling gateway and the media plane (the SFU). The gateway calls
// these from its own thread only, and an adapter reports back through the sink, from the
// same thread. Adapters: BuiltinMediaPlane (participants negotiate with each other; the
// gateway relays) and JanusMediaPlane (Janus's VideoRoom as the SFU).
class MediaPlane
{
public:
    using Sink = std::function<void(const MediaEvent &event)>;

    virtual ~MediaPlane() = default;

    // "builtin", "janus", ...
    virtual QString name() const = 0;
    // Whether offers, answers and candidates go to the plane (`to: "sfu"`); false means the
    // participants negotiate with each other and the gateway relays between them.
    virtual bool negotiatesMedia() const = 0;
    // Whether the plane can record a meeting on the server.
    virtual bool canCapture() const = 0;

    void setSink(Sink sink) { m_sink = std::move(sink); }

    // In the hub's thread, before the first call and after the last: an adapter that talks to
    // a server opens and closes its connections here.
    virtual void start() { }
    virtual void stop() { }
    // For /v1/admin/status, from any thread: the media servers behind the plane and whether
    // each is reachable now ({"name", "region", "url", "connected"}); empty when none.
    virtual QJsonArray serverStatus() const { return {}; }

    // A meeting goes live: the plane gets ready to carry its media.
    virtual Status prepareRoom(const QString &meetingId) = 0;
    // The meeting ended: everything of it goes.
    virtual void closeRoom(const QString &meetingId) = 0;
    // A participant enters the room (and may now send and receive media).
    virtual Status admit(const QString &meetingId, const QString &participantId) = 0;
    // A participant leaves, for whatever reason.
    virtual void remove(const QString &meetingId, const QString &participantId) = 0;
    // A server-side mute of the participant's audio, or its lifting.
    virtual void setAudioMuted(const QString &meetingId, const QString &participantId, bool muted)
        = 0;
    // An offer, answer or candidate from a participant addressed to the plane.
    virtual Status signal(const QString &meetingId, const QString &participantId,
                          const QString &type, const QJsonObject &payload)
        = 0;
    // Server-side recording of the meeting: the plane writes raw media into `directory` (an
    // absolute path that exists) until stopCapture. An error return means nothing started.
    virtual Status startCapture(const QString &meetingId, const QString &recordingId,
                                const QString &directory)
        = 0;
    // Ends a capture. The plane reports CaptureFinished or CaptureFailed for it once the raw
    // files are complete, possibly later, always through the sink.
    virtual Status stopCapture(const QString &meetingId, const QString &recordingId) = 0;

protected:
    void report(const MediaEvent &event) const
    {
        if (m_sink)
            m_sink(event);
    }

private:
    Sink m_sink;
};

} // namespace quorum::media
