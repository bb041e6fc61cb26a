#pragma once

#include "SessionPort.h"
#include "core/Meeting.h"
#include "core/Participant.h"
#include "core/Recording.h"
#include "core/Result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

namespace quorum {

class AuditLog;
class BanCache;
class Clock;
class ClusterBus;
class Database;
class LiveRoom;
class MeetingCache;
class NodeRegistry;
class SigningKeyRing;
class TokenService;
struct Settings;
namespace crypto {
class SecretBox;
}
namespace media {
class MediaPlane;
struct MediaEvent;
} // namespace media

// The first frame of a socket that wants to take part.
struct JoinFrame
{
    QString requestId; // the frame's `id`, echoed in the answer
    QString token; // the join JWT
    QString meetingId; // optional; must equal the token's `mid` when present
    QString clientAddress;
};

// A host action, from the REST API or from a host's socket. The caller has checked that the
// actor may take host actions in this meeting (host, co-host, or an admin of its workspace).
struct HostAction
{
    enum class Kind { Mute, MuteAll, Remove, Admit, SetRole, End, StartRecording, StopRecording };

    Kind kind = Kind::Mute;
    QString meetingId;
    QString participantId; // Mute, Remove, Admit, SetRole
    bool muted = true; // Mute: false asks the participant to unmute
    ParticipantRole role = ParticipantRole::Attendee; // SetRole: co_host or attendee
    QString actorUserId; // for the audit log; empty for a guest co-host
    QString actorParticipantId; // set when a participant acts from its socket
    bool waitForAck = false; // Mute: answer once the client acks, or after the ack timeout
};

struct HostActionOutcome
{
    std::optional<Participant> participant; // Mute, Admit, SetRole: the participant now
    bool acknowledged = false; // Mute: the client confirmed it within the wait
    int affected = 0; // MuteAll: how many were asked to mute
    std::optional<Meeting> meeting; // End: the meeting now
    std::optional<Recording> recording; // StartRecording, StopRecording: the recording now
};

// What the meeting resource shows of a live meeting (DESIGN.md: GET returns `live`).
struct LiveSummary
{
    int participantCount = 0; // admitted and present
    int waitingCount = 0;
    int socketCount = 0; // attached sessions: participants and observers
    QString recordingId; // the recording capturing now, if any
};

// Gauges for /metrics.
struct HubCounts
{
    qint64 sockets = 0; // attached sessions: participants and observers
    qint64 participants = 0; // present or waiting
    qint64 meetings = 0; // rooms with anyone in them
};

// The live state of every meeting on this node, and the one place that changes it: rooms,
// participants, waiting rooms, resume, host actions, keep-alive outcomes and the events of
// DESIGN.md *Events*, written in the transaction of each change. It runs in a thread of its
// own; sessions live in the serving threads and reach it through the thread-safe calls
// below, and it answers them through their SessionPort. So room state needs no locks: one
// thread owns it.
class SignalHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalHub)

public:
    struct Context
    {
        const Settings &settings;
        const Clock &clock;
        Database &database;
        const crypto::SecretBox &box;
        SigningKeyRing &keys;
        TokenService &tokens;
        AuditLog &audit;
        MeetingCache &meetingCache;
        BanCache &banCache;
        media::MediaPlane &media;
        ClusterBus &bus;
        NodeRegistry &nodes;
    };

    explicit SignalHub(Context context);
    ~SignalHub() override; // stop()

    // Called (in the hub's thread) once a capture has been queued for processing. Set before
    // start().
    void setRecordingQueuedHandler(std::function<void()> handler)
    {
        m_recordingQueued = std::move(handler);
    }

    // Starts the hub's thread, fails the recordings an earlier run was capturing, and restores the
    // rooms of meetings left LIVE by an earlier run (their participants are reported left with
    // reason node_lost; the meeting ends after empty_timeout unless someone joins).
    Status start();
    // Closes every socket (1001), reports the participants left (node_lost) and stops the
    // thread. No port is called after this returns.
    void stop();

    // From sessions, in any thread. Each answers through ref.port.
    void join(SessionRef ref, JoinFrame frame);
    void resume(SessionRef ref, const QString &requestId, const QString &resumeToken);
    void observe(SessionRef ref, const QString &requestId, const QByteArray &accessToken,
                 const QString &meetingId);
    // Every frame after the first one (leave, ack, media_state, offer/answer/candidate, host
    // commands), already parsed as a JSON object with a string `type`.
    void frame(SessionRef ref, QJsonObject frame);
    // The socket is gone. `left`: the client said so (a `leave` frame or a normal close), so
    // the participant leaves now; otherwise it may resume within the grace.
    void sessionClosed(SessionRef ref, bool left);

    // Server-sent events of one meeting's roster: the same participant_* and meeting_ended
    // frames an observer gets, delivered to ref (no `observing` answer). The caller has checked
    // that it may read the meeting.
    void watch(SessionRef ref, const QString &meetingId);
    void unwatch(SessionRef ref);

    // From the REST API, in any thread: `done` runs in replyPort's thread.
    using HostActionDone = std::function<void(Result<HostActionOutcome>)>;
    void act(HostAction action, SessionPort *replyPort, HostActionDone done);

    // A node that stopped beating: its participants leave and its live meetings end, both
    // with reason node_lost, unless another node did so first. Thread-safe.
    void takeOverLostNode(const QString &node);

    // Thread-safe reads, answered from a snapshot the hub keeps current (a meeting hosted on
    // another node: from what that node last published).
    LiveSummary summary(const QString &meetingId) const;
    HubCounts counts() const;

    // The close codes and error codes of resources/signalling.md.
    enum CloseCode {
        CloseGoingAway = 1001, // the server shuts down
        ClosePolicy = 1008, // rate limit exceeded repeatedly
        CloseTooBig = 1009,
        CloseNoFirstFrame = 4000,
        CloseProtocol = 4001, // a first frame that is not join, resume or observe
        CloseRefused = 4003, // join, resume or observe refused (the error frame says why)
        CloseRemoved = 4004,
        CloseMeetingEnded = 4005,
        CloseReplaced = 4006, // the participant resumed on another socket
        CloseLeft = 4007, // the participant left (after a leave frame)
        CloseTimeout = 4008, // silent for the ping timeout
        CloseMeetingFull = 4009,
    };

private:
    friend class LiveRoom;
    void runInHub(std::function<void()> task);
    // What the media plane reports, in the hub's thread: its offers, answers and candidates
    // go to the participant they name; the rest is logged until recordings use it.
    void onMediaEvent(const media::MediaEvent &event);
    // A capture the media plane finished or gave up: queued for processing, or failed.
    void onCaptureEnded(const media::MediaEvent &event);
    // Recordings an earlier run of this node was capturing lost their capture with it.
    Status failLostCaptures(const QString &node);
    // The meeting's room, created on first use; nullptr for an unknown meeting.
    LiveRoom *roomFor(const QString &meetingId);
    void dropRoomIfIdle(const QString &meetingId);
    void publishSummary(const QString &meetingId, std::optional<LiveSummary> summary);
    // Several nodes: a meeting's room lives on its media node, chosen at its first join.
    bool hostedElsewhere(const Meeting &meeting) const;
    // A host action for a meeting on another node goes there over the bus; its outcome comes
    // back the same way, or an Unavailable error after a timeout.
    void relayAction(HostAction action, const QString &node, SessionPort *replyPort,
                     HostActionDone done);
    void onRelayedAction(const QJsonObject &message);
    void onRelayedOutcome(const QJsonObject &message);
    void onRemoteSummary(const QJsonObject &message);
    void subscribeToBus();
    // Observers and event streams of a meeting hosted on another node are that node's
    // watchers: this node sends their registration, frames and departure there, and hands
    // them what comes back (SessionPort of the bus on the hosting node).
    struct WatchRequest
    {
        QString requestId;
        bool observer = false;
        bool mayAct = false;
        bool mayRecord = false;
        QString userId;
    };
    void watchRemotely(SessionRef ref, const Meeting &meeting, const WatchRequest &request);
    // The remote watch of `ref` on this node, if any: forwards and forgets as asked.
    bool forwardRemoteFrame(SessionRef ref, const QJsonObject &frame);
    bool endRemoteWatch(SessionRef ref);
    void onRemoteWatch(const QJsonObject &message);
    void onRemoteWatchFrame(const QJsonObject &message);
    void onRemoteUnwatch(const QJsonObject &message);
    void onRemoteDelivery(const QJsonObject &message);
    void closeRemoteWatches(const QString &meetingId);
    SessionPort *busPortFor(const QString &node);
    void refuse(SessionRef ref, const QString &requestId, const QString &code,
                const QString &message, int closeCode = CloseRefused);
    void doJoin(SessionRef ref, const JoinFrame &frame);
    void doObserve(SessionRef ref, const QString &requestId, const QByteArray &accessToken,
                   const QString &meetingId);

    Context m_context;
    std::function<void()> m_recordingQueued;
    QThread m_thread;
    QObject *m_anchor = nullptr; // lives in m_thread
    // Guards posting to m_anchor against stop(): calls from the serving threads may race it.
    // Standard locks rather than Qt's here and below, so that ThreadSanitizer sees them.
    std::mutex m_postMutex;
    bool m_accepting = false;

    struct State;
    std::unique_ptr<State> m_state; // touched only in m_thread

    mutable std::shared_mutex m_snapshotLock;
    QHash<QString, LiveSummary> m_summaries;
    QHash<QString, LiveSummary> m_remoteSummaries; // meetings hosted on other nodes
};

} // namespace quorum
