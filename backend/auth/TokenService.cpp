#include "TokenService.h"

#include "AuditLog.h"
#include "Scopes.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Hashing.h"
#include "crypto/Random.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"
#include "store/TokenRepository.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAuth, "quorum.auth")

namespace quorum {

namespace {

constexpr qint64 kCacheMs = 2000;
constexpr int kMaxCacheEntries = 100000;

Error invalidToken()
{
    return {ErrorCode::Unauthorized,
            QStringLiteral("The bearer token is invalid, expired or revoked.")};
}

} // namespace

TokenService::TokenService(Database &database, const Clock &clock, AuditLog &audit)
    : m_database(database)
    , m_clock(clock)
    , m_audit(audit)
{ }

QString TokenService::hashSecret(const QByteArray &secret)
{
    return QString::fromLatin1(crypto::sha256(secret).toHex());
}

Result<Credential> TokenService::authenticate(const QByteArray &bearer)
{
    if (bearer.isEmpty() || bearer.size() > 512)
        return invalidToken();
    const QString hash = hashSecret(bearer);
    const qint64 now = m_clock.nowMs();

    {
        QMutexLocker lock(&m_cacheMutex);
        const auto cached = m_cache.constFind(hash);
        if (cached != m_cache.cend() && cached->cachedUntilMs > now) {
            if (cached->expiresAtMs && cached->expiresAtMs <= now)
                return invalidToken();
            return cached->credential;
        }
    }

    QSqlDatabase db = m_database.connection();
    const auto token = TokenRepository(db).byHash(hash);
    if (!token || token->revokedAt.isValid()
        || (token->expiresAt.isValid() && token->expiresAt.toMSecsSinceEpoch() <= now)) {
        qCWarning(lcAuth) << "rejected a bearer token";
        return invalidToken();
    }
    Credential credential;
    credential.tokenId = token->id;
    credential.kind = token->kind;
    credential.workspaceId = token->workspaceId;
    if (token->userId.isEmpty() && token->kind == u"oauth") {
        // A client-credentials token acts for the workspace that installed the app, with an
        // admin's reach bounded by the scopes granted there (DESIGN.md *Permissions*).
        credential.userName = token->name;
        credential.role = Role::Admin;
    } else {
        const auto user = DirectoryRepository(db).userById(token->userId);
        if (!user || user->disabled || user->workspaceId != token->workspaceId) {
            qCWarning(lcAuth) << "rejected a token of a missing or disabled user";
            return invalidToken();
        }
        credential.userId = user->id;
        credential.userName = user->name;
        credential.role = user->role;
    }
    credential.scopes = QSet<QString>(token->scopes.cbegin(), token->scopes.cend());
    credential.firstParty = token->firstParty;
    credential.clientId = token->clientId;

    QMutexLocker lock(&m_cacheMutex);
    if (m_cache.size() >= kMaxCacheEntries)
        m_cache.clear();
    m_cache.insert(hash,
                   {credential,
                    token->expiresAt.isValid() ? token->expiresAt.toMSecsSinceEpoch() : 0,
                    now + kCacheMs});
    return credential;
}

Result<NewPersonalToken> TokenService::createPersonal(const QString &userId, const QString &name,
                                                      const QStringList &scopeList,
                                                      qint64 ttlSeconds, const QString &actorId,
                                                      const QString &clientAddress)
{
    if (scopeList.isEmpty())
        return Error::validation(
            QStringLiteral("scopes"),
            QStringLiteral("A token needs at least one scope; known scopes: %1")
                .arg(scopes::all().join(u", ")));
    for (const QString &scope : scopeList) {
        if (!scopes::isKnown(scope))
            return Error::validation(QStringLiteral("scopes"),
                                     QStringLiteral("Unknown scope %1; known scopes: %2")
                                         .arg(scope, scopes::all().join(u", ")));
    }

    Database::WriteTransaction transaction(m_database);
    const auto user = DirectoryRepository(transaction.db()).userById(userId);
    if (!user)
        return Error{ErrorCode::NotFound, QStringLiteral("No such user.")};
    if (user->disabled)
        return Error{ErrorCode::Conflict,
                     QStringLiteral("User %1 is disabled; enable the user first.").arg(user->name)};

    NewPersonalToken created;
    created.secret = crypto::randomToken(u"qpat_");
    AccessTokenRecord &record = created.record;
    record.id = ids::generate(u"tok");
    record.tokenHash = hashSecret(created.secret.toLatin1());
    record.kind = QStringLiteral("personal");
    record.workspaceId = user->workspaceId;
    record.userId = user->id;
    record.name = name;
    record.scopes = scopeList;
    record.scopes.removeDuplicates();
    record.firstParty = true;
    record.createdAt = m_clock.now();
    if (ttlSeconds > 0)
        record.expiresAt = record.createdAt.addSecs(ttlSeconds);

    if (const Status inserted = TokenRepository(transaction.db()).insert(record); !inserted)
        return inserted.error();

    AuditEntry entry;
    entry.workspaceId = user->workspaceId;
    entry.action = QStringLiteral("token.created");
    entry.actorId = actorId.isEmpty() ? user->id : actorId;
    entry.subjectUserId = user->id;
    entry.targetId = record.id;
    entry.clientAddress = clientAddress;
    entry.detail = {{QStringLiteral("name"), name},
                    {QStringLiteral("scopes"), QJsonArray::fromStringList(record.scopes)}};
    m_audit.record(entry, transaction.db());

    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return created;
}

Result<Page<AccessTokenRecord>> TokenService::listPersonal(const QString &userId,
                                                           const PageRequest &page)
{
    return TokenRepository(m_database.connection()).listForUser(userId, page);
}

Status TokenService::revoke(const QString &userId, const QString &tokenId, const QString &actorId,
                            const QString &clientAddress)
{
    Database::WriteTransaction transaction(m_database);
    TokenRepository tokens(transaction.db());
    const auto token = tokens.byId(tokenId);
    if (!token || token->userId != userId || token->revokedAt.isValid())
        return Error{ErrorCode::NotFound, QStringLiteral("No such token.")};
    if (const Status revoked = tokens.revoke(tokenId, m_clock.now()); !revoked)
        return revoked;

    AuditEntry entry;
    entry.workspaceId = token->workspaceId;
    entry.action = QStringLiteral("token.revoked");
    entry.actorId = actorId;
    entry.subjectUserId = userId;
    entry.targetId = tokenId;
    entry.clientAddress = clientAddress;
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed;

    dropCached({token->tokenHash});
    return success();
}

void TokenService::forgetUser(const QString &userId)
{
    forgetLocally(QStringLiteral("user"), {userId});
    if (m_invalidationHook)
        m_invalidationHook(QStringLiteral("user"), {userId});
}

void TokenService::dropCached(const QStringList &tokenHashes)
{
    forgetLocally(QStringLiteral("token"), tokenHashes);
    if (m_invalidationHook)
        m_invalidationHook(QStringLiteral("token"), tokenHashes);
}

void TokenService::forgetLocally(const QString &kind, const QStringList &keys)
{
    QMutexLocker lock(&m_cacheMutex);
    if (kind == u"user") {
        m_cache.removeIf(
            [&keys](const auto &entry) { return keys.contains(entry.value().credential.userId); });
        return;
    }
    for (const QString &hash : keys)
        m_cache.remove(hash);
}

void TokenService::clearCache()
{
    QMutexLocker lock(&m_cacheMutex);
    m_cache.clear();
}

} // namespace quorum
