#pragma once

#include "auth/Credential.h"
#include "core/Result.h"

#include <QString>

#include <functional>
#include <mutex>
#include <optional>

namespace quorum {

class AuditLog;
class BanCache;
class Clock;
class Database;
class MeetingCache;
class RateLimiter;
class SigningKeyRing;
struct Settings;
namespace crypto {
class SecretBox;
}

struct JoinTokenRequest
{
    QString meetingId;
    std::optional<Credential> caller; // none: a guest of the join page
    bool guest = false;
    QString displayName;
    std::optional<QString> passcode;
    QString region;
    QString clientKey; // the credential, else the client address
    QString clientAddress;
};

struct JoinToken
{
    QString jwt;
    QString sfuUrl;
    int expiresIn = 0;
    QString participantRole;
};

// What the endpoint answers: the token, or an error with the pacing that goes with it.
struct JoinTokenOutcome
{
    std::optional<JoinToken> token;
    Error error;
    int retryAfterSeconds = 0; // for 429
    int delayMs = 0; // a failing caller slowed down during a surge
};

// Issues the short-lived JWT a client presents to the media plane (DESIGN.md *Join tokens*):
// identity and role from the bearer or a fresh guest identity, the passcode with its
// per-client lockout and meeting-wide slowdown, and the media node chosen once per meeting.
class JoinTokenService final
{
public:
    JoinTokenService(Database &database, const crypto::SecretBox &box, const Clock &clock,
                     const Settings &settings, SigningKeyRing &keys, AuditLog &audit,
                     RateLimiter &limiter, MeetingCache &cache, BanCache &bans);

    JoinTokenOutcome issue(const JoinTokenRequest &request);

    // Several nodes: the address of the node a meeting was given to (NodeRegistry's).
    void setNodeAddresses(std::function<QString(const QString &node)> addressOf)
    {
        m_nodeAddress = std::move(addressOf);
    }

private:
    JoinTokenOutcome refuse(Error error, int retryAfterSeconds = 0, int delayMs = 0) const;
    QString sfuUrl(const QString &node) const;
    static QString buildSfuUrl(const QString &advertiseUrl);

    Database &m_database;
    const crypto::SecretBox &m_box;
    const Clock &m_clock;
    const Settings &m_settings;
    SigningKeyRing &m_keys;
    AuditLog &m_audit;
    RateLimiter &m_limiter;
    MeetingCache &m_cache;
    BanCache &m_bans;
    mutable std::once_flag m_sfuUrlOnce;
    mutable QString m_sfuUrl;
    std::function<QString(const QString &)> m_nodeAddress;
};

} // namespace quorum
