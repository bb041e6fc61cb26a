#include "SignalHub.h"

#include "LiveRoom.h"
#include "SignalHubState.h"
#include "auth/Permissions.h"
#include "auth/TokenService.h"
#include "cluster/ClusterBus.h"
#include "cluster/HostActionCodec.h"
#include "cluster/NodeRegistry.h"
#include "core/Clock.h"
#include "crypto/Hashing.h"
#include "crypto/Jwt.h"
#include "crypto/SigningKeyRing.h"
#include "media/MediaPlane.h"
#include "recording/RecordingLifecycle.h"
#include "server/Settings.h"
#include "store/Database.h"
#include "store/MeetingRepository.h"
#include "store/ParticipantRepository.h"
#include "store/RecordingRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>

Q_LOGGING_CATEGORY(lcHub, "quorum.signalling.hub")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// Redeemed join tokens are kept until they expire; after that they cannot be presented again
// anyway.
constexpr int kPurgeIntervalMs = 10 * 60 * 1000;

QString verifyErrorCode(crypto::jwt::VerifyError error)
{
    using crypto::jwt::VerifyError;
    switch (error) {
    case VerifyError::Expired:
        return u"token_expired"_s;
    case VerifyError::NotYetValid:
        return u"token_not_yet_valid"_s;
    case VerifyError::WrongAudience:
        return u"wrong_audience"_s;
    case VerifyError::Malformed:
    case VerifyError::UnknownKey:
    case VerifyError::BadAlgorithm:
    case VerifyError::BadSignature:
        break;
    }
    return u"invalid_token"_s;
}

// How much longer than a mute's wait for the client's ack a relayed action may take.
constexpr int kRelayMarginMs = 3000;

// Runs the tasks posted to it through a function: the hub's own thread, for the answers of
// host actions relayed from another node.
class TaskPort final : public SessionPort
{
public:
    explicit TaskPort(std::function<void(std::function<void()>)> run)
        : m_run(std::move(run))
    { }
    void deliver(quint64, QList<Outgoing>) override { }
    void post(std::function<void()> task) override { m_run(std::move(task)); }

private:
    std::function<void(std::function<void()>)> m_run;
};

// On the node hosting a meeting: the watchers another node serves, reached over the bus. Frames
// for them leave in the order they are sent, as the bus keeps one node's messages in order.
class BusPort final : public SessionPort
{
public:
    BusPort(ClusterBus &bus, QString node, std::function<void(std::function<void()>)> run)
        : m_bus(bus)
        , m_node(std::move(node))
        , m_run(std::move(run))
    { }

    void deliver(quint64 sessionId, QList<Outgoing> frames) override
    {
        QJsonArray list;
        for (const Outgoing &frame : std::as_const(frames))
            list.append(QJsonObject{{u"text"_s, QString::fromUtf8(frame.text)},
                                    {u"close_code"_s, frame.closeCode},
                                    {u"close_reason"_s, frame.closeReason}});
        const QJsonObject message{
            {u"to"_s, m_node}, {u"session"_s, QString::number(sessionId)}, {u"frames"_s, list}};
        if (const Status sent = m_bus.publish(u"delivery"_s, message); !sent)
            qCWarning(lcHub) << "could not send frames to a watcher on" << m_node;
    }
    void post(std::function<void()> task) override { m_run(std::move(task)); }

private:
    ClusterBus &m_bus;
    QString m_node;
    std::function<void(std::function<void()>)> m_run;
};

} // namespace

SignalHub::SignalHub(Context context)
    : m_context(context)
    , m_state(std::make_unique<State>())
{
    m_thread.setObjectName(u"signal-hub"_s);
    // Adapters report from the hub's thread, where they are called.
    m_context.media.setSink([this](const media::MediaEvent &event) { onMediaEvent(event); });
    m_state->hubPort = std::make_unique<TaskPort>(
        [this](std::function<void()> task) { runInHub(std::move(task)); });
    subscribeToBus();
}

void SignalHub::onMediaEvent(const media::MediaEvent &event)
{
    using Kind = media::MediaEvent::Kind;
    if (event.kind == Kind::Signal) {
        if (LiveRoom *room = m_state->room(event.meetingId))
            room->deliverMediaSignal(event.participantId, event.signalType, event.payload);
        return;
    }
    if (event.kind == Kind::CaptureFinished || event.kind == Kind::CaptureFailed) {
        onCaptureEnded(event);
        return;
    }
    qCDebug(lcHub) << "media plane:" << int(event.kind) << event.meetingId << event.participantId;
}

void SignalHub::onCaptureEnded(const media::MediaEvent &event)
{
    const bool finished = event.kind == media::MediaEvent::Kind::CaptureFinished;
    const QDateTime at = QDateTime::fromMSecsSinceEpoch(m_context.clock.nowMs(), Qt::UTC);
    Database::WriteTransaction tx(m_context.database);
    auto recording = RecordingRepository(tx.db()).byId(event.recordingId, false);
    if (!recording || !*recording) {
        // Deleted while the plane finished: nothing is left to process.
        qCInfo(lcHub) << "capture of a recording that is gone:" << event.recordingId;
        return;
    }

    RecordingLifecycle lifecycle(tx.db());
    Status stored = success();
    if (finished) {
        stored = lifecycle.captured(**recording, event.payload, at);
    } else {
        const QString code = event.payload.value(u"error_code"_s).toString(u"capture_failed"_s);
        const QString message
            = event.payload.value(u"message"_s).toString(u"The media plane could not capture."_s);
        stored = lifecycle.fail(**recording, code, message, at);
    }
    if (stored)
        stored = tx.commit();
    if (!stored) {
        qCWarning(lcHub) << "could not store the end of capture" << event.recordingId
                         << stored.error().detail;
        return;
    }

    if (LiveRoom *room = m_state->room(event.meetingId))
        room->captureEnded(event.recordingId, at, !finished);
    if (finished && m_recordingQueued)
        m_recordingQueued();
}

Status SignalHub::failLostCaptures(const QString &node)
{
    auto lost = RecordingRepository(m_context.database.connection()).awaitingCapture(node);
    if (!lost)
        return lost.error();

    const QDateTime at = QDateTime::fromMSecsSinceEpoch(m_context.clock.nowMs(), Qt::UTC);
    for (const Recording &recording : std::as_const(*lost)) {
        Database::WriteTransaction tx(m_context.database);
        if (const Status failed = RecordingLifecycle(tx.db()).fail(
                recording, u"capture_lost"_s,
                u"The server stopped while this recording was being captured; the media plane "
                "did not hand the capture over."_s,
                at);
            !failed)
            return failed;
        if (const Status committed = tx.commit(); !committed)
            return committed;
    }
    if (!lost->isEmpty())
        qCWarning(lcHub) << lost->size() << "recordings lost their capture with the last run";
    return success();
}

SignalHub::~SignalHub()
{
    stop();
    m_context.media.setSink({});
}

Status SignalHub::start()
{
    m_thread.start();
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);
    {
        const std::lock_guard lock(m_postMutex);
        m_accepting = true;
    }

    Status started = success();
    QMetaObject::invokeMethod(
        m_anchor,
        [this, &started] {
            m_context.media.start();
            started = failLostCaptures(m_context.settings.nodeName);
            if (!started)
                return;

            // Meetings left LIVE by an earlier run: their sockets are gone with it. With
            // several nodes, only this node's: the others' rooms live there.
            QSqlQuery query(m_context.database.connection());
            query.prepare(u"SELECT id, workspace_id FROM meetings WHERE state = ? AND "
                          "(media_node = ? OR (media_node IS NULL AND ? = 1))"_s);
            query.addBindValue(meetingStateName(MeetingState::Live));
            query.addBindValue(m_context.settings.nodeName);
            query.addBindValue(m_context.bus.isActive() ? 0 : 1);
            if (!query.exec()) {
                started = sqlError(query, "finding live meetings");
                return;
            }
            QList<QPair<QString, QString>> live;
            while (query.next())
                live.append({query.value(0).toString(), query.value(1).toString()});
            for (const auto &[meetingId, workspaceId] : std::as_const(live)) {
                auto room = std::make_unique<LiveRoom>(*this, meetingId, workspaceId);
                LiveRoom *restored = room.get();
                m_state->rooms.emplace(meetingId, std::move(room));
                restored->restoreAfterRestart();
            }
            if (!live.isEmpty())
                qCInfo(lcHub) << "restored" << live.size() << "live meetings";

            auto *purge = new QTimer(m_anchor);
            purge->setInterval(kPurgeIntervalMs);
            connect(purge, &QTimer::timeout, m_anchor, [this] {
                const Status purged = ParticipantRepository(m_context.database.connection())
                                          .purgeRedeemed(m_context.clock.nowMs());
                if (!purged)
                    qCWarning(lcHub) << "could not purge redeemed join tokens";
            });
            purge->start();
        },
        Qt::BlockingQueuedConnection);
    return started;
}

void SignalHub::stop()
{
    if (!m_thread.isRunning())
        return;

    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            for (auto &[meetingId, room] : m_state->rooms)
                room->shutDown();
            m_state->rooms.clear();
            m_state->sessionRooms.clear();
            m_state->resumeTokens.clear();
            m_state->remoteWatches.clear();
            m_context.media.stop();
            {
                const std::lock_guard lock(m_postMutex);
                m_accepting = false;
            }
            delete m_anchor; // with its timers and the tasks still queued for it
            m_anchor = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();

    const std::unique_lock lock(m_snapshotLock);
    m_summaries.clear();
}

void SignalHub::runInHub(std::function<void()> task)
{
    const std::lock_guard lock(m_postMutex);
    if (!m_accepting)
        return; // stopped: the sessions that still close go unheard, as they should
    QMetaObject::invokeMethod(m_anchor, std::move(task), Qt::QueuedConnection);
}

LiveRoom *SignalHub::roomFor(const QString &meetingId)
{
    if (LiveRoom *room = m_state->room(meetingId))
        return room;

    const auto meeting
        = MeetingRepository(m_context.database.connection(), m_context.box).byId(meetingId);
    if (!meeting || hostedElsewhere(*meeting))
        return nullptr;
    auto created = std::make_unique<LiveRoom>(*this, meetingId, meeting->workspaceId);
    LiveRoom *room = created.get();
    m_state->rooms.emplace(meetingId, std::move(created));
    if (meeting->state == MeetingState::Live)
        room->adoptLive();
    return room;
}

void SignalHub::dropRoomIfIdle(const QString &meetingId)
{
    // Deferred: the room may be on the call stack that asks.
    runInHub([this, meetingId] {
        const auto it = m_state->rooms.find(meetingId);
        if (it == m_state->rooms.end() || !it->second->isEmpty())
            return;
        auto meeting
            = MeetingRepository(m_context.database.connection(), m_context.box).byId(meetingId);
        if (meeting && meeting->state == MeetingState::Live)
            return; // the room's empty timer ends it
        m_state->rooms.erase(it);
        publishSummary(meetingId, std::nullopt);
    });
}

void SignalHub::publishSummary(const QString &meetingId, std::optional<LiveSummary> summary)
{
    {
        const std::unique_lock lock(m_snapshotLock);
        if (summary)
            m_summaries.insert(meetingId, *summary);
        else
            m_summaries.remove(meetingId);
    }
    if (!m_context.bus.isActive())
        return;
    QJsonObject message{{u"meeting_id"_s, meetingId}, {u"gone"_s, !summary}};
    if (summary) {
        message.insert(u"participants"_s, summary->participantCount);
        message.insert(u"waiting"_s, summary->waitingCount);
        message.insert(u"sockets"_s, summary->socketCount);
        message.insert(u"recording_id"_s, summary->recordingId);
    }
    if (const Status sent = m_context.bus.publish(u"summary"_s, message); !sent)
        qCWarning(lcHub) << "could not publish the summary of" << meetingId;
}

bool SignalHub::hostedElsewhere(const Meeting &meeting) const
{
    return m_context.bus.isActive() && !meeting.mediaNode.isEmpty()
        && meeting.mediaNode != m_context.settings.nodeName;
}

void SignalHub::subscribeToBus()
{
    const QString self = m_context.settings.nodeName;
    m_context.bus.subscribe(u"act"_s, [this, self](const QJsonObject &message) {
        if (message.value(u"to"_s).toString() == self)
            runInHub([this, message] { onRelayedAction(message); });
    });
    m_context.bus.subscribe(u"acted"_s, [this, self](const QJsonObject &message) {
        if (message.value(u"to"_s).toString() == self)
            runInHub([this, message] { onRelayedOutcome(message); });
    });
    m_context.bus.subscribe(u"summary"_s,
                            [this](const QJsonObject &message) { onRemoteSummary(message); });
    const QList<QPair<QString, void (SignalHub::*)(const QJsonObject &)>> addressed{
        {u"watch"_s, &SignalHub::onRemoteWatch},
        {u"watch_frame"_s, &SignalHub::onRemoteWatchFrame},
        {u"unwatch"_s, &SignalHub::onRemoteUnwatch},
        {u"delivery"_s, &SignalHub::onRemoteDelivery}};
    for (const auto &[kind, handler] : addressed) {
        m_context.bus.subscribe(kind, [this, self, handler](const QJsonObject &message) {
            if (message.value(u"to"_s).toString() == self)
                runInHub([this, handler, message] { (this->*handler)(message); });
        });
    }
}

SessionPort *SignalHub::busPortFor(const QString &node)
{
    auto &port = m_state->busPorts[node];
    if (!port)
        port = std::make_unique<BusPort>(
            m_context.bus, node, [this](std::function<void()> task) { runInHub(std::move(task)); });
    return port.get();
}

void SignalHub::watchRemotely(SessionRef ref, const Meeting &meeting, const WatchRequest &request)
{
    m_state->remoteWatches.insert(ref.id, State::RemoteWatch{ref, meeting.id, meeting.mediaNode});
    const QJsonObject message{{u"to"_s, meeting.mediaNode},
                              {u"meeting_id"_s, meeting.id},
                              {u"session"_s, QString::number(ref.id)},
                              {u"request_id"_s, request.requestId},
                              {u"observer"_s, request.observer},
                              {u"may_act"_s, request.mayAct},
                              {u"may_record"_s, request.mayRecord},
                              {u"user_id"_s, request.userId}};
    if (const Status sent = m_context.bus.publish(u"watch"_s, message); !sent) {
        m_state->remoteWatches.remove(ref.id);
        refuse(ref, request.requestId, u"unavailable"_s,
               u"The node hosting this meeting cannot be reached; try again."_s);
        return;
    }
    if (!request.observer)
        return; // an event stream has no answer to wait for

    // An observer is answered `observing`: a node that says nothing (dead, or the message
    // lost) must not leave it waiting.
    auto *timer = new QTimer(m_anchor);
    timer->setSingleShot(true);
    const QString node = meeting.mediaNode;
    connect(timer, &QTimer::timeout, m_anchor, [this, timer, ref, node, request] {
        timer->deleteLater();
        const auto watch = m_state->remoteWatches.constFind(ref.id);
        if (watch == m_state->remoteWatches.constEnd() || watch->session != ref || watch->answered)
            return;
        endRemoteWatch(ref);
        refuse(ref, request.requestId, u"unavailable"_s,
               u"The node hosting this meeting (%1) did not answer; try again."_s.arg(node));
    });
    timer->start(m_context.settings.muteAckTimeoutMs + kRelayMarginMs);
}

bool SignalHub::forwardRemoteFrame(SessionRef ref, const QJsonObject &frame)
{
    const auto watch = m_state->remoteWatches.constFind(ref.id);
    if (watch == m_state->remoteWatches.constEnd() || watch->session != ref)
        return false;
    const QJsonObject message{
        {u"to"_s, watch->node}, {u"session"_s, QString::number(ref.id)}, {u"frame"_s, frame}};
    if (const Status sent = m_context.bus.publish(u"watch_frame"_s, message); !sent)
        refuse(ref, frame.value(u"id"_s).toString(), u"unavailable"_s,
               u"The node hosting this meeting cannot be reached; try again."_s, 0);
    return true;
}

bool SignalHub::endRemoteWatch(SessionRef ref)
{
    const auto watch = m_state->remoteWatches.constFind(ref.id);
    if (watch == m_state->remoteWatches.constEnd() || watch->session != ref)
        return false;
    const QJsonObject message{{u"to"_s, watch->node}, {u"session"_s, QString::number(ref.id)}};
    m_state->remoteWatches.erase(watch);
    if (const Status sent = m_context.bus.publish(u"unwatch"_s, message); !sent)
        qCWarning(lcHub) << "could not tell a node that its remote watcher left";
    return true;
}

void SignalHub::onRemoteWatch(const QJsonObject &message)
{
    const SessionRef ref{busPortFor(message.value(u"node"_s).toString()),
                         message.value(u"session"_s).toString().toULongLong()};
    const QString requestId = message.value(u"request_id"_s).toString();
    LiveRoom *room = roomFor(message.value(u"meeting_id"_s).toString());
    if (!room) {
        refuse(ref, requestId, u"not_found"_s, u"No meeting with this id."_s);
        return;
    }
    room->addWatcher(ref, requestId, message.value(u"observer"_s).toBool(),
                     LiveRoom::WatcherRights{message.value(u"may_act"_s).toBool(),
                                             message.value(u"may_record"_s).toBool()},
                     message.value(u"user_id"_s).toString());
}

void SignalHub::onRemoteWatchFrame(const QJsonObject &message)
{
    const SessionRef ref{busPortFor(message.value(u"node"_s).toString()),
                         message.value(u"session"_s).toString().toULongLong()};
    if (LiveRoom *room = m_state->room(m_state->sessionRooms.value(ref)))
        room->handleFrame(ref, message.value(u"frame"_s).toObject());
}

void SignalHub::onRemoteUnwatch(const QJsonObject &message)
{
    const SessionRef ref{busPortFor(message.value(u"node"_s).toString()),
                         message.value(u"session"_s).toString().toULongLong()};
    const QString meetingId = m_state->sessionRooms.value(ref);
    if (LiveRoom *room = m_state->room(meetingId)) {
        room->removeWatcher(ref);
        dropRoomIfIdle(meetingId);
    }
}

void SignalHub::onRemoteDelivery(const QJsonObject &message)
{
    const quint64 id = message.value(u"session"_s).toString().toULongLong();
    const auto watch = m_state->remoteWatches.constFind(id);
    if (watch == m_state->remoteWatches.constEnd())
        return; // gone meanwhile
    const SessionRef ref = watch->session;
    QList<Outgoing> frames;
    bool closes = false;
    for (const QJsonValue &value : message.value(u"frames"_s).toArray()) {
        const QJsonObject frame = value.toObject();
        frames.append(Outgoing{frame.value(u"text"_s).toString().toUtf8(),
                               frame.value(u"close_code"_s).toInt(),
                               frame.value(u"close_reason"_s).toString()});
        closes = closes || frames.constLast().closeCode != 0;
    }
    if (closes)
        m_state->remoteWatches.remove(id);
    else
        m_state->remoteWatches[id].answered = true;
    ref.port->deliver(ref.id, frames);
}

void SignalHub::closeRemoteWatches(const QString &meetingId)
{
    // Its node died before it could say the meeting ended: this node says it for it.
    const QByteArray ended
        = QJsonDocument(QJsonObject{{u"type"_s, u"meeting_ended"_s}, {u"reason"_s, u"node_lost"_s}})
              .toJson(QJsonDocument::Compact);
    for (auto watch = m_state->remoteWatches.begin(); watch != m_state->remoteWatches.end();) {
        if (watch->meetingId != meetingId) {
            ++watch;
            continue;
        }
        watch->session.port->deliver(watch->session.id,
                                     {Outgoing{ended, CloseMeetingEnded, u"meeting ended"_s}});
        watch = m_state->remoteWatches.erase(watch);
    }
}

void SignalHub::onRemoteSummary(const QJsonObject &message)
{
    const QString meetingId = message.value(u"meeting_id"_s).toString();
    // A meeting that ended normally closed its remote watchers first (its node's messages
    // arrive in order): those still open lost their node with it.
    if (message.value(u"gone"_s).toBool())
        runInHub([this, meetingId] { closeRemoteWatches(meetingId); });
    const std::unique_lock lock(m_snapshotLock);
    if (message.value(u"gone"_s).toBool()) {
        m_remoteSummaries.remove(meetingId);
        return;
    }
    m_remoteSummaries.insert(meetingId,
                             LiveSummary{message.value(u"participants"_s).toInt(),
                                         message.value(u"waiting"_s).toInt(),
                                         message.value(u"sockets"_s).toInt(),
                                         message.value(u"recording_id"_s).toString()});
}

void SignalHub::relayAction(HostAction action, const QString &node, SessionPort *replyPort,
                            HostActionDone done)
{
    const QString request = QUuid::createUuid().toString(QUuid::Id128);
    auto fail = [this, request](const Error &error) {
        const State::Relay relay = m_state->relays.take(request);
        if (!relay.done)
            return;
        relay.timer->deleteLater();
        const Result<HostActionOutcome> failed = error;
        relay.replyPort->post([done = relay.done, failed] { done(failed); });
    };

    auto *timer = new QTimer(m_anchor);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, m_anchor, [fail, node] {
        fail(Error{ErrorCode::Unavailable,
                   u"The node hosting this meeting (%1) did not answer; try again."_s.arg(node)});
    });
    m_state->relays.insert(request, State::Relay{replyPort, std::move(done), timer});
    timer->start(m_context.settings.muteAckTimeoutMs + kRelayMarginMs);

    const QJsonObject message{{u"to"_s, node},
                              {u"request"_s, request},
                              {u"action"_s, hostactioncodec::encodeAction(action)}};
    if (const Status sent = m_context.bus.publish(u"act"_s, message); !sent)
        fail(sent.error());
}

void SignalHub::onRelayedAction(const QJsonObject &message)
{
    const QString from = message.value(u"node"_s).toString();
    const QString request = message.value(u"request"_s).toString();
    auto answer = [this, from, request](const Result<HostActionOutcome> &outcome) {
        const QJsonObject reply{{u"to"_s, from},
                                {u"request"_s, request},
                                {u"outcome"_s, hostactioncodec::encodeOutcome(outcome)}};
        if (const Status sent = m_context.bus.publish(u"acted"_s, reply); !sent)
            qCWarning(lcHub) << "could not answer a relayed host action of" << from;
    };

    const auto action = hostactioncodec::decodeAction(message.value(u"action"_s).toObject());
    if (!action) {
        answer(Error{ErrorCode::InvalidRequest, u"A relayed host action was not understood."_s});
        return;
    }
    LiveRoom *room = roomFor(action->meetingId);
    if (!room) {
        answer(Error{ErrorCode::NotFound, u"No meeting with this id."_s});
        return;
    }
    room->act(*action, m_state->hubPort.get(), answer);
    dropRoomIfIdle(action->meetingId);
}

void SignalHub::onRelayedOutcome(const QJsonObject &message)
{
    const State::Relay relay = m_state->relays.take(message.value(u"request"_s).toString());
    if (!relay.done)
        return; // the timer gave up on it already
    relay.timer->deleteLater();

    // The hosting node committed before it answered: what it changed can be read here.
    const auto relayed = hostactioncodec::decodeOutcome(message.value(u"outcome"_s).toObject());
    Result<HostActionOutcome> outcome = HostActionOutcome{};
    if (relayed.error) {
        outcome = *relayed.error;
    } else {
        outcome->acknowledged = relayed.acknowledged;
        outcome->affected = relayed.affected;
        QSqlDatabase db = m_context.database.connection();
        if (!relayed.participantId.isEmpty())
            outcome->participant = ParticipantRepository(db).byId(relayed.participantId);
        if (!relayed.meetingId.isEmpty())
            outcome->meeting = MeetingRepository(db, m_context.box).byId(relayed.meetingId);
        if (!relayed.recordingId.isEmpty()) {
            auto recording = RecordingRepository(db).byId(relayed.recordingId, false);
            if (recording)
                outcome->recording = *recording;
        }
    }
    relay.replyPort->post([done = relay.done, outcome] { done(outcome); });
}

void SignalHub::takeOverLostNode(const QString &node)
{
    runInHub([this, node] {
        const qint64 now = m_context.clock.nowMs();
        const qint64 cutoff = now - m_context.nodes.config().lostAfterMs;
        bool first = false;
        {
            // Marked lost once, by one node: that one also fails its captures.
            Database::WriteTransaction tx(m_context.database);
            QSqlQuery mark(tx.db());
            mark.prepare(u"UPDATE cluster_nodes SET lost_at = ? WHERE name = ? AND "
                         "lost_at IS NULL AND heartbeat_at < ?"_s);
            mark.addBindValue(now);
            mark.addBindValue(node);
            mark.addBindValue(cutoff);
            if (!mark.exec()) {
                sqlError(mark, "marking a node lost");
                return;
            }
            first = mark.numRowsAffected() == 1;
            if (first && !tx.commit())
                return;
        }
        if (first) {
            qCWarning(lcHub) << "taking over the meetings of lost node" << node;
            if (const Status failed = failLostCaptures(node); !failed)
                qCWarning(lcHub) << "could not fail the lost node's captures"
                                 << failed.error().detail;
            // Its processing runs died with it: their jobs are free for any node now, not
            // after their lease.
            Database::WriteTransaction tx(m_context.database);
            const auto released = RecordingRepository(tx.db()).releaseClaims(node);
            if (released && *released > 0 && tx.commit() && m_recordingQueued)
                m_recordingQueued();
        }

        // Every LIVE meeting of the node, also when another node marked it lost but stopped
        // before it was done.
        QSqlQuery query(m_context.database.connection());
        query.prepare(
            u"SELECT id, workspace_id FROM meetings WHERE state = ? AND media_node = ?"_s);
        query.addBindValue(meetingStateName(MeetingState::Live));
        query.addBindValue(node);
        if (!query.exec()) {
            sqlError(query, "finding a lost node's meetings");
            return;
        }
        QList<QPair<QString, QString>> live;
        while (query.next())
            live.append({query.value(0).toString(), query.value(1).toString()});
        for (const auto &[meetingId, workspaceId] : std::as_const(live)) {
            LiveRoom room(*this, meetingId, workspaceId);
            if (const Status ended = room.endForLostNode(); !ended)
                qCWarning(lcHub) << "could not end" << meetingId << "of lost node" << node
                                 << ended.error().detail;
            publishSummary(meetingId, std::nullopt);
            closeRemoteWatches(meetingId);
        }

        // Watchers the lost node served for meetings hosted here are gone with it.
        if (const auto port = m_state->busPorts.find(node); port != m_state->busPorts.end()) {
            QList<SessionRef> orphans;
            for (auto entry = m_state->sessionRooms.cbegin(); entry != m_state->sessionRooms.cend();
                 ++entry) {
                if (entry.key().port == port->second.get())
                    orphans << entry.key();
            }
            for (const SessionRef &orphan : std::as_const(orphans)) {
                const QString meetingId = m_state->sessionRooms.value(orphan);
                if (LiveRoom *room = m_state->room(meetingId)) {
                    room->removeWatcher(orphan);
                    dropRoomIfIdle(meetingId);
                }
            }
        }
    });
}

void SignalHub::refuse(SessionRef ref, const QString &requestId, const QString &code,
                       const QString &message, int closeCode)
{
    QJsonObject error{{u"type"_s, u"error"_s}, {u"code"_s, code}, {u"message"_s, message}};
    if (!requestId.isEmpty())
        error.insert(u"id"_s, requestId);
    ref.port->deliver(
        ref.id, {Outgoing{QJsonDocument(error).toJson(QJsonDocument::Compact), closeCode, code}});
}

// ---- sessions ------------------------------------------------------------------------------

void SignalHub::join(SessionRef ref, JoinFrame frame)
{
    runInHub([this, ref, frame = std::move(frame)] { doJoin(ref, frame); });
}

void SignalHub::doJoin(SessionRef ref, const JoinFrame &frame)
{
    const Settings &settings = m_context.settings;
    const qint64 nowSeconds = m_context.clock.nowMs() / 1000;
    const auto verified = crypto::jwt::verify(
        frame.token.toLatin1(),
        [this](const QString &kid) { return m_context.keys.publicKeyFor(kid); }, nowSeconds,
        settings.nodeName);
    if (const auto *error = std::get_if<crypto::jwt::VerifyError>(&verified)) {
        refuse(ref, frame.requestId, verifyErrorCode(*error),
               u"The join token was refused: %1."_s.arg(QString::fromLatin1(toString(*error))));
        return;
    }
    const QJsonObject claims = std::get<crypto::jwt::Verified>(verified).claims;
    const QString meetingId = claims.value(u"mid"_s).toString();
    const QString subject = claims.value(u"sub"_s).toString();
    const QString jti = claims.value(u"jti"_s).toString();
    const auto role = participantRoleFromName(claims.value(u"role"_s).toString());
    if (meetingId.isEmpty() || subject.isEmpty() || jti.isEmpty() || !role) {
        refuse(ref, frame.requestId, u"invalid_token"_s,
               u"The join token lacks a claim this server needs."_s);
        return;
    }
    // Nodes that share a database issue tokens under one name: their common --public-url.
    if (claims.value(u"iss"_s).toString() != settings.publicUrl) {
        refuse(ref, frame.requestId, u"invalid_token"_s,
               u"The join token was issued by %1, not by this server (%2); nodes sharing a "
               "database need the same --public-url."_s.arg(claims.value(u"iss"_s).toString(),
                                                            settings.publicUrl));
        return;
    }
    if (!frame.meetingId.isEmpty() && frame.meetingId != meetingId) {
        refuse(ref, frame.requestId, u"wrong_meeting"_s,
               u"The join token is for another meeting."_s);
        return;
    }

    LiveRoom *room = roomFor(meetingId);
    if (!room) {
        refuse(ref, frame.requestId, u"not_found"_s, u"No meeting with this id."_s);
        return;
    }
    LiveRoom::Arrival arrival;
    arrival.session = ref;
    arrival.requestId = frame.requestId;
    arrival.subject = subject;
    arrival.isGuest = subject.startsWith(u"gst_");
    arrival.fromJoinPage = arrival.isGuest && claims.value(u"via"_s).toString() == u"page";
    arrival.role = *role;
    arrival.displayName = claims.value(u"name"_s).toString();
    arrival.jti = jti;
    arrival.tokenExpiresAtMs = qint64(claims.value(u"exp"_s).toDouble()) * 1000;
    arrival.clientAddress = frame.clientAddress;
    room->arrive(arrival);
    dropRoomIfIdle(meetingId);
}

void SignalHub::resume(SessionRef ref, const QString &requestId, const QString &resumeToken)
{
    runInHub([this, ref, requestId, resumeToken] {
        const auto entry = m_state->resumeTokens.constFind(crypto::sha256(resumeToken.toLatin1()));
        LiveRoom *room
            = entry == m_state->resumeTokens.constEnd() ? nullptr : m_state->room(entry->first);
        if (!room) {
            refuse(ref, requestId, u"invalid_resume_token"_s,
                   u"This resume token is unknown, expired or revoked."_s);
            return;
        }
        room->resume(ref, requestId, entry->second);
    });
}

void SignalHub::observe(SessionRef ref, const QString &requestId, const QByteArray &accessToken,
                        const QString &meetingId)
{
    runInHub([this, ref, requestId, accessToken, meetingId] {
        doObserve(ref, requestId, accessToken, meetingId);
    });
}

void SignalHub::doObserve(SessionRef ref, const QString &requestId, const QByteArray &accessToken,
                          const QString &meetingId)
{
    auto caller = m_context.tokens.authenticate(accessToken);
    if (!caller) {
        refuse(ref, requestId, u"invalid_token"_s, u"The access token is invalid or expired."_s);
        return;
    }
    if (!caller->hasScope(u"meeting.read"_s)) {
        refuse(ref, requestId, u"insufficient_scope"_s, u"Observing needs meeting.read."_s);
        return;
    }
    MeetingRepository meetings(m_context.database.connection(), m_context.box);
    const auto meeting = meetings.byId(meetingId);
    const bool cohost = meeting && meetings.isCohost(meetingId, caller->userId);
    if (!meeting || !permissions::mayReadMeeting(*caller, *meeting, cohost)) {
        refuse(ref, requestId, u"not_found"_s, u"No meeting with this id."_s);
        return;
    }
    if (meeting->state == MeetingState::Ended || meeting->state == MeetingState::Cancelled) {
        const bool cancelled = meeting->state == MeetingState::Cancelled;
        refuse(ref, requestId, cancelled ? u"meeting_cancelled"_s : u"meeting_ended"_s,
               cancelled ? u"The meeting was cancelled."_s : u"The meeting has ended."_s);
        return;
    }
    // Host commands need host rights and the scope of their REST twins: meeting.write, and
    // recording.write for starting and stopping recordings.
    const bool hostRights = permissions::mayChangeMeeting(*caller, *meeting) || cohost;
    LiveRoom::WatcherRights rights;
    rights.mayAct = hostRights && caller->hasScope(u"meeting.write"_s);
    rights.mayRecord = hostRights && caller->hasScope(u"recording.write"_s);
    if (hostedElsewhere(*meeting)) {
        watchRemotely(ref, *meeting,
                      {requestId, true, rights.mayAct, rights.mayRecord, caller->userId});
        return;
    }
    LiveRoom *room = roomFor(meetingId);
    room->addWatcher(ref, requestId, true, rights, caller->userId);
}

void SignalHub::frame(SessionRef ref, QJsonObject frame)
{
    runInHub([this, ref, frame = std::move(frame)] {
        if (forwardRemoteFrame(ref, frame))
            return;
        const QString meetingId = m_state->sessionRooms.value(ref);
        if (LiveRoom *room = m_state->room(meetingId))
            room->handleFrame(ref, frame);
    });
}

void SignalHub::sessionClosed(SessionRef ref, bool left)
{
    runInHub([this, ref, left] {
        if (endRemoteWatch(ref))
            return;
        const QString meetingId = m_state->sessionRooms.value(ref);
        if (LiveRoom *room = m_state->room(meetingId)) {
            room->sessionClosed(ref, left);
            dropRoomIfIdle(meetingId);
        }
    });
}

void SignalHub::watch(SessionRef ref, const QString &meetingId)
{
    runInHub([this, ref, meetingId] {
        const auto meeting
            = MeetingRepository(m_context.database.connection(), m_context.box).byId(meetingId);
        if (!meeting || meeting->state == MeetingState::Ended
            || meeting->state == MeetingState::Cancelled) {
            const QJsonObject ended{
                {u"type"_s, u"meeting_ended"_s},
                {u"reason"_s, meeting ? meetingStateName(meeting->state) : u"not_found"_s}};
            ref.port->deliver(ref.id,
                              {Outgoing{QJsonDocument(ended).toJson(QJsonDocument::Compact),
                                        CloseMeetingEnded, u"meeting ended"_s}});
            return;
        }
        if (hostedElsewhere(*meeting)) {
            watchRemotely(ref, *meeting, {});
            return;
        }
        roomFor(meetingId)->addWatcher(ref, {}, false, {}, {});
    });
}

void SignalHub::unwatch(SessionRef ref)
{
    runInHub([this, ref] {
        if (endRemoteWatch(ref))
            return;
        const QString meetingId = m_state->sessionRooms.value(ref);
        if (LiveRoom *room = m_state->room(meetingId)) {
            room->removeWatcher(ref);
            dropRoomIfIdle(meetingId);
        }
    });
}

void SignalHub::act(HostAction action, SessionPort *replyPort, HostActionDone done)
{
    runInHub([this, action = std::move(action), replyPort, done = std::move(done)]() mutable {
        if (!m_state->room(action.meetingId)) {
            const auto meeting = MeetingRepository(m_context.database.connection(), m_context.box)
                                     .byId(action.meetingId);
            if (meeting && hostedElsewhere(*meeting)) {
                const QString node = meeting->mediaNode;
                relayAction(std::move(action), node, replyPort, std::move(done));
                return;
            }
        }
        LiveRoom *room = roomFor(action.meetingId);
        if (!room) {
            const Result<HostActionOutcome> missing
                = Error{ErrorCode::NotFound, QStringLiteral("No meeting with this id.")};
            replyPort->post([done, missing] { done(missing); });
            return;
        }
        room->act(action, replyPort, std::move(done));
        dropRoomIfIdle(action.meetingId);
    });
}

// ---- snapshots -----------------------------------------------------------------------------

LiveSummary SignalHub::summary(const QString &meetingId) const
{
    const std::shared_lock lock(m_snapshotLock);
    if (const auto local = m_summaries.constFind(meetingId); local != m_summaries.constEnd())
        return *local;
    return m_remoteSummaries.value(meetingId);
}

HubCounts SignalHub::counts() const
{
    HubCounts counts;
    const std::shared_lock lock(m_snapshotLock);
    for (const LiveSummary &summary : m_summaries) {
        counts.sockets += summary.socketCount;
        counts.participants += summary.participantCount + summary.waitingCount;
        counts.meetings += summary.participantCount + summary.waitingCount > 0 ? 1 : 0;
    }
    return counts;
}

} // namespace quorum
