// The live-room rules of SignalHub, in process: a real SQLite database, real Ed25519 join
// tokens, and a session port of the test's own in place of the WebSocket gateway (the hub
// speaks to both through the same SessionPort interface). The socket-level behaviour is
// covered by the integration suite.

#include "auth/AuditLog.h"
#include "auth/TokenService.h"
#include "cluster/ClusterBus.h"
#include "cluster/NodeRegistry.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Jwt.h"
#include "crypto/SecretBox.h"
#include "crypto/SigningKeyRing.h"
#include "media/BuiltinMediaPlane.h"
#include "server/BanCache.h"
#include "server/Bootstrap.h"
#include "server/MeetingCache.h"
#include "server/Settings.h"
#include "signalling/SignalHub.h"
#include "store/Database.h"
#include "store/EventRepository.h"
#include "store/MeetingRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <mutex>

using namespace Qt::StringLiterals;

namespace quorum {
namespace {

constexpr int kTimeoutMs = 5000;

// Collects what the hub sends, per session, in the test's thread.
class RecordingPort final
    : public QObject
    , public SessionPort
{
public:
    void deliver(quint64 sessionId, QList<Outgoing> frames) override
    {
        const std::lock_guard lock(m_mutex);
        for (const Outgoing &out : frames) {
            if (!out.text.isEmpty())
                m_frames[sessionId].append(QJsonDocument::fromJson(out.text).object());
            if (out.closeCode)
                m_closes[sessionId] = out.closeCode;
        }
    }
    void post(std::function<void()> task) override
    {
        QMetaObject::invokeMethod(this, std::move(task), Qt::QueuedConnection);
    }

    QList<QJsonObject> frames(quint64 session) const
    {
        const std::lock_guard lock(m_mutex);
        return m_frames.value(session);
    }
    QJsonObject last(quint64 session, const QString &type) const
    {
        const QList<QJsonObject> all = frames(session);
        for (auto it = all.crbegin(); it != all.crend(); ++it) {
            if (it->value(u"type"_s).toString() == type)
                return *it;
        }
        return {};
    }
    bool has(quint64 session, const QString &type) const { return !last(session, type).isEmpty(); }
    int closeCode(quint64 session) const
    {
        const std::lock_guard lock(m_mutex);
        return m_closes.value(session);
    }

private:
    mutable std::mutex m_mutex; // a standard lock, which ThreadSanitizer sees
    QHash<quint64, QList<QJsonObject>> m_frames;
    QHash<quint64, int> m_closes;
};

// A media plane that negotiates itself, as an SFU does: it offers to every participant it
// admits. Only the calls the test needs do anything.
class OfferingMediaPlane final : public media::MediaPlane
{
public:
    QString name() const override { return QStringLiteral("offering"); }
    bool negotiatesMedia() const override { return true; }
    bool canCapture() const override { return false; }
    Status prepareRoom(const QString &) override { return success(); }
    void closeRoom(const QString &) override { }
    Status admit(const QString &meetingId, const QString &participantId) override
    {
        media::MediaEvent offer;
        offer.kind = media::MediaEvent::Kind::Signal;
        offer.meetingId = meetingId;
        offer.participantId = participantId;
        offer.signalType = QStringLiteral("offer");
        offer.payload = {{QStringLiteral("sdp"), QStringLiteral("v=0 from the plane")}};
        report(offer);
        return success();
    }
    void remove(const QString &, const QString &) override { }
    void setAudioMuted(const QString &, const QString &, bool) override { }
    Status signal(const QString &, const QString &, const QString &, const QJsonObject &) override
    {
        return success();
    }
    Status startCapture(const QString &, const QString &, const QString &) override
    {
        return success();
    }
    Status stopCapture(const QString &, const QString &) override { return success(); }
};

} // namespace

class TestSignalHub : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void theHostsArrivalMakesTheMeetingLive();
    void aTokenIsRedeemedOnce();
    void theWaitingRoomHoldsAttendeesUntilAdmitted();
    void joinBeforeHostLetsAttendeesStartTheMeeting();
    void aMuteIsConfirmedOnlyByTheClientsAck();
    void aRemovedParticipantCannotComeBack();
    void aDroppedParticipantResumesWithinTheGrace();
    void endingWritesTheEventsInOrder();
    void onlyJoinPageGuestsAreBarredByAddress();
    void nobodyRemovesOrMutesTheHost();
    void leavingThenStoppingLeavesEveryoneOnce();
    void theMediaPlanesOffersReachTheParticipant();
    void streamsHearEveryDepartureAtShutdown();

private:
    QString createMeeting(bool waitingRoom, bool joinBeforeHost = false);
    QString token(const QString &meetingId, const QString &subject, const QString &role,
                  qint64 ttlSeconds = 300, const QJsonObject &extraClaims = {});
    SessionRef session() { return SessionRef{m_port.get(), ++m_nextSession}; }
    JoinFrame joinFrame(const QString &jwt, const QString &requestId = u"1"_s)
    {
        return JoinFrame{requestId, jwt, {}, u"127.0.0.1"_s};
    }
    QString meetingState(const QString &meetingId);
    QStringList eventTypes(const QString &meetingId);

    std::unique_ptr<QTemporaryDir> m_dir;
    Settings m_settings;
    SystemClock m_clock;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<crypto::SecretBox> m_box;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<SigningKeyRing> m_keys;
    std::unique_ptr<MeetingCache> m_meetingCache;
    std::unique_ptr<BanCache> m_banCache;
    std::unique_ptr<media::BuiltinMediaPlane> m_media;
    std::unique_ptr<ClusterBus> m_bus; // SQLite: one node, a silent bus
    std::unique_ptr<NodeRegistry> m_nodes;
    std::unique_ptr<SignalHub> m_hub;
    std::unique_ptr<RecordingPort> m_port;
    QString m_workspaceId;
    QString m_hostId;
    quint64 m_nextSession = 0;
};

void TestSignalHub::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = Settings{};
    m_settings.dataDir = m_dir->path();
    m_settings.publicUrl = u"http://127.0.0.1:1"_s;
    m_settings.resumeGraceSeconds = 1;
    m_settings.muteAckTimeoutMs = 300;

    Database::Options options;
    options.sqlitePath = m_dir->filePath(u"quorum.db"_s);
    m_database = std::make_unique<Database>(options);
    QVERIFY(m_database->open());
    QVERIFY(bootstrap::ensureDefaultWorkspace(*m_database, m_clock));
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec(u"SELECT id, workspace_id FROM users WHERE name = 'admin'"_s)
            && query.next());
    m_hostId = query.value(0).toString();
    m_workspaceId = query.value(1).toString();

    m_box = std::make_unique<crypto::SecretBox>(QByteArray(32, 'k'));
    m_audit = std::make_unique<AuditLog>(*m_database, m_clock);
    m_tokens = std::make_unique<TokenService>(*m_database, m_clock, *m_audit);
    m_keys = std::make_unique<SigningKeyRing>(*m_database, *m_box, m_clock, *m_audit, 86400, 300);
    QVERIFY(m_keys->refresh());
    m_meetingCache = std::make_unique<MeetingCache>(m_clock);
    m_banCache = std::make_unique<BanCache>(m_clock);
    m_media = std::make_unique<media::BuiltinMediaPlane>();
    m_bus = std::make_unique<ClusterBus>(*m_database, m_settings.nodeName);
    NodeRegistry::Config nodes;
    nodes.nodeName = m_settings.nodeName;
    m_nodes = std::make_unique<NodeRegistry>(*m_database, m_clock, nodes);
    m_port = std::make_unique<RecordingPort>();
    m_hub = std::make_unique<SignalHub>(
        SignalHub::Context{m_settings, m_clock, *m_database, *m_box, *m_keys, *m_tokens, *m_audit,
                           *m_meetingCache, *m_banCache, *m_media, *m_bus, *m_nodes});
    QVERIFY(m_hub->start());
}

void TestSignalHub::cleanup()
{
    m_hub.reset();
    m_port.reset();
    m_database.reset();
    m_dir.reset();
}

QString TestSignalHub::createMeeting(bool waitingRoom, bool joinBeforeHost)
{
    Meeting meeting;
    meeting.id = ids::generate(u"mtg");
    meeting.workspaceId = m_workspaceId;
    meeting.hostId = m_hostId;
    meeting.topic = u"Standup"_s;
    meeting.startTime = QDateTime::currentDateTimeUtc();
    meeting.durationMinutes = 30;
    meeting.waitingRoom = waitingRoom;
    meeting.settings.allowJoinBeforeHost = joinBeforeHost;
    meeting.createdAt = meeting.updatedAt = QDateTime::currentDateTimeUtc();
    const Status inserted = MeetingRepository(m_database->connection(), *m_box).insert(meeting);
    if (!inserted)
        qWarning() << inserted.error().detail;
    return meeting.id;
}

QString TestSignalHub::token(const QString &meetingId, const QString &subject, const QString &role,
                             qint64 ttlSeconds, const QJsonObject &extraClaims)
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    QJsonObject claims{{u"iss"_s, m_settings.publicUrl},
                       {u"aud"_s, m_settings.nodeName},
                       {u"sub"_s, subject},
                       {u"mid"_s, meetingId},
                       {u"role"_s, role},
                       {u"name"_s, subject},
                       {u"iat"_s, now},
                       {u"nbf"_s, now},
                       {u"exp"_s, now + ttlSeconds},
                       {u"jti"_s, ids::generate(u"jti")}};
    for (auto it = extraClaims.begin(); it != extraClaims.end(); ++it)
        claims.insert(it.key(), it.value());
    const auto key = m_keys->current();
    return QString::fromLatin1(crypto::jwt::sign(claims, key.kid, key.key));
}

QString TestSignalHub::meetingState(const QString &meetingId)
{
    const auto meeting = MeetingRepository(m_database->connection(), *m_box).byId(meetingId);
    return meeting ? meetingStateName(meeting->state) : QString();
}

QStringList TestSignalHub::eventTypes(const QString &meetingId)
{
    QStringList types;
    const auto events = EventRepository(m_database->connection()).forMeeting(meetingId);
    if (events) {
        for (const StoredEvent &event : *events)
            types << event.type;
    }
    return types;
}

void TestSignalHub::theHostsArrivalMakesTheMeetingLive()
{
    const QString meetingId = createMeeting(true);
    const SessionRef host = session();
    m_hub->join(host, joinFrame(token(meetingId, m_hostId, u"host"_s)));

    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(host.id, u"joined"_s), kTimeoutMs);
    const QJsonObject joined = m_port->last(host.id, u"joined"_s);
    QCOMPARE(joined.value(u"id"_s).toString(), u"1"_s);
    QCOMPARE(joined.value(u"role"_s).toString(), u"host"_s);
    QVERIFY(!joined.value(u"resume_token"_s).toString().isEmpty());
    QCOMPARE(joined.value(u"participants"_s).toArray().size(), 1);
    // The builtin plane relays between participants: the client negotiates with each of them.
    QCOMPARE(joined.value(u"media"_s).toString(), u"mesh"_s);
    QCOMPARE(meetingState(meetingId), u"LIVE"_s);
    QCOMPARE(eventTypes(meetingId), (QStringList{u"meeting.started"_s, u"participant.joined"_s}));
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->summary(meetingId).participantCount, 1, kTimeoutMs);
}

void TestSignalHub::aTokenIsRedeemedOnce()
{
    const QString meetingId = createMeeting(false, true);
    const QString jwt = token(meetingId, u"gst_one"_s, u"attendee"_s);
    const SessionRef first = session();
    const SessionRef replay = session();
    m_hub->join(first, joinFrame(jwt));
    m_hub->join(replay, joinFrame(jwt));

    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(replay.id, u"error"_s), kTimeoutMs);
    QCOMPARE(m_port->last(replay.id, u"error"_s).value(u"code"_s).toString(), u"token_used"_s);
    QCOMPARE(m_port->closeCode(replay.id), int(SignalHub::CloseRefused));
    QVERIFY(m_port->has(first.id, u"joined"_s));
}

void TestSignalHub::theWaitingRoomHoldsAttendeesUntilAdmitted()
{
    const QString meetingId = createMeeting(true);
    const SessionRef guest = session();
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_guest"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"waiting"_s), kTimeoutMs);
    QCOMPARE(meetingState(meetingId), u"SCHEDULED"_s);
    QVERIFY(eventTypes(meetingId).isEmpty());
    const QString guestId
        = m_port->last(guest.id, u"waiting"_s).value(u"participant_id"_s).toString();

    const SessionRef host = session();
    m_hub->join(host, joinFrame(token(meetingId, m_hostId, u"host"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(host.id, u"joined"_s), kTimeoutMs);
    QCOMPARE(meetingState(meetingId), u"LIVE"_s);
    // The host sees the waiting guest; the guest still waits.
    QCOMPARE(m_port->last(host.id, u"joined"_s).value(u"participants"_s).toArray().size(), 2);
    QVERIFY(!m_port->has(guest.id, u"admitted"_s));

    bool answered = false;
    HostAction admit;
    admit.kind = HostAction::Kind::Admit;
    admit.meetingId = meetingId;
    admit.participantId = guestId;
    m_hub->act(admit, m_port.get(), [&](Result<HostActionOutcome> outcome) {
        QVERIFY(outcome);
        QCOMPARE(outcome->participant->state, ParticipantState::Present);
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, kTimeoutMs);
    QVERIFY(m_port->has(guest.id, u"admitted"_s));
    QCOMPARE(m_port->last(host.id, u"participant_updated"_s)
                 .value(u"participant"_s)
                 .toObject()
                 .value(u"state"_s)
                 .toString(),
             u"present"_s);
    QCOMPARE(eventTypes(meetingId),
             (QStringList{u"meeting.started"_s, u"participant.joined"_s, u"participant.joined"_s}));
}

void TestSignalHub::joinBeforeHostLetsAttendeesStartTheMeeting()
{
    const QString waitsForHost = createMeeting(false, false);
    const SessionRef early = session();
    m_hub->join(early, joinFrame(token(waitsForHost, u"gst_early"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(early.id, u"waiting"_s), kTimeoutMs);
    QCOMPARE(meetingState(waitsForHost), u"SCHEDULED"_s);

    // The host's arrival lets in whoever waited for it.
    const SessionRef host = session();
    m_hub->join(host, joinFrame(token(waitsForHost, m_hostId, u"host"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(early.id, u"admitted"_s), kTimeoutMs);
    QCOMPARE(meetingState(waitsForHost), u"LIVE"_s);

    const QString startsWithoutHost = createMeeting(false, true);
    const SessionRef attendee = session();
    m_hub->join(attendee, joinFrame(token(startsWithoutHost, u"gst_a"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(attendee.id, u"joined"_s), kTimeoutMs);
    QCOMPARE(meetingState(startsWithoutHost), u"LIVE"_s);
}

void TestSignalHub::aMuteIsConfirmedOnlyByTheClientsAck()
{
    const QString meetingId = createMeeting(false, true);
    const SessionRef guest = session();
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_g"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"joined"_s), kTimeoutMs);
    const QString guestId
        = m_port->last(guest.id, u"joined"_s).value(u"participant_id"_s).toString();

    HostAction mute;
    mute.kind = HostAction::Kind::Mute;
    mute.meetingId = meetingId;
    mute.participantId = guestId;
    mute.waitForAck = true;

    // No ack: the wait runs out and the flag stands unconfirmed.
    std::optional<Result<HostActionOutcome>> unconfirmed;
    m_hub->act(mute, m_port.get(), [&](Result<HostActionOutcome> r) { unconfirmed = r; });
    QTRY_VERIFY_WITH_TIMEOUT(unconfirmed.has_value(), kTimeoutMs);
    QVERIFY(*unconfirmed);
    QCOMPARE((*unconfirmed)->acknowledged, false);
    QCOMPARE((*unconfirmed)->participant->audioMuted, true);
    QCOMPARE((*unconfirmed)->participant->muteAcknowledged, false);

    // An ack within the wait confirms it.
    std::optional<Result<HostActionOutcome>> confirmed;
    const int requestsBefore = int(m_port->frames(guest.id).size());
    m_hub->act(mute, m_port.get(), [&](Result<HostActionOutcome> r) { confirmed = r; });
    QTRY_VERIFY_WITH_TIMEOUT(m_port->frames(guest.id).size() > requestsBefore, kTimeoutMs);
    const QString ref = m_port->last(guest.id, u"mute_request"_s).value(u"ref"_s).toString();
    m_hub->frame(guest, {{u"type"_s, u"ack"_s}, {u"ref"_s, ref}});
    QTRY_VERIFY_WITH_TIMEOUT(confirmed.has_value(), kTimeoutMs);
    QCOMPARE((*confirmed)->acknowledged, true);
    QCOMPARE((*confirmed)->participant->muteAcknowledged, true);
}

void TestSignalHub::aRemovedParticipantCannotComeBack()
{
    const QString meetingId = createMeeting(false, true);
    const SessionRef guest = session();
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_r"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"joined"_s), kTimeoutMs);
    const QJsonObject joined = m_port->last(guest.id, u"joined"_s);

    bool removed = false;
    HostAction remove;
    remove.kind = HostAction::Kind::Remove;
    remove.meetingId = meetingId;
    remove.participantId = joined.value(u"participant_id"_s).toString();
    m_hub->act(remove, m_port.get(), [&](Result<HostActionOutcome> r) { removed = bool(r); });
    QTRY_VERIFY_WITH_TIMEOUT(removed, kTimeoutMs);
    QCOMPARE(m_port->closeCode(guest.id), int(SignalHub::CloseRemoved));

    const SessionRef again = session();
    m_hub->join(again, joinFrame(token(meetingId, u"gst_r"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(again.id, u"error"_s), kTimeoutMs);
    QCOMPARE(m_port->last(again.id, u"error"_s).value(u"code"_s).toString(),
             u"removed_from_meeting"_s);

    const SessionRef resumed = session();
    m_hub->resume(resumed, u"2"_s, joined.value(u"resume_token"_s).toString());
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(resumed.id, u"error"_s), kTimeoutMs);
    QCOMPARE(m_port->last(resumed.id, u"error"_s).value(u"code"_s).toString(),
             u"invalid_resume_token"_s);
}

void TestSignalHub::aDroppedParticipantResumesWithinTheGrace()
{
    const QString meetingId = createMeeting(false, true);
    const SessionRef watcher = session();
    const SessionRef guest = session();
    m_hub->join(watcher, joinFrame(token(meetingId, u"gst_w"_s, u"attendee"_s)));
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_d"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"joined"_s), kTimeoutMs);
    const QString resumeToken
        = m_port->last(guest.id, u"joined"_s).value(u"resume_token"_s).toString();

    m_hub->sessionClosed(guest, false);
    const SessionRef back = session();
    m_hub->resume(back, u"9"_s, resumeToken);
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(back.id, u"resumed"_s), kTimeoutMs);
    QCOMPARE(m_port->last(back.id, u"resumed"_s).value(u"id"_s).toString(), u"9"_s);

    // Dropped again and gone past the grace: left, with reason timeout.
    m_hub->sessionClosed(back, false);
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(watcher.id, u"participant_left"_s), kTimeoutMs);
    QCOMPARE(m_port->last(watcher.id, u"participant_left"_s).value(u"reason"_s).toString(),
             u"timeout"_s);
    const auto events = EventRepository(m_database->connection()).forMeeting(meetingId);
    QVERIFY(events);
    QCOMPARE(events->constLast().type, u"participant.left"_s);
    QCOMPARE(events->constLast().data.value(u"reason"_s).toString(), u"timeout"_s);
}

void TestSignalHub::endingWritesTheEventsInOrder()
{
    const QString meetingId = createMeeting(false, true);
    QList<SessionRef> sessions;
    for (int i = 0; i < 3; ++i) {
        sessions << session();
        m_hub->join(sessions.last(),
                    joinFrame(token(meetingId, u"gst_%1"_s.arg(i), u"attendee"_s)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(sessions.last().id, u"joined"_s), kTimeoutMs);

    std::optional<Result<HostActionOutcome>> ended;
    HostAction end;
    end.kind = HostAction::Kind::End;
    end.meetingId = meetingId;
    m_hub->act(end, m_port.get(), [&](Result<HostActionOutcome> r) { ended = r; });
    QTRY_VERIFY_WITH_TIMEOUT(ended.has_value(), kTimeoutMs);
    QVERIFY(*ended);
    QCOMPARE((*ended)->meeting->state, MeetingState::Ended);
    for (const SessionRef &s : std::as_const(sessions))
        QCOMPARE(m_port->closeCode(s.id), int(SignalHub::CloseMeetingEnded));

    const auto events = EventRepository(m_database->connection()).forMeeting(meetingId);
    QVERIFY(events);
    QStringList tail;
    for (qsizetype i = events->size() - 4; i < events->size(); ++i)
        tail << events->at(i).type;
    QCOMPARE(tail,
             (QStringList{u"participant.left"_s, u"participant.left"_s, u"participant.left"_s,
                          u"meeting.ended"_s}));
    const QDateTime endedAt = events->constLast().occurredAt;
    qint64 sequence = 0;
    for (const StoredEvent &event : *events) {
        QVERIFY(event.sequence > sequence);
        sequence = event.sequence;
        QVERIFY(event.occurredAt <= endedAt);
    }

    // Ending twice is refused: the meeting is no longer LIVE.
    std::optional<Result<HostActionOutcome>> again;
    m_hub->act(end, m_port.get(), [&](Result<HostActionOutcome> r) { again = r; });
    QTRY_VERIFY_WITH_TIMEOUT(again.has_value(), kTimeoutMs);
    QVERIFY(!*again);
    QCOMPARE(again->error().code, ErrorCode::MeetingNotLive);
}

void TestSignalHub::onlyJoinPageGuestsAreBarredByAddress()
{
    const QString meetingId = createMeeting(false, true);
    const QJsonObject fromPage{{u"via"_s, u"page"_s}};
    auto joinAndRemove = [&](const QString &jwt) {
        const SessionRef guest = session();
        m_hub->join(guest, joinFrame(jwt));
        QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"joined"_s), kTimeoutMs);
        bool removed = false;
        HostAction remove;
        remove.kind = HostAction::Kind::Remove;
        remove.meetingId = meetingId;
        remove.participantId
            = m_port->last(guest.id, u"joined"_s).value(u"participant_id"_s).toString();
        m_hub->act(remove, m_port.get(), [&](Result<HostActionOutcome> r) { removed = bool(r); });
        QTRY_VERIFY_WITH_TIMEOUT(removed, kTimeoutMs);
    };
    auto firstAnswer = [&](const QString &jwt) -> QString {
        const SessionRef next = session();
        m_hub->join(next, joinFrame(jwt));
        if (!QTest::qWaitFor([&] { return !m_port->frames(next.id).isEmpty(); }, kTimeoutMs))
            return u"(no answer)"_s;
        const QJsonObject answer = m_port->frames(next.id).constFirst();
        return answer.value(u"type"_s).toString() == u"error" ? answer.value(u"code"_s).toString()
                                                              : answer.value(u"type"_s).toString();
    };

    // A guest an app vouched for is barred by identity only: another guest from the same
    // address comes in.
    joinAndRemove(token(meetingId, u"gst_vouched"_s, u"attendee"_s));
    QCOMPARE(firstAnswer(token(meetingId, u"gst_other"_s, u"attendee"_s, 300, fromPage)),
             u"joined"_s);

    // A guest of the join page takes the address with them.
    joinAndRemove(token(meetingId, u"gst_page"_s, u"attendee"_s, 300, fromPage));
    QCOMPARE(firstAnswer(token(meetingId, u"gst_next"_s, u"attendee"_s, 300, fromPage)),
             u"removed_from_meeting"_s);
    QCOMPARE(firstAnswer(token(meetingId, u"gst_app"_s, u"attendee"_s)), u"joined"_s);
}

void TestSignalHub::nobodyRemovesOrMutesTheHost()
{
    const QString meetingId = createMeeting(false, true);
    const SessionRef host = session();
    m_hub->join(host, joinFrame(token(meetingId, m_hostId, u"host"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(host.id, u"joined"_s), kTimeoutMs);
    const QString hostId = m_port->last(host.id, u"joined"_s).value(u"participant_id"_s).toString();

    for (const HostAction::Kind kind : {HostAction::Kind::Remove, HostAction::Kind::Mute}) {
        std::optional<Result<HostActionOutcome>> outcome;
        HostAction action;
        action.kind = kind;
        action.meetingId = meetingId;
        action.participantId = hostId;
        action.actorUserId = u"usr_someone_else"_s;
        m_hub->act(action, m_port.get(), [&](Result<HostActionOutcome> r) { outcome = r; });
        QTRY_VERIFY_WITH_TIMEOUT(outcome.has_value(), kTimeoutMs);
        QVERIFY(!*outcome);
        QCOMPARE(outcome->error().code, ErrorCode::Conflict);
    }
    QCOMPARE(m_port->closeCode(host.id), 0);
    QVERIFY(!m_port->has(host.id, u"mute_request"_s));
}

void TestSignalHub::leavingThenStoppingLeavesEveryoneOnce()
{
    // Participants who leave by frame or by a normal close are forgotten by the room, and the
    // shutdown reports each of the others once: every joined has exactly one left.
    QTest::failOnWarning(QRegularExpression(u"could not record"_s));
    const QString meetingId = createMeeting(false, true);
    QList<SessionRef> sessions;
    for (int i = 0; i < 6; ++i) {
        sessions << session();
        m_hub->join(sessions.last(),
                    joinFrame(token(meetingId, u"gst_l%1"_s.arg(i), u"attendee"_s)));
    }
    for (const SessionRef &s : std::as_const(sessions))
        QTRY_VERIFY_WITH_TIMEOUT(m_port->has(s.id, u"joined"_s), kTimeoutMs);

    m_hub->frame(sessions.at(0), {{u"type"_s, u"leave"_s}});
    m_hub->sessionClosed(sessions.at(1), true);
    m_hub->frame(sessions.at(2), {{u"type"_s, u"leave"_s}});
    QTRY_COMPARE_WITH_TIMEOUT(m_hub->summary(meetingId).participantCount, 3, kTimeoutMs);
    m_hub->stop();

    const auto events = EventRepository(m_database->connection()).forMeeting(meetingId);
    QVERIFY(events);
    QHash<QString, int> lefts;
    for (const StoredEvent &event : *events) {
        if (event.type == u"participant.left")
            ++lefts[event.data.value(u"participant_id"_s).toString()];
    }
    QCOMPARE(lefts.size(), 6);
    for (const int count : std::as_const(lefts))
        QCOMPARE(count, 1);
}

void TestSignalHub::theMediaPlanesOffersReachTheParticipant()
{
    m_hub.reset();
    OfferingMediaPlane plane;
    m_hub = std::make_unique<SignalHub>(
        SignalHub::Context{m_settings, m_clock, *m_database, *m_box, *m_keys, *m_tokens, *m_audit,
                           *m_meetingCache, *m_banCache, plane, *m_bus, *m_nodes});
    QVERIFY(m_hub->start());

    const QString meetingId = createMeeting(false, true);
    const SessionRef guest = session();
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_sfu"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(guest.id, u"offer"_s), kTimeoutMs);
    const QJsonObject offer = m_port->last(guest.id, u"offer"_s);
    QCOMPARE(offer.value(u"from"_s).toString(), u"sfu"_s);
    QCOMPARE(offer.value(u"sdp"_s).toString(), u"v=0 from the plane"_s);
    // The answer comes first: the offer is for the participant it names.
    QCOMPARE(m_port->frames(guest.id).constFirst().value(u"type"_s).toString(), u"joined"_s);
    QCOMPARE(m_port->last(guest.id, u"joined"_s).value(u"media"_s).toString(), u"sfu"_s);
    m_hub.reset(); // before the plane goes
}

void TestSignalHub::streamsHearEveryDepartureAtShutdown()
{
    const QString meetingId = createMeeting(false, true);
    const SessionRef stream = session();
    const SessionRef guest = session();
    m_hub->watch(stream, meetingId);
    m_hub->join(guest, joinFrame(token(meetingId, u"gst_stay"_s, u"attendee"_s)));
    QTRY_VERIFY_WITH_TIMEOUT(m_port->has(stream.id, u"participant_joined"_s), kTimeoutMs);

    m_hub->stop();
    QCOMPARE(m_port->last(stream.id, u"participant_left"_s).value(u"reason"_s).toString(),
             u"node_lost"_s);
    QCOMPARE(m_port->closeCode(stream.id), int(SignalHub::CloseGoingAway));
}

} // namespace quorum

QTEST_GUILESS_MAIN(quorum::TestSignalHub)
#include "tst_signalhub.moc"
