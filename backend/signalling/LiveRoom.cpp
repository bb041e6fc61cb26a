#include "LiveRoom.h"
#include "SignalHubState.h"

#include "ParticipantJson.h"
#include "auth/AuditLog.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "core/TimeRules.h"
#include "crypto/Hashing.h"
#include "crypto/Random.h"
#include "media/MediaPlane.h"
#include "recording/RecordingLifecycle.h"
#include "server/BanCache.h"
#include "server/MeetingCache.h"
#include "server/Settings.h"
#include "store/EventRepository.h"
#include "store/MeetingRepository.h"
#include "store/ParticipantRepository.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QScopeGuard>
#include <QStorageInfo>
#include <QTimer>

Q_LOGGING_CATEGORY(lcRoom, "quorum.signalling.room")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

constexpr QFileDevice::Permissions kPrivateDirectory
    = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner;

QByteArray toFrame(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray hashResumeToken(const QString &token)
{
    return crypto::sha256(token.toLatin1());
}

const QString kCaptureUnavailable = QStringLiteral(
    "Cloud recording needs a media plane that can capture, such as Janus; this server runs the "
    "builtin one, which relays media between participants and records nothing.");

} // namespace

LiveRoom::LiveRoom(SignalHub &hub, QString meetingId, QString workspaceId)
    : m_hub(hub)
    , m_meetingId(std::move(meetingId))
    , m_workspaceId(std::move(workspaceId))
{ }

LiveRoom::~LiveRoom()
{
    for (Member &member : m_members)
        finishMuteWaiters(member, false);
}

const SignalHub::Context &LiveRoom::context() const
{
    return m_hub.m_context;
}

QDateTime LiveRoom::now() const
{
    return QDateTime::fromMSecsSinceEpoch(context().clock.nowMs(), Qt::UTC);
}

bool LiveRoom::isEmpty() const
{
    return m_members.isEmpty() && m_watchers.isEmpty();
}

int LiveRoom::socketCount() const
{
    int sockets = 0;
    for (const Member &member : m_members)
        sockets += member.session.isValid() ? 1 : 0;
    for (const Watcher &watcher : m_watchers)
        sockets += watcher.observer ? 1 : 0;
    return sockets;
}

int LiveRoom::presentCount() const
{
    int present = 0;
    for (const Member &member : m_members)
        present += member.participant.state == ParticipantState::Present ? 1 : 0;
    return present;
}

int LiveRoom::waitingCount() const
{
    return int(m_members.size()) - presentCount();
}

// ---- storage ---------------------------------------------------------------------------------

Status LiveRoom::writeParticipant(Database::WriteTransaction &tx, const Participant &p, bool insert)
{
    ParticipantRepository participants(tx.db());
    if (const Status stored = insert ? participants.insert(p) : participants.update(p); !stored)
        return stored;
    return noteForRecording(tx, p);
}

Status LiveRoom::noteForRecording(Database::WriteTransaction &tx, const Participant &p)
{
    if (!m_recording)
        return success();

    // The member still holds the state before this change: the callers apply it after the
    // commit.
    const auto before = m_members.constFind(p.id);
    const bool wasPresent
        = before != m_members.constEnd() && before->participant.state == ParticipantState::Present;
    TimelineEntry entry;
    entry.participantId = p.id;
    entry.displayName = p.displayName;
    if (p.state == ParticipantState::Present && !wasPresent) {
        entry.kind = u"joined"_s;
        entry.at = p.admittedAt;
        entry.detail = {{u"role"_s, participantRoleName(p.role)}, {u"audio_muted"_s, p.audioMuted}};
    } else if (p.state == ParticipantState::Left && wasPresent) {
        const bool removed = p.leaveReason == LeaveReason::Removed;
        entry.kind = removed ? u"removed"_s : u"left"_s;
        entry.at = p.leftAt;
        if (!removed && p.leaveReason)
            entry.detail = {{u"reason"_s, leaveReasonName(*p.leaveReason)}};
    } else if (wasPresent && p.state == ParticipantState::Present
               && before->participant.audioMuted != p.audioMuted) {
        entry.kind = p.audioMuted ? u"muted"_s : u"unmuted"_s;
        entry.at = now();
        // A host's mute waits for the participant's confirmation; the participant's own
        // media_state is confirmed by definition.
        entry.detail = {{u"by"_s, p.muteAcknowledged ? u"participant"_s : u"host"_s}};
    } else {
        return success();
    }
    return RecordingRepository(tx.db()).appendTimeline(m_recording->id, entry);
}

Status LiveRoom::appendEvent(Database::WriteTransaction &tx, const QString &type,
                             const QDateTime &at, QJsonObject data)
{
    auto event = EventRepository(tx.db()).append(m_workspaceId, m_meetingId, type, at, data);
    if (!event)
        return event.error();
    return success();
}

Result<Meeting> LiveRoom::loadMeeting(QSqlDatabase db) const
{
    auto meeting = MeetingRepository(db, context().box).byId(m_meetingId);
    if (!meeting)
        return Error{ErrorCode::NotFound, QStringLiteral("No meeting with this id.")};
    return *meeting;
}

Result<std::optional<Meeting>> LiveRoom::goLiveIfScheduled(Database::WriteTransaction &tx,
                                                           const QDateTime &at)
{
    auto meeting = loadMeeting(tx.db());
    if (!meeting)
        return meeting.error();
    if (meeting->state != MeetingState::Scheduled)
        return std::optional<Meeting>();

    const Meeting live
        = meetingrules::applyTransition(*meeting, meetingrules::Transition::GoLive, at);
    if (const Status stored
        = MeetingRepository(tx.db(), context().box).update(live, meeting->version);
        !stored)
        return stored.error();
    const Status event = appendEvent(tx, u"meeting.started"_s, at,
                                     {{u"host_id"_s, live.hostId},
                                      {u"topic"_s, live.topic},
                                      {u"started_at"_s, timerules::formatUtc(at)}});
    if (!event)
        return event.error();
    return std::optional<Meeting>(live);
}

QJsonObject LiveRoom::joinedEventData(const Participant &p) const
{
    QJsonObject data{{u"participant_id"_s, p.id},
                     {u"display_name"_s, p.displayName},
                     {u"role"_s, participantRoleName(p.role)},
                     {u"joined_at"_s, timerules::formatUtc(p.admittedAt)}};
    if (p.userId.isEmpty())
        data.insert(u"guest_id"_s, p.guestId);
    else
        data.insert(u"user_id"_s, p.userId);
    return data;
}

void LiveRoom::prepareMedia()
{
    if (const Status prepared = context().media.prepareRoom(m_meetingId); !prepared)
        qCWarning(lcRoom) << "the media plane could not prepare" << m_meetingId
                          << prepared.error().detail;
}

void LiveRoom::admitToMedia(const QString &participantId)
{
    if (const Status admitted = context().media.admit(m_meetingId, participantId); !admitted) {
        qCWarning(lcRoom) << "the media plane could not admit" << participantId
                          << admitted.error().detail;
        return;
    }
    // Muted upon entry is the host's mute: the plane holds the audio back until the
    // participant unmutes, as after a mute during the meeting.
    if (const auto member = m_members.constFind(participantId);
        member != m_members.constEnd() && member->participant.audioMuted)
        context().media.setAudioMuted(m_meetingId, participantId, true);
}

Status LiveRoom::writeDeparture(Database::WriteTransaction &tx, Participant &gone,
                                const QDateTime &at, LeaveReason reason)
{
    const bool wasAdmitted = gone.state == ParticipantState::Present;
    gone.state = ParticipantState::Left;
    gone.leftAt = at;
    gone.leaveReason = reason;
    if (const Status stored = writeParticipant(tx, gone, false); !stored)
        return stored;
    if (!wasAdmitted)
        return success();
    return appendEvent(tx, u"participant.left"_s, at,
                       {{u"participant_id"_s, gone.id},
                        {u"left_at"_s, timerules::formatUtc(at)},
                        {u"reason"_s, leaveReasonName(reason)}});
}

Error LiveRoom::missingMember(const QString &participantId) const
{
    const auto stored = ParticipantRepository(context().database.connection()).byId(participantId);
    if (stored && stored->meetingId == m_meetingId)
        return {ErrorCode::ParticipantLeft, QStringLiteral("The participant has left.")};
    return {ErrorCode::NotFound, QStringLiteral("No such participant.")};
}

Status LiveRoom::checkMuteTarget(const HostAction &action) const
{
    const auto it = m_members.constFind(action.participantId);
    if (it == m_members.constEnd())
        return missingMember(action.participantId);
    // The host's microphone answers to the host alone.
    const Participant &target = it->participant;
    if (target.role == ParticipantRole::Host && action.muted
        && action.actorParticipantId != target.id && action.actorUserId != target.userId)
        return Error{ErrorCode::Conflict, QStringLiteral("Only the host may mute the host.")};
    return success();
}

// ---- frames ----------------------------------------------------------------------------------

bool LiveRoom::seesWaiting(const Member &member) const
{
    return mayActAsHost(member.participant.role)
        && member.participant.state == ParticipantState::Present;
}

QJsonArray LiveRoom::roster(bool forHost) const
{
    QJsonArray entries;
    for (const QString &id : m_order) {
        const Member &member = m_members[id];
        if (forHost || member.participant.state == ParticipantState::Present)
            entries.append(participantJson(member.participant));
    }
    return entries;
}

QJsonObject LiveRoom::entryAnswer(const QString &type, const QString &requestId,
                                  const Member &member, const QString &resumeToken) const
{
    const Participant &p = member.participant;
    const QJsonArray iceServers
        = QJsonDocument::fromJson(context().settings.iceServers.toUtf8()).array();
    QJsonObject answer{{u"type"_s, type},
                       {u"meeting_id"_s, m_meetingId},
                       {u"participant_id"_s, p.id},
                       {u"role"_s, participantRoleName(p.role)},
                       {u"state"_s, participantStateName(p.state)},
                       {u"audio_muted"_s, p.audioMuted},
                       {u"video_muted"_s, p.videoMuted},
                       {u"ice_servers"_s, iceServers},
                       // How the client negotiates: with the SFU, or with each other participant.
                       {u"media"_s, context().media.negotiatesMedia() ? u"sfu"_s : u"mesh"_s},
                       {u"resume_grace_seconds"_s, context().settings.resumeGraceSeconds}};
    if (!requestId.isEmpty())
        answer.insert(u"id"_s, requestId);
    if (!resumeToken.isEmpty())
        answer.insert(u"resume_token"_s, resumeToken);
    // Someone in the waiting room sees nobody until admitted, and no recording either.
    const bool present = p.state == ParticipantState::Present;
    answer.insert(u"participants"_s,
                  present ? roster(seesWaiting(member)) : QJsonArray{participantJson(p)});
    answer.insert(u"recording"_s, present ? recordingJson() : QJsonValue(QJsonValue::Null));
    return answer;
}

void LiveRoom::send(SessionRef session, const QByteArray &frame, int closeCode,
                    const QString &closeReason)
{
    if (!session.isValid())
        return;
    session.port->deliver(session.id, {Outgoing{frame, closeCode, closeReason}});
}

void LiveRoom::sendError(SessionRef session, const QString &requestId, const QString &code,
                         const QString &message)
{
    QJsonObject error{{u"type"_s, u"error"_s}, {u"code"_s, code}, {u"message"_s, message}};
    if (!requestId.isEmpty())
        error.insert(u"id"_s, requestId);
    send(session, toFrame(error));
}

void LiveRoom::broadcast(const QByteArray &frame, Audience audience, const QString &exceptId)
{
    for (const Member &member : std::as_const(m_members)) {
        if (member.participant.id == exceptId
            || member.participant.state != ParticipantState::Present)
            continue;
        if (audience == Audience::Hosts && !seesWaiting(member))
            continue;
        send(member.session, frame);
    }
    for (const Watcher &watcher : std::as_const(m_watchers))
        send(watcher.session, frame);
}

void LiveRoom::announceUpdate(const Participant &p)
{
    const QByteArray frame
        = toFrame({{u"type"_s, u"participant_updated"_s}, {u"participant"_s, participantJson(p)}});
    broadcast(frame, p.state == ParticipantState::Present ? Audience::Everyone : Audience::Hosts,
              p.id);
    // The participant learns its own state too (a mute it did not ask for, a new role).
    if (const auto it = m_members.constFind(p.id); it != m_members.constEnd())
        send(it->session, frame);
}

LiveRoom::Member *LiveRoom::memberBySession(SessionRef session)
{
    for (Member &member : m_members) {
        if (member.session == session)
            return &member;
    }
    return nullptr;
}

LiveRoom::Watcher *LiveRoom::watcherBySession(SessionRef session)
{
    for (Watcher &watcher : m_watchers) {
        if (watcher.session == session)
            return &watcher;
    }
    return nullptr;
}

void LiveRoom::publish()
{
    if (isEmpty() && !m_live) {
        m_hub.publishSummary(m_meetingId, std::nullopt);
        return;
    }
    m_hub.publishSummary(m_meetingId,
                         LiveSummary{presentCount(), waitingCount(), socketCount(),
                                     m_recording ? m_recording->id : QString()});
}

// ---- arrivals --------------------------------------------------------------------------------

void LiveRoom::arrive(const Arrival &arrival)
{
    const Settings &settings = context().settings;
    if (socketCount() >= settings.maxSocketsPerMeeting) {
        m_hub.refuse(arrival.session, arrival.requestId, u"meeting_full"_s,
                     u"This meeting has as many connections as it may have."_s,
                     SignalHub::CloseMeetingFull);
        return;
    }

    const QDateTime at = now();
    Database::WriteTransaction tx(context().database);
    ParticipantRepository participants(tx.db());
    MeetingRepository meetings(tx.db(), context().box);

    // Redeeming the token and checking the meeting happen in the transaction that admits, so
    // a replay racing the first use cannot slip in between.
    auto meeting = loadMeeting(tx.db());
    if (!meeting) {
        m_hub.refuse(arrival.session, arrival.requestId, u"not_found"_s, meeting.error().detail);
        return;
    }
    if (meeting->state == MeetingState::Cancelled || meeting->state == MeetingState::Ended) {
        const bool cancelled = meeting->state == MeetingState::Cancelled;
        m_hub.refuse(arrival.session, arrival.requestId,
                     cancelled ? u"meeting_cancelled"_s : u"meeting_ended"_s,
                     cancelled ? u"The meeting was cancelled."_s : u"The meeting has ended."_s);
        return;
    }
    const QSet<QString> banned = meetings.bannedSubjects(m_meetingId);
    if (banned.contains(arrival.subject)
        || (arrival.fromJoinPage && banned.contains(u"addr:"_s + arrival.clientAddress))) {
        m_hub.refuse(arrival.session, arrival.requestId, u"removed_from_meeting"_s,
                     u"You were removed from this meeting and may not rejoin it."_s);
        return;
    }
    auto redeemed = participants.redeemJti(arrival.jti, m_meetingId, arrival.tokenExpiresAtMs);
    if (!redeemed || !*redeemed) {
        m_hub.refuse(arrival.session, arrival.requestId, u"token_used"_s,
                     u"This join token was already used; ask for a new one."_s);
        return;
    }

    // The role comes from the token, raised by what the meeting says now (a co-host named
    // after the token was issued).
    ParticipantRole role = arrival.role;
    if (!arrival.isGuest) {
        if (meeting->hostId == arrival.subject)
            role = ParticipantRole::Host;
        else if (role == ParticipantRole::Attendee
                 && meetings.isCohost(m_meetingId, arrival.subject))
            role = ParticipantRole::CoHost;
    }

    Participant p;
    p.id = ids::generate(u"par");
    p.meetingId = m_meetingId;
    p.workspaceId = m_workspaceId;
    (arrival.isGuest ? p.guestId : p.userId) = arrival.subject;
    p.displayName = arrival.displayName;
    p.role = role;
    p.joinedAt = at;
    p.jti = arrival.jti;
    p.clientAddress = arrival.clientAddress;
    p.node = settings.nodeName;
    p.audioMuted = meeting->settings.muteUponEntry && role != ParticipantRole::Host;

    // DESIGN.md: hosts and co-hosts go straight in; with the waiting room on, everyone else
    // waits to be admitted; without it, they wait for the host unless the meeting is LIVE or
    // join-before-host allows it.
    const bool admitNow = mayActAsHost(role)
        || (!meeting->waitingRoom
            && (meeting->state == MeetingState::Live || meeting->settings.allowJoinBeforeHost));
    p.state = admitNow ? ParticipantState::Present : ParticipantState::Waiting;
    if (admitNow)
        p.admittedAt = at;

    std::optional<Meeting> wentLive;
    if (admitNow) {
        auto live = goLiveIfScheduled(tx, at);
        if (!live) {
            m_hub.refuse(arrival.session, arrival.requestId, u"internal"_s, live.error().detail);
            return;
        }
        wentLive = *live;
    }
    if (const Status stored = writeParticipant(tx, p, true); !stored) {
        m_hub.refuse(arrival.session, arrival.requestId, u"internal"_s, stored.error().detail);
        return;
    }
    if (admitNow) {
        if (const Status event = appendEvent(tx, u"participant.joined"_s, at, joinedEventData(p));
            !event) {
            m_hub.refuse(arrival.session, arrival.requestId, u"internal"_s, event.error().detail);
            return;
        }
    }

    // Waiting for the host ends when the host comes: those people are admitted with it.
    QList<QString> admitted;
    if (wentLive && !meeting->waitingRoom) {
        for (const QString &id : std::as_const(m_order)) {
            Member &waiting = m_members[id];
            if (waiting.participant.state == ParticipantState::Waiting) {
                if (const Status ok = admitMember(tx, waiting, at); !ok) {
                    m_hub.refuse(arrival.session, arrival.requestId, u"internal"_s,
                                 ok.error().detail);
                    return;
                }
            }
        }
    }
    if (const Status committed = tx.commit(); !committed) {
        m_hub.refuse(arrival.session, arrival.requestId, u"internal"_s, committed.error().detail);
        return;
    }

    // Committed: now the room changes and the clients hear of it.
    if (wentLive) {
        context().meetingCache.drop(m_meetingId);
        m_live = true;
        prepareMedia();
        if (!meeting->waitingRoom) {
            for (const QString &id : std::as_const(m_order)) {
                Member &waiting = m_members[id];
                if (waiting.participant.state == ParticipantState::Waiting) {
                    waiting.participant.state = ParticipantState::Present;
                    waiting.participant.admittedAt = at;
                    admitted << id;
                }
            }
        }
    }
    if (meeting->state == MeetingState::Live)
        m_live = true;

    const QString resumeToken
        = QString::fromLatin1(crypto::base64UrlEncode(crypto::randomBytes(32)));
    Member member;
    member.participant = p;
    member.session = arrival.session;
    member.resumeHash = hashResumeToken(resumeToken);
    member.fromJoinPage = arrival.fromJoinPage;
    m_members.insert(p.id, member);
    m_order.append(p.id);
    m_hub.m_state->sessionRooms.insert(arrival.session, m_meetingId);
    m_hub.m_state->resumeTokens.insert(member.resumeHash, {m_meetingId, p.id});
    if (admitNow)
        ++m_emptyGeneration; // someone is in: a pending empty-room end no longer applies
    // The counts first: a client that reads the meeting after its answer sees itself in it.
    publish();

    // The answer first: what the media plane sends the newcomer names it by the id it carries.
    send(arrival.session,
         toFrame(entryAnswer(admitNow ? u"joined"_s : u"waiting"_s, arrival.requestId,
                             m_members[p.id], resumeToken)));
    if (admitNow)
        admitToMedia(p.id);
    const QByteArray joinedFrame
        = toFrame({{u"type"_s, u"participant_joined"_s}, {u"participant"_s, participantJson(p)}});
    broadcast(joinedFrame, admitNow ? Audience::Everyone : Audience::Hosts, p.id);
    announceAdmissions(admitted);
    if (wentLive)
        recordAutomatically(*wentLive);
}

Status LiveRoom::admitMember(Database::WriteTransaction &tx, const Member &member,
                             const QDateTime &at)
{
    Participant admitted = member.participant;
    admitted.state = ParticipantState::Present;
    admitted.admittedAt = at;
    if (const Status stored = writeParticipant(tx, admitted, false); !stored)
        return stored;
    return appendEvent(tx, u"participant.joined"_s, at, joinedEventData(admitted));
}

void LiveRoom::announceAdmissions(const QList<QString> &admittedIds)
{
    for (const QString &id : admittedIds) {
        Member &member = m_members[id];
        const Participant &p = member.participant;
        QJsonObject admitted{{u"type"_s, u"admitted"_s},
                             {u"participant_id"_s, p.id},
                             {u"state"_s, participantStateName(p.state)},
                             {u"participants"_s, roster(seesWaiting(member))},
                             {u"recording"_s, recordingJson()}};
        send(member.session, toFrame(admitted));
        admitToMedia(p.id);

        // Hosts saw the waiting entry and get its update; the others meet a new participant.
        const QJsonObject entry = participantJson(p);
        const QByteArray updated
            = toFrame({{u"type"_s, u"participant_updated"_s}, {u"participant"_s, entry}});
        const QByteArray joined
            = toFrame({{u"type"_s, u"participant_joined"_s}, {u"participant"_s, entry}});
        for (const Member &other : std::as_const(m_members)) {
            if (other.participant.id == id || other.participant.state != ParticipantState::Present)
                continue;
            send(other.session, seesWaiting(other) ? updated : joined);
        }
        for (const Watcher &watcher : std::as_const(m_watchers))
            send(watcher.session, updated);
    }
}

void LiveRoom::resume(SessionRef session, const QString &requestId, const QString &participantId)
{
    auto it = m_members.find(participantId);
    if (it == m_members.end()) {
        m_hub.refuse(session, requestId, u"invalid_resume_token"_s,
                     u"This resume token is unknown, expired or revoked."_s);
        return;
    }
    Member &member = *it;

    // A new socket takes over from one that may not know yet that it is dead.
    if (member.session.isValid() && member.session != session) {
        send(member.session, {}, SignalHub::CloseReplaced, u"resumed on another connection"_s);
        m_hub.m_state->sessionRooms.remove(member.session);
    }
    member.session = session;
    ++member.dropGeneration;
    m_hub.m_state->sessionRooms.insert(session, m_meetingId);
    publish();

    send(session, toFrame(entryAnswer(u"resumed"_s, requestId, member, {})));
    // A mute the client never confirmed is asked again.
    if (!member.pendingMuteRef.isEmpty())
        send(session,
             toFrame({{u"type"_s, u"mute_request"_s},
                      {u"ref"_s, member.pendingMuteRef},
                      {u"muted"_s, true}}));
}

void LiveRoom::addWatcher(SessionRef session, const QString &requestId, bool observer,
                          WatcherRights rights, const QString &userId)
{
    if (observer && socketCount() >= context().settings.maxSocketsPerMeeting) {
        m_hub.refuse(session, requestId, u"meeting_full"_s,
                     u"This meeting has as many connections as it may have."_s,
                     SignalHub::CloseMeetingFull);
        return;
    }
    m_watchers.append(Watcher{session, observer, rights, userId});
    m_hub.m_state->sessionRooms.insert(session, m_meetingId);
    publish();

    if (observer) {
        auto meeting = loadMeeting(context().database.connection());
        QJsonObject answer{{u"type"_s, u"observing"_s},
                           {u"meeting_id"_s, m_meetingId},
                           {u"state"_s, meeting ? meetingStateName(meeting->state) : QString()},
                           {u"may_act"_s, rights.mayAct},
                           {u"may_record"_s, rights.mayRecord},
                           {u"participants"_s, roster(true)},
                           {u"recording"_s, recordingJson()}};
        if (!requestId.isEmpty())
            answer.insert(u"id"_s, requestId);
        send(session, toFrame(answer));
    }
}

void LiveRoom::removeWatcher(SessionRef session)
{
    m_watchers.removeIf([session](const Watcher &w) { return w.session == session; });
    m_hub.m_state->sessionRooms.remove(session);
    publish();
}

// ---- departures ------------------------------------------------------------------------------

Status LiveRoom::leave(QString participantId, LeaveReason reason, int closeCode,
                       const QByteArray &lastFrame)
{
    auto it = m_members.find(participantId);
    if (it == m_members.end())
        return Error{ErrorCode::NotFound, QStringLiteral("No such participant.")};

    const QDateTime at = now();
    Participant gone = it->participant;
    const bool wasAdmitted = gone.state == ParticipantState::Present;

    {
        Database::WriteTransaction tx(context().database);
        if (const Status stored = writeDeparture(tx, gone, at, reason); !stored)
            return stored;
        if (reason == LeaveReason::Removed) {
            ParticipantRepository participants(tx.db());
            if (const Status banned
                = participants.ban(m_meetingId, gone.subject(), at.toMSecsSinceEpoch());
                !banned)
                return banned;
            // DESIGN.md's approximation for guests who came without a bearer: their address.
            if (it->fromJoinPage) {
                const Status bannedAddress = participants.ban(
                    m_meetingId, u"addr:"_s + gone.clientAddress, at.toMSecsSinceEpoch());
                if (!bannedAddress)
                    return bannedAddress;
            }
        }
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    if (reason == LeaveReason::Removed)
        context().banCache.drop(m_meetingId);

    Member member = *it;
    m_members.erase(it);
    m_order.removeOne(participantId);
    m_hub.m_state->resumeTokens.remove(member.resumeHash);
    if (m_live && presentCount() == 0)
        scheduleEmptyCheck();
    publish();
    finishMuteWaiters(member, false);
    if (member.session.isValid()) {
        m_hub.m_state->sessionRooms.remove(member.session);
        if (closeCode != 0)
            member.session.port->deliver(member.session.id,
                                         {Outgoing{lastFrame, closeCode, leaveReasonName(reason)}});
    }
    if (wasAdmitted)
        context().media.remove(m_meetingId, participantId);

    const QByteArray leftFrame = toFrame({{u"type"_s, u"participant_left"_s},
                                          {u"participant_id"_s, participantId},
                                          {u"reason"_s, leaveReasonName(reason)}});
    broadcast(leftFrame, wasAdmitted ? Audience::Everyone : Audience::Hosts);
    return success();
}

void LiveRoom::scheduleEmptyCheck()
{
    const quint64 generation = ++m_emptyGeneration;
    const QString meetingId = m_meetingId;
    SignalHub *hub = &m_hub;
    QTimer::singleShot(
        context().settings.emptyTimeoutSeconds * 1000, hub->m_anchor, [hub, meetingId, generation] {
            LiveRoom *room = hub->m_state->room(meetingId);
            if (!room || room->m_emptyGeneration != generation || !room->m_live
                || room->presentCount() > 0)
                return;
            qCInfo(lcRoom) << "meeting" << meetingId << "ends: empty";
            std::optional<Meeting> ended;
            if (const Status ok = room->endMeeting(u"empty"_s, {}, &ended); !ok)
                qCWarning(lcRoom) << "could not end" << meetingId << ok.error().detail;
        });
}

void LiveRoom::scheduleGraceExpiry(Member &member)
{
    const quint64 generation = ++member.dropGeneration;
    const QString meetingId = m_meetingId;
    const QString participantId = member.participant.id;
    SignalHub *hub = &m_hub;
    QTimer::singleShot(
        context().settings.resumeGraceSeconds * 1000, hub->m_anchor,
        [hub, meetingId, participantId, generation] {
            LiveRoom *room = hub->m_state->room(meetingId);
            if (!room)
                return;
            const auto it = room->m_members.constFind(participantId);
            if (it == room->m_members.constEnd() || it->session.isValid()
                || it->dropGeneration != generation)
                return;
            if (const Status ok = room->leave(participantId, LeaveReason::Timeout, 0, {}); !ok)
                qCWarning(lcRoom) << "could not record a timeout" << ok.error().detail;
            hub->dropRoomIfIdle(meetingId);
        });
}

void LiveRoom::sessionClosed(SessionRef session, bool left)
{
    if (watcherBySession(session)) {
        removeWatcher(session);
        return;
    }
    Member *member = memberBySession(session);
    if (!member)
        return;
    m_hub.m_state->sessionRooms.remove(session);
    if (left) {
        if (const Status ok = leave(member->participant.id, LeaveReason::Left, 0, {}); !ok)
            qCWarning(lcRoom) << "could not record a leave" << ok.error().detail;
        return;
    }

    // Dropped without a word: the participant may come back within the grace.
    member->session = {};
    scheduleGraceExpiry(*member);
    publish();
}

Status LiveRoom::endMeeting(const QString &reason, const QString &actorUserId,
                            std::optional<Meeting> *endedMeeting)
{
    const QDateTime at = now();
    Meeting ended;
    // Out of the room while the end is written (see below); back if it does not commit.
    const std::optional<Recording> stopping = std::exchange(m_recording, std::nullopt);
    auto keepRecording = qScopeGuard([this, &stopping] { m_recording = stopping; });
    {
        Database::WriteTransaction tx(context().database);
        auto meeting = loadMeeting(tx.db());
        if (!meeting)
            return meeting.error();
        if (meeting->state != MeetingState::Live)
            return Error{ErrorCode::MeetingNotLive,
                         QStringLiteral("Only a LIVE meeting can be ended; this one is %1.")
                             .arg(meetingStateName(meeting->state))};

        // DESIGN.md's order: recording.stopped, each participant.left, then meeting.ended, all
        // at the same instant. The recording stops first, so the departures are not noted in
        // its timeline as if it still captured.
        if (stopping) {
            if (const Status stopped
                = RecordingLifecycle(tx.db()).stop(*stopping, at, u"meeting_ended"_s);
                !stopped)
                return stopped;
        }
        for (const QString &id : std::as_const(m_order)) {
            Participant gone = m_members[id].participant;
            if (const Status stored = writeDeparture(tx, gone, at, LeaveReason::MeetingEnded);
                !stored)
                return stored;
        }
        auto written = writeEnd(tx, *meeting, at, reason);
        if (!written)
            return written.error();
        ended = *written;
        if (!actorUserId.isEmpty()) {
            AuditEntry entry;
            entry.workspaceId = m_workspaceId;
            entry.meetingId = m_meetingId;
            entry.actorId = actorUserId;
            entry.action = u"meeting.ended"_s;
            entry.detail = {{u"reason"_s, reason}};
            context().audit.record(entry, tx.db());
        }
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    keepRecording.dismiss();
    context().meetingCache.drop(m_meetingId);
    if (stopping) {
        handOverCapture(*stopping);
        announceRecordingStopped(stopping->id, at, u"meeting_ended"_s);
    }

    const QByteArray endedFrame = toFrame({{u"type"_s, u"meeting_ended"_s}, {u"reason"_s, reason}});
    for (Member &member : m_members) {
        finishMuteWaiters(member, false);
        m_hub.m_state->resumeTokens.remove(member.resumeHash);
        if (member.session.isValid()) {
            m_hub.m_state->sessionRooms.remove(member.session);
            send(member.session, endedFrame, SignalHub::CloseMeetingEnded, u"meeting ended"_s);
        }
        if (member.participant.state == ParticipantState::Present)
            context().media.remove(m_meetingId, member.participant.id);
    }
    for (const Watcher &watcher : std::as_const(m_watchers)) {
        m_hub.m_state->sessionRooms.remove(watcher.session);
        send(watcher.session, endedFrame, SignalHub::CloseMeetingEnded, u"meeting ended"_s);
    }
    m_members.clear();
    m_order.clear();
    m_watchers.clear();
    m_live = false;
    context().media.closeRoom(m_meetingId);
    if (endedMeeting)
        *endedMeeting = ended;
    publish();
    m_hub.dropRoomIfIdle(m_meetingId);
    return success();
}

Result<Meeting> LiveRoom::writeEnd(Database::WriteTransaction &tx, const Meeting &meeting,
                                   const QDateTime &at, const QString &reason)
{
    const Meeting ended = meetingrules::applyTransition(meeting, meetingrules::Transition::End, at);
    if (const Status stored
        = MeetingRepository(tx.db(), context().box).update(ended, meeting.version);
        !stored)
        return stored.error();
    const qint64 durationSeconds = meeting.startedAt.isValid() ? meeting.startedAt.secsTo(at) : 0;
    const Status event = appendEvent(tx, u"meeting.ended"_s, at,
                                     {{u"topic"_s, ended.topic},
                                      {u"ended_at"_s, timerules::formatUtc(at)},
                                      {u"duration_seconds"_s, durationSeconds},
                                      {u"reason"_s, reason}});
    if (!event)
        return event.error();
    return ended;
}

Status LiveRoom::endForLostNode()
{
    const QDateTime at = now();
    {
        Database::WriteTransaction tx(context().database);
        auto meeting = loadMeeting(tx.db());
        if (!meeting)
            return meeting.error();
        // Another node took it over first (the writers' lock orders the two transactions).
        if (meeting->state != MeetingState::Live)
            return success();

        auto active = ParticipantRepository(tx.db()).active(m_meetingId);
        if (!active)
            return active.error();
        for (Participant gone : std::as_const(*active)) {
            if (const Status stored = writeDeparture(tx, gone, at, LeaveReason::NodeLost); !stored)
                return stored;
        }
        if (auto ended = writeEnd(tx, *meeting, at, u"node_lost"_s); !ended)
            return ended.error();
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    context().meetingCache.drop(m_meetingId);
    m_live = false;
    publish();
    return success();
}

void LiveRoom::restoreAfterRestart()
{
    const QDateTime at = now();
    auto active = ParticipantRepository(context().database.connection()).active(m_meetingId);
    if (active && !active->isEmpty()) {
        Database::WriteTransaction tx(context().database);
        for (Participant gone : std::as_const(*active)) {
            if (!writeDeparture(tx, gone, at, LeaveReason::NodeLost))
                return;
        }
        if (!tx.commit())
            return;
    }
    adoptLive();
}

void LiveRoom::adoptLive()
{
    m_live = true;
    prepareMedia();
    if (presentCount() == 0)
        scheduleEmptyCheck();
    publish();
}

void LiveRoom::shutDown()
{
    // Participants first, so observers and event streams hear each of them leave.
    const QList<QString> ids = m_order;
    for (const QString &id : ids) {
        if (const Status ok = leave(id, LeaveReason::NodeLost, SignalHub::CloseGoingAway, {}); !ok)
            qCWarning(lcRoom) << "could not record a departure at shutdown" << ok.error().detail;
    }
    for (const Watcher &watcher : std::as_const(m_watchers))
        send(watcher.session, {}, SignalHub::CloseGoingAway, u"server shutting down"_s);
    m_watchers.clear();
}

// ---- frames from clients ---------------------------------------------------------------------

void LiveRoom::handleFrame(SessionRef session, const QJsonObject &frame)
{
    const QString type = frame.value(u"type"_s).toString();
    const QString requestId = frame.value(u"id"_s).toString();

    if (Watcher *watcher = watcherBySession(session)) {
        if (!watcher->observer)
            return;
        if (type == u"leave") {
            send(session, {}, SignalHub::CloseLeft, u"left"_s);
            removeWatcher(session);
            return;
        }
        if (type == u"ack")
            return;
        const bool recordingCommand = type == u"start_recording" || type == u"stop_recording";
        if (recordingCommand && !watcher->rights.mayRecord) {
            sendError(session, requestId, u"forbidden"_s,
                      u"Observing does not include recording commands without recording.write "
                      "and host rights."_s);
            return;
        }
        if (!recordingCommand && !watcher->rights.mayAct) {
            sendError(session, requestId, u"forbidden"_s,
                      u"Observing does not include host commands without meeting.write and "
                      "host rights."_s);
            return;
        }
        handleHostCommand(session, type, frame, watcher->userId, {});
        return;
    }

    Member *member = memberBySession(session);
    if (!member)
        return;
    if (type == u"leave") {
        if (const Status ok
            = leave(member->participant.id, LeaveReason::Left, SignalHub::CloseLeft, {});
            !ok)
            sendError(session, requestId, u"internal"_s, ok.error().detail);
        m_hub.dropRoomIfIdle(m_meetingId);
        return;
    }
    if (type == u"ack") {
        // An ack for a request that has been superseded is normal and ignored; one without a
        // ref is a client bug worth telling.
        if (!frame.value(u"ref"_s).isString()) {
            sendError(session, requestId, u"invalid_frame"_s, u"`ref` is required."_s);
            return;
        }
        ackMute(*member, frame.value(u"ref"_s).toString());
        return;
    }
    if (type == u"media_state") {
        applyMediaState(*member, frame);
        return;
    }
    if (type == u"offer" || type == u"answer" || type == u"candidate") {
        relay(*member, type, frame);
        return;
    }
    if (member->participant.state != ParticipantState::Present
        || !mayActAsHost(member->participant.role)) {
        static const QStringList hostCommands{
            u"mute"_s,     u"mute_all"_s,    u"remove"_s,          u"admit"_s,
            u"set_role"_s, u"end_meeting"_s, u"start_recording"_s, u"stop_recording"_s};
        if (hostCommands.contains(type))
            sendError(session, requestId, u"forbidden"_s,
                      u"Only the host and co-hosts may do this."_s);
        else
            sendError(session, requestId, u"unknown_type"_s,
                      u"No such frame type: %1."_s.arg(type));
        return;
    }
    handleHostCommand(session, type, frame, member->participant.userId, member->participant.id);
}

void LiveRoom::handleHostCommand(SessionRef session, const QString &type, const QJsonObject &frame,
                                 const QString &actorUserId, const QString &actorParticipantId)
{
    const QString requestId = frame.value(u"id"_s).toString();
    HostAction action;
    action.meetingId = m_meetingId;
    action.actorUserId = actorUserId;
    action.actorParticipantId = actorParticipantId;
    action.participantId = frame.value(u"participant_id"_s).toString();

    const bool needsTarget
        = type == u"mute" || type == u"remove" || type == u"admit" || type == u"set_role";
    if (type == u"mute") {
        action.kind = HostAction::Kind::Mute;
        const QJsonValue muted = frame.value(u"muted"_s);
        if (!muted.isUndefined() && !muted.isBool()) {
            sendError(session, requestId, u"invalid_frame"_s, u"`muted` must be a boolean."_s);
            return;
        }
        action.muted = muted.toBool(true);
    } else if (type == u"mute_all") {
        action.kind = HostAction::Kind::MuteAll;
    } else if (type == u"remove") {
        action.kind = HostAction::Kind::Remove;
    } else if (type == u"admit") {
        action.kind = HostAction::Kind::Admit;
    } else if (type == u"set_role") {
        action.kind = HostAction::Kind::SetRole;
        const auto role = participantRoleFromName(frame.value(u"role"_s).toString());
        if (!role || *role == ParticipantRole::Host) {
            sendError(session, requestId, u"invalid_frame"_s,
                      u"`role` must be co_host or attendee."_s);
            return;
        }
        action.role = *role;
    } else if (type == u"end_meeting") {
        action.kind = HostAction::Kind::End;
    } else if (type == u"start_recording") {
        action.kind = HostAction::Kind::StartRecording;
    } else if (type == u"stop_recording") {
        action.kind = HostAction::Kind::StopRecording;
    } else {
        sendError(session, requestId, u"unknown_type"_s, u"No such frame type: %1."_s.arg(type));
        return;
    }
    if (needsTarget && action.participantId.isEmpty()) {
        sendError(session, requestId, u"invalid_frame"_s, u"`participant_id` is required."_s);
        return;
    }

    if (action.kind == HostAction::Kind::Mute) {
        // The socket has no answer to wait for: a refusal is told now, an accepted mute shows
        // as the participant_updated it causes.
        if (const Status allowed = checkMuteTarget(action); !allowed)
            sendHostCommandError(session, requestId, allowed.error());
        else
            mute(action, nullptr, {});
        return;
    }
    // The hub may delete this room while ending it: keep what the answer needs.
    const SessionRef replyTo = session;
    const Result<HostActionOutcome> outcome = runHostAction(action);
    if (!outcome) {
        sendHostCommandError(replyTo, requestId, outcome.error());
        return;
    }
    // A recording that failed at once (storage full, capture refused) starts nothing that
    // everyone would hear of: the sender is told why.
    if (outcome->recording && outcome->recording->state == RecordingState::Failed)
        sendError(replyTo, requestId, outcome->recording->errorCode,
                  outcome->recording->errorMessage);
}

void LiveRoom::sendHostCommandError(SessionRef session, const QString &requestId,
                                    const Error &refusal)
{
    const ErrorCode code = refusal.code;
    const QString name = code == ErrorCode::NotFound ? u"unknown_participant"_s
        : code == ErrorCode::ParticipantLeft         ? u"participant_left"_s
        : code == ErrorCode::MeetingNotLive          ? u"meeting_not_live"_s
        : code == ErrorCode::Conflict                ? u"conflict"_s
        : code == ErrorCode::RecordingActive         ? u"recording_active"_s
        : code == ErrorCode::NotRecording            ? u"not_recording"_s
        : code == ErrorCode::CaptureUnavailable      ? u"capture_unavailable"_s
                                                     : u"internal"_s;
    sendError(session, requestId, name, refusal.detail);
}

void LiveRoom::relay(Member &sender, const QString &type, const QJsonObject &frame)
{
    const QString requestId = frame.value(u"id"_s).toString();
    if (sender.participant.state != ParticipantState::Present) {
        sendError(sender.session, requestId, u"not_admitted"_s,
                  u"Media is negotiated once you are admitted."_s);
        return;
    }
    const QString to = frame.value(u"to"_s).toString();
    if (to == u"sfu") {
        if (!context().media.negotiatesMedia()) {
            sendError(sender.session, requestId, u"no_sfu"_s,
                      u"This server has no SFU: address offers, answers and candidates to a "
                      "participant id."_s);
            return;
        }
        const Status sent = context().media.signal(m_meetingId, sender.participant.id, type, frame);
        if (!sent)
            sendError(sender.session, requestId,
                      sent.error().code == ErrorCode::InvalidRequest ? u"invalid_frame"_s
                                                                     : u"media_failed"_s,
                      sent.error().detail);
        return;
    }
    const auto target = m_members.constFind(to);
    if (to == sender.participant.id || target == m_members.constEnd()
        || target->participant.state != ParticipantState::Present) {
        sendError(sender.session, requestId, u"unknown_participant"_s,
                  u"`to` names no participant in this meeting."_s);
        return;
    }
    QJsonObject relayed = frame;
    relayed.remove(u"to"_s);
    relayed.remove(u"id"_s);
    relayed.insert(u"from"_s, sender.participant.id);
    send(target->session, toFrame(relayed));
}

void LiveRoom::deliverMediaSignal(const QString &participantId, const QString &type,
                                  const QJsonObject &payload)
{
    const auto it = m_members.constFind(participantId);
    if (it == m_members.constEnd())
        return;
    QJsonObject frame = payload;
    frame.insert(u"type"_s, type);
    frame.insert(u"from"_s, u"sfu"_s);
    send(it->session, toFrame(frame));
}

void LiveRoom::applyMediaState(Member &member, const QJsonObject &frame)
{
    const QString requestId = frame.value(u"id"_s).toString();
    const QJsonValue audio = frame.value(u"audio_muted"_s);
    const QJsonValue video = frame.value(u"video_muted"_s);
    if ((!audio.isUndefined() && !audio.isBool()) || (!video.isUndefined() && !video.isBool())) {
        sendError(member.session, requestId, u"invalid_frame"_s,
                  u"`audio_muted` and `video_muted` must be booleans."_s);
        return;
    }

    Participant changed = member.participant;
    if (audio.isBool()) {
        changed.audioMuted = audio.toBool();
        // The participant's own word settles any pending mute: unmuting lifts it, muting
        // confirms it.
        changed.muteAcknowledged = true;
    }
    if (video.isBool())
        changed.videoMuted = video.toBool();
    if (changed == member.participant)
        return;

    Database::WriteTransaction tx(context().database);
    if (!writeParticipant(tx, changed, false) || !tx.commit()) {
        sendError(member.session, requestId, u"internal"_s, u"The change was not stored."_s);
        return;
    }
    const bool liftedMute = member.participant.audioMuted && !changed.audioMuted;
    member.participant = changed;
    if (audio.isBool()) {
        member.pendingMuteRef.clear();
        finishMuteWaiters(member, changed.audioMuted);
    }
    if (liftedMute)
        context().media.setAudioMuted(m_meetingId, changed.id, false);
    announceUpdate(changed);
}

// ---- host actions ----------------------------------------------------------------------------

void LiveRoom::act(const HostAction &action, SessionPort *replyPort, SignalHub::HostActionDone done)
{
    if (action.kind == HostAction::Kind::Mute) {
        mute(action, replyPort, std::move(done));
        return;
    }
    Result<HostActionOutcome> outcome = runHostAction(action);
    replyPort->post([done = std::move(done), outcome]() { done(outcome); });
}

void LiveRoom::mute(const HostAction &action, SessionPort *replyPort,
                    SignalHub::HostActionDone done)
{
    auto reply = [replyPort, done](Result<HostActionOutcome> outcome) {
        if (replyPort && done)
            replyPort->post([done, outcome]() { done(outcome); });
    };
    if (const Status allowed = checkMuteTarget(action); !allowed) {
        reply(allowed.error());
        return;
    }
    Member &member = m_members[action.participantId];
    const QString ref = u"m%1"_s.arg(++m_nextRef);

    if (!action.muted) {
        // No forced unmute: the participant is asked, and only its own media_state unmutes.
        send(member.session, toFrame({{u"type"_s, u"unmute_request"_s}, {u"ref"_s, ref}}));
        HostActionOutcome outcome;
        outcome.participant = member.participant;
        reply(outcome);
        return;
    }

    Participant changed = member.participant;
    changed.audioMuted = true;
    changed.muteAcknowledged = false;
    {
        Database::WriteTransaction tx(context().database);
        if (const Status stored = writeParticipant(tx, changed, false); !stored) {
            reply(stored.error());
            return;
        }
        if (const Status committed = tx.commit(); !committed) {
            reply(committed.error());
            return;
        }
    }
    // A newer request supersedes an older one still waiting: its callers learn it was not
    // confirmed.
    finishMuteWaiters(member, false);
    member.participant = changed;
    member.pendingMuteRef = ref;
    context().media.setAudioMuted(m_meetingId, changed.id, true);
    send(member.session,
         toFrame({{u"type"_s, u"mute_request"_s}, {u"ref"_s, ref}, {u"muted"_s, true}}));
    announceUpdate(changed);

    if (!action.waitForAck || !replyPort) {
        HostActionOutcome outcome;
        outcome.participant = changed;
        reply(outcome);
        return;
    }
    member.muteWaiters.append(MuteWaiter{replyPort, std::move(done)});
    const QString meetingId = m_meetingId;
    const QString participantId = changed.id;
    SignalHub *hub = &m_hub;
    QTimer::singleShot(context().settings.muteAckTimeoutMs, hub->m_anchor,
                       [hub, meetingId, participantId, ref] {
                           LiveRoom *room = hub->m_state->room(meetingId);
                           if (!room)
                               return;
                           auto member = room->m_members.find(participantId);
                           if (member != room->m_members.end() && member->pendingMuteRef == ref)
                               room->finishMuteWaiters(*member, false);
                       });
}

void LiveRoom::ackMute(Member &member, const QString &ref)
{
    if (ref.isEmpty() || ref != member.pendingMuteRef)
        return;
    Participant changed = member.participant;
    changed.muteAcknowledged = true;
    Database::WriteTransaction tx(context().database);
    if (!writeParticipant(tx, changed, false) || !tx.commit())
        return;
    member.participant = changed;
    member.pendingMuteRef.clear();
    finishMuteWaiters(member, true);
    announceUpdate(changed);
}

void LiveRoom::finishMuteWaiters(Member &member, bool acknowledged)
{
    const QList<MuteWaiter> waiters = std::exchange(member.muteWaiters, {});
    for (const MuteWaiter &waiter : waiters) {
        HostActionOutcome outcome;
        outcome.participant = member.participant;
        outcome.acknowledged = acknowledged;
        const Result<HostActionOutcome> result = outcome;
        waiter.port->post([done = waiter.done, result]() { done(result); });
    }
}

Result<HostActionOutcome> LiveRoom::runHostAction(const HostAction &action)
{
    HostActionOutcome outcome;
    if (action.kind == HostAction::Kind::End) {
        std::optional<Meeting> ended;
        if (const Status ok = endMeeting(u"host_ended"_s, action.actorUserId, &ended); !ok)
            return ok.error();
        outcome.meeting = ended;
        return outcome;
    }
    if (action.kind == HostAction::Kind::StartRecording)
        return startRecording(action);
    if (action.kind == HostAction::Kind::StopRecording)
        return stopRecording();
    if (action.kind == HostAction::Kind::MuteAll) {
        QList<QString> targets;
        for (const QString &id : std::as_const(m_order)) {
            const Participant &p = m_members[id].participant;
            if (p.state == ParticipantState::Present && !mayActAsHost(p.role)
                && id != action.actorParticipantId && !(p.audioMuted && p.muteAcknowledged))
                targets << id;
        }
        for (const QString &id : targets) {
            HostAction one = action;
            one.kind = HostAction::Kind::Mute;
            one.participantId = id;
            one.muted = true;
            one.waitForAck = false;
            mute(one, nullptr, {});
        }
        outcome.affected = int(targets.size());
        return outcome;
    }

    auto it = m_members.find(action.participantId);
    if (it == m_members.end())
        return missingMember(action.participantId);

    switch (action.kind) {
    case HostAction::Kind::Remove: {
        // The host owns the meeting: nobody removes them (they would be barred from their
        // own meeting), and anyone leaves with `leave`, not by removing themselves.
        if (it->participant.role == ParticipantRole::Host)
            return Error{ErrorCode::Conflict, QStringLiteral("The host cannot be removed.")};
        if (action.participantId == action.actorParticipantId)
            return Error{ErrorCode::Conflict,
                         QStringLiteral("Send leave to leave; removing yourself would bar "
                                        "you from the meeting.")};
        const QByteArray removedFrame
            = toFrame({{u"type"_s, u"removed"_s}, {u"reason"_s, u"removed_by_host"_s}});
        const QString subjectUserId = it->participant.userId;
        if (const Status ok = leave(action.participantId, LeaveReason::Removed,
                                    SignalHub::CloseRemoved, removedFrame);
            !ok)
            return ok.error();
        AuditEntry entry;
        entry.workspaceId = m_workspaceId;
        entry.meetingId = m_meetingId;
        entry.actorId = action.actorUserId;
        entry.subjectUserId = subjectUserId;
        entry.targetId = action.participantId;
        entry.action = u"participant.removed"_s;
        context().audit.record(entry);
        m_hub.dropRoomIfIdle(m_meetingId);
        return outcome;
    }
    case HostAction::Kind::Admit: {
        if (it->participant.state != ParticipantState::Waiting)
            return Error{ErrorCode::Conflict, QStringLiteral("The participant is not waiting.")};
        const QDateTime at = now();
        Database::WriteTransaction tx(context().database);
        auto live = goLiveIfScheduled(tx, at);
        if (!live)
            return live.error();
        if (const Status stored = admitMember(tx, *it, at); !stored)
            return stored.error();
        Participant admitted = it->participant;
        admitted.state = ParticipantState::Present;
        admitted.admittedAt = at;
        if (const Status committed = tx.commit(); !committed)
            return committed.error();
        if (*live) {
            context().meetingCache.drop(m_meetingId);
            m_live = true;
            prepareMedia();
        }
        it->participant = admitted;
        ++m_emptyGeneration;
        publish();
        announceAdmissions({admitted.id});
        if (*live)
            recordAutomatically(**live);
        outcome.participant = admitted;
        return outcome;
    }
    case HostAction::Kind::SetRole: {
        if (it->participant.role == ParticipantRole::Host)
            return Error{ErrorCode::Conflict, QStringLiteral("The host's role cannot change.")};
        Participant changed = it->participant;
        changed.role = action.role;
        Database::WriteTransaction tx(context().database);
        if (!changed.userId.isEmpty()) {
            // A user's co-host rights belong to the meeting; a guest's last for this stay.
            const Status stored = MeetingRepository(tx.db(), context().box)
                                      .setCohost(m_meetingId, changed.userId,
                                                 changed.role == ParticipantRole::CoHost);
            if (!stored)
                return stored.error();
        }
        if (const Status stored = writeParticipant(tx, changed, false); !stored)
            return stored.error();
        if (const Status committed = tx.commit(); !committed)
            return committed.error();
        const bool promoted = !mayActAsHost(it->participant.role) && mayActAsHost(changed.role);
        it->participant = changed;
        announceUpdate(changed);
        // A new co-host now sees the waiting room.
        if (promoted && changed.state == ParticipantState::Present) {
            for (const QString &id : std::as_const(m_order)) {
                const Participant &p = m_members[id].participant;
                if (p.state == ParticipantState::Waiting)
                    send(it->session,
                         toFrame({{u"type"_s, u"participant_joined"_s},
                                  {u"participant"_s, participantJson(p)}}));
            }
        }
        outcome.participant = changed;
        return outcome;
    }
    case HostAction::Kind::Mute:
    case HostAction::Kind::MuteAll:
    case HostAction::Kind::End:
    case HostAction::Kind::StartRecording:
    case HostAction::Kind::StopRecording:
        break;
    }
    return outcome;
}

// ---- recording -------------------------------------------------------------------------------

Result<HostActionOutcome> LiveRoom::startRecording(const HostAction &action)
{
    auto meeting = loadMeeting(context().database.connection());
    if (!meeting)
        return meeting.error();
    if (meeting->state != MeetingState::Live)
        return Error{ErrorCode::MeetingNotLive,
                     QStringLiteral("Recording needs a LIVE meeting; this one is %1.")
                         .arg(meetingStateName(meeting->state))};
    if (m_recording)
        return Error{ErrorCode::RecordingActive,
                     QStringLiteral("Recording %1 is already capturing this meeting; stop it "
                                    "before starting another.")
                         .arg(m_recording->id)};
    if (!context().media.canCapture())
        return Error{ErrorCode::CaptureUnavailable, kCaptureUnavailable};

    auto recording = beginRecording(action.actorUserId);
    if (!recording)
        return recording.error();
    HostActionOutcome outcome;
    outcome.recording = *recording;
    return outcome;
}

Result<Recording> LiveRoom::beginRecording(const QString &startedBy)
{
    const Settings &settings = context().settings;
    const QDateTime at = now();

    // A full disk fails the recording now, with a clear reason, rather than its processing
    // later; the database is untouched by it beyond the failed recording itself.
    const QString root = settings.effectiveRecordingsDir();
    if (!QFileInfo::exists(root) && QDir().mkpath(root))
        QFile::setPermissions(root, kPrivateDirectory);
    const QStorageInfo disk(root);
    if (disk.isValid() && disk.bytesAvailable() < settings.recordingMinFreeBytes) {
        Database::WriteTransaction tx(context().database);
        auto refused = RecordingLifecycle(tx.db()).refuse(
            m_workspaceId, m_meetingId, startedBy, settings.nodeName, at, u"storage_full"_s,
            u"The recordings storage has less free space than this server keeps in reserve "
            "(--recording-min-free); nothing was recorded."_s);
        if (!refused)
            return refused.error();
        if (const Status committed = tx.commit(); !committed)
            return committed.error();
        qCWarning(lcRoom) << "recording refused: the recordings storage is full" << root;
        return *refused;
    }

    Recording recording;
    {
        Database::WriteTransaction tx(context().database);
        auto begun = RecordingLifecycle(tx.db()).begin(m_workspaceId, m_meetingId, startedBy,
                                                       settings.nodeName, at);
        if (!begun)
            return begun.error();
        recording = *begun;
        // Who is in the room when the recording starts opens its timeline.
        for (const QString &id : std::as_const(m_order)) {
            const Participant &p = m_members[id].participant;
            if (p.state != ParticipantState::Present)
                continue;
            TimelineEntry present{
                at,
                u"present"_s,
                p.id,
                p.displayName,
                {{u"role"_s, participantRoleName(p.role)}, {u"audio_muted"_s, p.audioMuted}}};
            if (const Status noted
                = RecordingRepository(tx.db()).appendTimeline(recording.id, present);
                !noted)
                return noted.error();
        }
        if (const Status committed = tx.commit(); !committed)
            return committed.error();
    }

    const QString directory = QDir(root).filePath(recording.captureDir);
    // The meeting's directory and the recording's are the owner's alone: what people said is
    // in there, whatever the recordings directory allows (a shared disk, say).
    const bool created = QDir().mkpath(directory)
        && QFile::setPermissions(QFileInfo(directory).absolutePath(), kPrivateDirectory)
        && QFile::setPermissions(directory, kPrivateDirectory);
    Status capturing = created
        ? context().media.startCapture(m_meetingId, recording.id, directory)
        : Status(Error{ErrorCode::Unavailable, u"Cannot create the capture directory."_s});
    if (!capturing) {
        qCWarning(lcRoom) << "capture did not start for" << recording.id
                          << capturing.error().detail;
        Database::WriteTransaction tx(context().database);
        const QString message
            = u"The media plane could not start capturing: %1"_s.arg(capturing.error().detail);
        if (const Status failed
            = RecordingLifecycle(tx.db()).fail(recording, u"capture_failed"_s, message, at);
            !failed || !tx.commit())
            return Error{ErrorCode::Internal, u"The failed recording was not stored."_s};
        recording.state = RecordingState::Failed;
        recording.errorCode = u"capture_failed"_s;
        recording.errorMessage = message;
        return recording;
    }

    m_recording = recording;
    publish();
    broadcast(toFrame({{u"type"_s, u"recording_started"_s},
                       {u"recording_id"_s, recording.id},
                       {u"started_at"_s, timerules::formatUtc(at)}}),
              Audience::Everyone);
    return recording;
}

Result<HostActionOutcome> LiveRoom::stopRecording()
{
    if (!m_recording)
        return Error{ErrorCode::NotRecording,
                     QStringLiteral("No recording of this meeting is capturing.")};

    const QDateTime at = now();
    {
        Database::WriteTransaction tx(context().database);
        if (const Status stopped = RecordingLifecycle(tx.db()).stop(*m_recording, at, u"stopped"_s);
            !stopped)
            return stopped.error();
        if (const Status committed = tx.commit(); !committed)
            return committed.error();
    }
    Recording stopped = *std::exchange(m_recording, std::nullopt);
    stopped.state = RecordingState::Processing;
    stopped.stoppedAt = at;
    publish();
    handOverCapture(stopped);
    announceRecordingStopped(stopped.id, at, u"stopped"_s);

    HostActionOutcome outcome;
    outcome.recording = stopped;
    return outcome;
}

void LiveRoom::handOverCapture(const Recording &recording)
{
    const Status stopped = context().media.stopCapture(m_meetingId, recording.id);
    if (stopped)
        return;

    // The plane will never report this capture: the recording fails now, not never.
    qCWarning(lcRoom) << "the media plane could not stop capturing" << recording.id
                      << stopped.error().detail;
    Database::WriteTransaction tx(context().database);
    const Status failed = RecordingLifecycle(tx.db()).fail(
        recording, u"capture_failed"_s,
        u"The media plane could not finish the capture: %1"_s.arg(stopped.error().detail), now());
    if (!failed || !tx.commit())
        qCWarning(lcRoom) << "could not store the failed recording" << recording.id;
}

void LiveRoom::recordAutomatically(const Meeting &meeting)
{
    if (meeting.settings.autoRecording != AutoRecording::Cloud || m_recording)
        return;

    if (!context().media.canCapture()) {
        // Nobody asked in person, so the reason goes where the integrations look: a
        // recording.failed event.
        Database::WriteTransaction tx(context().database);
        const auto refused = RecordingLifecycle(tx.db()).refuse(
            m_workspaceId, m_meetingId, {}, context().settings.nodeName, now(),
            u"capture_unavailable"_s, kCaptureUnavailable);
        if (!refused || !tx.commit())
            qCWarning(lcRoom) << "could not store the refused automatic recording";
        return;
    }
    if (const auto recording = beginRecording({}); !recording)
        qCWarning(lcRoom) << "automatic recording of" << m_meetingId
                          << "failed:" << recording.error().detail;
}

QJsonValue LiveRoom::recordingJson() const
{
    if (!m_recording)
        return QJsonValue(QJsonValue::Null);
    return QJsonObject{{u"recording_id"_s, m_recording->id},
                       {u"started_at"_s, timerules::formatUtc(m_recording->startedAt)}};
}

void LiveRoom::announceRecordingStopped(const QString &recordingId, const QDateTime &at,
                                        const QString &reason)
{
    broadcast(toFrame({{u"type"_s, u"recording_stopped"_s},
                       {u"recording_id"_s, recordingId},
                       {u"stopped_at"_s, timerules::formatUtc(at)},
                       {u"reason"_s, reason}}),
              Audience::Everyone);
}

void LiveRoom::captureEnded(const QString &recordingId, const QDateTime &at, bool failed)
{
    if (!m_recording || m_recording->id != recordingId)
        return;
    m_recording.reset();
    publish();
    announceRecordingStopped(recordingId, at, failed ? u"failed"_s : u"stopped"_s);
}

} // namespace quorum
