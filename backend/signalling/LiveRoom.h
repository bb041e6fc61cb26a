#pragma once

#include "SignalHub.h"
#include "core/MeetingStateMachine.h"
#include "core/Participant.h"
#include "store/Database.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace quorum {

// One meeting's live state on this node, owned by the hub's thread: who is waiting, who is
// in, who watches, the pending mutes and the timers of resume and emptiness. Every change is
// written to the database first (with its events, in one transaction) and only then applied
// here and told to the clients, so a failed write leaves nothing half done.
class LiveRoom final
{
public:
    LiveRoom(SignalHub &hub, QString meetingId, QString workspaceId);
    ~LiveRoom();
    Q_DISABLE_COPY_MOVE(LiveRoom)

    const QString &meetingId() const { return m_meetingId; }
    const QString &workspaceId() const { return m_workspaceId; }

    // A new participant from a verified join token. Answers the session itself.
    struct Arrival
    {
        SessionRef session;
        QString requestId;
        QString subject; // usr_ or gst_
        bool isGuest = false;
        bool fromJoinPage = false; // a guest without a bearer (the token's `via: page`)
        ParticipantRole role = ParticipantRole::Attendee;
        QString displayName;
        QString jti;
        qint64 tokenExpiresAtMs = 0;
        QString clientAddress;
    };
    void arrive(const Arrival &arrival);
    // A participant's socket came back with its resume token.
    void resume(SessionRef session, const QString &requestId, const QString &participantId);
    struct WatcherRights
    {
        bool mayAct = false; // host commands (meeting.write and host rights)
        bool mayRecord = false; // start_recording, stop_recording (recording.write and host rights)
    };
    // An observer (answered `observing`) or an event stream (no answer).
    void addWatcher(SessionRef session, const QString &requestId, bool observer,
                    WatcherRights rights, const QString &userId);
    void removeWatcher(SessionRef session);

    // A frame after the first, from a participant's or an observer's session.
    void handleFrame(SessionRef session, const QJsonObject &frame);
    // The socket went away; `left` when the client said so.
    void sessionClosed(SessionRef session, bool left);

    // The media plane ended the room's capture by itself (finished or failed): the room stops
    // showing it and tells everyone. The caller has stored the change.
    void captureEnded(const QString &recordingId, const QDateTime &at, bool failed);

    // An offer, answer or candidate from the media plane to one participant (`from: "sfu"`).
    void deliverMediaSignal(const QString &participantId, const QString &type,
                            const QJsonObject &payload);

    void act(const HostAction &action, SessionPort *replyPort, SignalHub::HostActionDone done);

    // The room was created for a meeting that is already LIVE (after a restart, or for a host
    // action): it ends after empty_timeout unless someone joins.
    void adoptLive();
    // Restores a room for a meeting left LIVE by an earlier run: whoever was in is reported
    // left (node_lost), and the meeting ends after empty_timeout unless someone joins.
    void restoreAfterRestart();
    // The meeting's node was lost: its participants leave and the meeting ends, both with
    // reason node_lost, in one transaction; nothing when it is no longer LIVE.
    Status endForLostNode();
    // The server stops: every socket is closed and every participant reported left.
    void shutDown();

    bool isEmpty() const;
    int socketCount() const;
    int presentCount() const;
    int waitingCount() const;

private:
    struct MuteWaiter
    {
        SessionPort *port = nullptr;
        SignalHub::HostActionDone done;
    };
    struct Member
    {
        Participant participant;
        SessionRef session; // invalid while dropped (within the resume grace)
        QByteArray resumeHash;
        bool fromJoinPage = false; // a guest without a bearer: removal also bars the address
        quint64 dropGeneration = 0; // a grace timer fires only for the drop it was set for
        QString pendingMuteRef; // the mute_request awaiting the client's ack
        QList<MuteWaiter> muteWaiters;
    };
    struct Watcher
    {
        SessionRef session;
        bool observer = false; // answered frames and may send commands; else an event stream
        WatcherRights rights; // observers only
        QString userId;
    };
    enum class Audience { Everyone, Hosts };

    const SignalHub::Context &context() const;
    QDateTime now() const;

    // The building blocks of every change.
    Status writeParticipant(Database::WriteTransaction &tx, const Participant &p, bool insert);
    Status appendEvent(Database::WriteTransaction &tx, const QString &type, const QDateTime &at,
                       QJsonObject data);
    Result<Meeting> loadMeeting(QSqlDatabase db) const;
    Result<std::optional<Meeting>> goLiveIfScheduled(Database::WriteTransaction &tx,
                                                     const QDateTime &at);
    QJsonObject joinedEventData(const Participant &p) const;
    // Marks `gone` left at `at` for `reason`, stores it, and writes participant.left when it
    // had been admitted (someone who only waited produced neither event).
    Status writeDeparture(Database::WriteTransaction &tx, Participant &gone, const QDateTime &at,
                          LeaveReason reason);
    // Why an id names no member now: ParticipantLeft when it is a former one, else NotFound.
    Error missingMember(const QString &participantId) const;
    // A mute the action may not ask for: an unknown or departed participant, or the host
    // muted by someone else.
    Status checkMuteTarget(const HostAction &action) const;

    // Moves a waiting member into the room (admission or the host's arrival).
    // Stores a waiting member's admission in the caller's transaction; the caller applies it
    // to the room once committed.
    Status admitMember(Database::WriteTransaction &tx, const Member &member, const QDateTime &at);
    void announceAdmissions(const QList<QString> &admittedIds);
    // Writes a member's departure and tells everyone. The id is taken by value: callers often
    // pass the member's own id, which the erase in here destroys.
    Status leave(QString participantId, LeaveReason reason, int closeCode,
                 const QByteArray &lastFrame);
    // The meeting's end in tx: the transition and meeting.ended.
    Result<Meeting> writeEnd(Database::WriteTransaction &tx, const Meeting &meeting,
                             const QDateTime &at, const QString &reason);
    Status endMeeting(const QString &reason, const QString &actorUserId,
                      std::optional<Meeting> *endedMeeting);

    void mute(const HostAction &action, SessionPort *replyPort, SignalHub::HostActionDone done);
    void ackMute(Member &member, const QString &ref);
    void finishMuteWaiters(Member &member, bool acknowledged);
    Result<HostActionOutcome> runHostAction(const HostAction &action);
    void handleHostCommand(SessionRef session, const QString &type, const QJsonObject &frame,
                           const QString &actorUserId, const QString &actorParticipantId);
    // A refused host command, answered on the socket with the request's id.
    void sendHostCommandError(SessionRef session, const QString &requestId, const Error &refusal);
    void relay(Member &sender, const QString &type, const QJsonObject &frame);
    void applyMediaState(Member &member, const QJsonObject &frame);

    // The media plane's side of going live and entering; a failure there is logged, the
    // signalling goes on.
    void prepareMedia();
    void admitToMedia(const QString &participantId);

    // Frames.
    QJsonArray roster(bool forHost) const;
    QJsonObject entryAnswer(const QString &type, const QString &requestId, const Member &member,
                            const QString &resumeToken) const;
    void send(SessionRef session, const QByteArray &frame, int closeCode = 0,
              const QString &closeReason = {});
    void sendError(SessionRef session, const QString &requestId, const QString &code,
                   const QString &message);
    // Tells every member and watcher in the audience; `except` is skipped.
    void broadcast(const QByteArray &frame, Audience audience, const QString &exceptId = {});
    // participant_joined/updated/left about `p` to everyone who should see it.
    void announceUpdate(const Participant &p);

    Member *memberBySession(SessionRef session);
    Watcher *watcherBySession(SessionRef session);
    bool seesWaiting(const Member &member) const;

    // Recording: start (by a host action or auto_recording), stop, and the meeting's end.
    Result<HostActionOutcome> startRecording(const HostAction &action);
    Result<HostActionOutcome> stopRecording();
    Result<Recording> beginRecording(const QString &startedBy);
    // Tells the media plane to finish a capture; if it cannot, the recording fails now.
    void handOverCapture(const Recording &recording);
    // auto_recording: cloud, once the meeting has gone LIVE (and that change is committed).
    void recordAutomatically(const Meeting &meeting);
    // The timeline entry a participant's change makes while a recording captures, if any.
    Status noteForRecording(Database::WriteTransaction &tx, const Participant &p);
    // The recording capturing now, as entry answers show it: {recording_id, started_at} or null.
    QJsonValue recordingJson() const;
    void announceRecordingStopped(const QString &recordingId, const QDateTime &at,
                                  const QString &reason);

    void scheduleEmptyCheck();
    void scheduleGraceExpiry(Member &member);
    void publish();

    SignalHub &m_hub;
    QString m_meetingId;
    QString m_workspaceId;
    QHash<QString, Member> m_members; // by participant id, everyone not yet left
    QList<QString> m_order; // participant ids in joined order
    QList<Watcher> m_watchers;
    bool m_live = false;
    std::optional<Recording> m_recording; // the one capturing now
    quint64 m_emptyGeneration = 0;
    quint64 m_nextRef = 0;
};

} // namespace quorum
