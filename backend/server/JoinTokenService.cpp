#include "JoinTokenService.h"

#include "BanCache.h"
#include "MeetingCache.h"
#include "Settings.h"
#include "auth/AuditLog.h"
#include "auth/Permissions.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "core/MeetingStateMachine.h"
#include "crypto/Hashing.h"
#include "crypto/Jwt.h"
#include "crypto/SigningKeyRing.h"
#include "http/RateLimiter.h"
#include "store/Database.h"
#include "store/MeetingRepository.h"

#include <QJsonObject>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcJoin, "quorum.join")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

bool passcodeMatches(const QString &expected, const QString &supplied)
{
    // Digests have one length whatever the inputs, so the comparison time says nothing
    // about how many characters matched.
    return crypto::constantTimeEquals(crypto::sha256(expected.toUtf8()),
                                      crypto::sha256(supplied.toUtf8()));
}

} // namespace

JoinTokenService::JoinTokenService(Database &database, const crypto::SecretBox &box,
                                   const Clock &clock, const Settings &settings,
                                   SigningKeyRing &keys, AuditLog &audit, RateLimiter &limiter,
                                   MeetingCache &cache, BanCache &bans)
    : m_database(database)
    , m_box(box)
    , m_clock(clock)
    , m_settings(settings)
    , m_keys(keys)
    , m_audit(audit)
    , m_limiter(limiter)
    , m_cache(cache)
    , m_bans(bans)
{ }

JoinTokenOutcome JoinTokenService::refuse(Error error, int retryAfterSeconds, int delayMs) const
{
    JoinTokenOutcome outcome;
    outcome.error = std::move(error);
    outcome.retryAfterSeconds = retryAfterSeconds;
    outcome.delayMs = delayMs;
    return outcome;
}

QString JoinTokenService::sfuUrl(const QString &node) const
{
    // Another node's meeting is joined at that node's address.
    if (node != m_settings.nodeName && m_nodeAddress)
        return buildSfuUrl(m_nodeAddress(node));
    // The advertise URL is final once the server listens; build the URL once.
    std::call_once(m_sfuUrlOnce, [this] { m_sfuUrl = buildSfuUrl(m_settings.advertiseUrl); });
    return m_sfuUrl;
}

QString JoinTokenService::buildSfuUrl(const QString &advertiseUrl)
{
    const QUrl advertise(advertiseUrl);
    QUrl signal;
    signal.setScheme(advertise.scheme() == u"https" ? QStringLiteral("wss") : QStringLiteral("ws"));
    signal.setHost(advertise.host());
    signal.setPort(advertise.port());
    signal.setPath(QStringLiteral("/v1/signal"));
    return signal.toString();
}

JoinTokenOutcome JoinTokenService::issue(const JoinTokenRequest &request)
{
    // Misses are counted per client, so probing random ids is soon answered with 429.
    const QString missKey = u"miss:"_s + request.clientKey;
    if (const auto misses = m_limiter.check(missKey, m_settings.joinNotFoundLimit); !misses.allowed)
        return refuse({ErrorCode::RateLimited,
                       QStringLiteral("Too many requests for meetings that do not exist.")},
                      misses.resetSeconds);

    // The connection is looked up only when the caches miss: on the hot path they do not.
    std::optional<MeetingRepository> repository;
    auto meetings = [this, &repository]() -> MeetingRepository & {
        if (!repository)
            repository.emplace(m_database.connection(), m_box);
        return *repository;
    };
    std::optional<Meeting> meeting = m_cache.find(request.meetingId);
    if (!meeting) {
        const quint64 generation = m_cache.generation();
        meeting = meetings().byId(request.meetingId);
        if (meeting)
            m_cache.store(*meeting, generation);
    }
    if (!meeting || (request.caller && request.caller->workspaceId != meeting->workspaceId)) {
        m_limiter.hit(missKey, m_settings.joinNotFoundLimit);
        return refuse({ErrorCode::NotFound, QStringLiteral("No meeting with this id.")});
    }
    if (const Status joinable = meetingrules::checkJoinable(meeting->state); !joinable)
        return refuse(joinable.error());

    // Identity and role.
    QString subject;
    QString role = QStringLiteral("attendee");
    QString name = request.displayName;
    // An app acting for the workspace has no user to join as: it gets a guest's token.
    const bool asUser = request.caller && !request.guest && !request.caller->userId.isEmpty();
    if (asUser) {
        subject = request.caller->userId;
        if (meeting->hostId == subject)
            role = QStringLiteral("host");
        else if (meetings().isCohost(meeting->id, subject))
            role = QStringLiteral("co_host");
        if (name.isEmpty())
            name = request.caller->userName;
    } else {
        subject = ids::generate(u"gst");
    }
    const QString banSubject = asUser ? subject
        : request.caller              ? QString()
                                      : u"addr:"_s + request.clientAddress;
    const auto loadBans = [&meetings](const QString &id) { return meetings().bannedSubjects(id); };
    if (!banSubject.isEmpty() && m_bans.isBanned(meeting->id, banSubject, loadBans))
        return refuse(
            {ErrorCode::RemovedFromMeeting,
             QStringLiteral("You were removed from this meeting and may not rejoin it.")});

    // The passcode: a lockout answers 429 even to the right one, so it is no oracle.
    if (meeting->passcode) {
        const QString failureKey = u"pc:"_s + request.clientKey + u'|' + meeting->id;
        const int maxFailures = m_settings.passcodeMaxFailures;
        if (const auto locked = m_limiter.check(failureKey, maxFailures); !locked.allowed)
            return refuse({ErrorCode::PasscodeLockedOut,
                           QStringLiteral("Too many wrong passcodes; try again later.")},
                          locked.resetSeconds);

        // Those who may change the meeting need no passcode, also when they vouch for a guest.
        const bool excused = !request.passcode && request.caller
            && permissions::mayChangeMeeting(*request.caller, *meeting);
        if (!excused) {
            if (!request.passcode)
                return refuse({ErrorCode::WrongPasscode,
                               QStringLiteral("This meeting needs a passcode."),
                               {{QStringLiteral("passcode"), QStringLiteral("required")}}});
            if (!passcodeMatches(*meeting->passcode, *request.passcode)) {
                m_limiter.hit(failureKey, maxFailures);
                const QString surgeKey = u"pcsurge:"_s + meeting->id;
                const int surgeLimit = m_settings.passcodeSurgeFailures;
                m_limiter.hit(surgeKey, surgeLimit);
                const int surge = m_limiter.count(surgeKey);

                AuditEntry entry;
                entry.workspaceId = meeting->workspaceId;
                entry.meetingId = meeting->id;
                entry.subjectUserId = meeting->hostId;
                entry.clientAddress = request.clientAddress;
                entry.actorId = request.caller ? request.caller->userId : QString();
                if (m_limiter.count(failureKey) == maxFailures) {
                    entry.action = QStringLiteral("passcode.lockout");
                    entry.detail = {{QStringLiteral("failures"), maxFailures}};
                    m_audit.record(entry);
                }
                int delayMs = 0;
                if (surge >= surgeLimit) {
                    delayMs = m_settings.passcodeSurgeDelayMs;
                    if (surge == surgeLimit) {
                        entry.action = QStringLiteral("passcode.surge");
                        entry.detail
                            = {{QStringLiteral("failures"), surge},
                               {QStringLiteral("window_seconds"), m_limiter.windowSeconds()}};
                        m_audit.record(entry);
                    }
                }
                qCDebug(lcJoin) << "wrong passcode for meeting" << meeting->id;
                return refuse({ErrorCode::WrongPasscode,
                               QStringLiteral("The passcode is wrong."),
                               {{QStringLiteral("passcode"), QStringLiteral("does not match")}}},
                              0, delayMs);
            }
        }
    }

    // The media node is chosen once per meeting; with the builtin adapter it is this node.
    QString node = meeting->mediaNode;
    if (node.isEmpty()) {
        Database::WriteTransaction transaction(m_database);
        auto assigned = MeetingRepository(transaction.db(), m_box)
                            .assignMediaNode(meeting->id, m_settings.nodeName);
        if (!assigned)
            return refuse(assigned.error());
        if (const Status committed = transaction.commit(); !committed)
            return refuse(committed.error());
        node = *assigned;
        m_cache.drop(meeting->id);
    }

    // The payload is written by hand: QJsonObject costs more than the rest of this function
    // but the signature.
    const qint64 now = m_clock.nowMs() / 1000;
    const auto key = m_keys.current();
    using crypto::jwt::jsonString;
    const QByteArray payload = "{\"iss\":" + jsonString(m_settings.publicUrl)
        + ",\"aud\":" + jsonString(node) + ",\"sub\":" + jsonString(subject)
        + ",\"mid\":" + jsonString(meeting->id) + ",\"role\":" + jsonString(role)
        + ",\"name\":" + jsonString(name) + ",\"iat\":" + QByteArray::number(now)
        + ",\"nbf\":" + QByteArray::number(now)
        + ",\"exp\":" + QByteArray::number(now + m_settings.joinTokenTtlSeconds)
        + ",\"jti\":" + jsonString(ids::generate(u"jti"))
        + (request.caller ? QByteArray("}") : QByteArray(",\"via\":\"page\"}"));

    JoinTokenOutcome outcome;
    outcome.token
        = JoinToken{QString::fromLatin1(crypto::jwt::signPayload(payload, key.kid, key.key)),
                    sfuUrl(node), m_settings.joinTokenTtlSeconds, role};
    return outcome;
}

} // namespace quorum
