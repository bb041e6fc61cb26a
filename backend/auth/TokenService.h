#pragma once

#include "Credential.h"
#include "core/Result.h"
#include "store/AccessToken.h"
#include "store/Keyset.h"

#include <QCache>
#include <QMutex>

#include <functional>

namespace quorum {

class AuditLog;
class Clock;
class Database;

struct NewPersonalToken
{
    AccessTokenRecord record;
    QString secret; // shown once, never stored
};

// Personal access tokens and the authentication of bearer tokens, personal and OAuth. Only the
// SHA-256 of a secret is stored. Authentication results are cached for a few seconds per node;
// a revocation through this node drops the cache entry at once.
class TokenService final
{
public:
    TokenService(Database &database, const Clock &clock, AuditLog &audit);

    Result<Credential> authenticate(const QByteArray &bearer);

    Result<NewPersonalToken> createPersonal(const QString &userId, const QString &name,
                                            const QStringList &scopes, qint64 ttlSeconds,
                                            const QString &actorId, const QString &clientAddress);
    Result<Page<AccessTokenRecord>> listPersonal(const QString &userId, const PageRequest &page);
    Status revoke(const QString &userId, const QString &tokenId, const QString &actorId,
                  const QString &clientAddress);

    // Drops this node's cached authentications of the user's tokens, after the user's role
    // changed or the user was disabled.
    void forgetUser(const QString &userId);
    // Forgets cached authentications of tokens revoked elsewhere (OAuth revocations), so the
    // revocation takes effect at once on this node.
    void dropCached(const QStringList &tokenHashes);

    // Several nodes: what this node forgets, the others must forget too. The hook (set before
    // serving) hears token hashes (kind "token") and user ids ("user"); forgetLocally applies
    // what another node heard; clearCache follows a gap in what was heard.
    using InvalidationHook = std::function<void(const QString &kind, const QStringList &keys)>;
    void setInvalidationHook(InvalidationHook hook) { m_invalidationHook = std::move(hook); }
    void forgetLocally(const QString &kind, const QStringList &keys);
    void clearCache();

    static QString hashSecret(const QByteArray &secret);

private:
    struct CachedCredential
    {
        Credential credential;
        qint64 expiresAtMs = 0; // token expiry
        qint64 cachedUntilMs = 0;
    };

    Database &m_database;
    const Clock &m_clock;
    AuditLog &m_audit;
    QMutex m_cacheMutex;
    QHash<QString, CachedCredential> m_cache; // by token hash
    InvalidationHook m_invalidationHook;
};

} // namespace quorum
