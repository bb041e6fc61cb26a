#include "TokenRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns
    = QStringLiteral("id, token_hash, kind, workspace_id, user_id, client_id, name, "
                     "scopes, first_party, created_at, expires_at, revoked_at, family_id");

AccessTokenRecord readToken(const QSqlQuery &query)
{
    AccessTokenRecord token;
    token.id = query.value(0).toString();
    token.tokenHash = query.value(1).toString();
    token.kind = query.value(2).toString();
    token.workspaceId = query.value(3).toString();
    token.userId = query.value(4).toString();
    token.clientId = query.value(5).toString();
    token.name = query.value(6).toString();
    token.scopes = query.value(7).toString().split(u' ', Qt::SkipEmptyParts);
    token.firstParty = query.value(8).toInt() != 0;
    token.createdAt = toTime(query.value(9));
    token.expiresAt = toTime(query.value(10));
    token.revokedAt = toTime(query.value(11));
    token.familyId = query.value(12).toString();
    return token;
}

} // namespace

Status TokenRepository::insert(const AccessTokenRecord &token)
{
    // Every OAuth grant inserts a token: a cached statement skips SQLite's compiler.
    static const QString sql = QStringLiteral("INSERT INTO access_tokens (%1) VALUES (?, ?, ?, ?, "
                                              "?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                   .arg(kColumns);
    CachedStatement query(m_db, sql);
    const QVariantList values{token.id,
                              token.tokenHash,
                              token.kind,
                              token.workspaceId,
                              fromText(token.userId),
                              fromText(token.clientId),
                              token.name,
                              token.scopes.join(u' '),
                              token.firstParty ? 1 : 0,
                              fromTime(token.createdAt),
                              fromTime(token.expiresAt),
                              fromTime(token.revokedAt),
                              fromText(token.familyId)};
    for (int index = 0; index < values.size(); ++index)
        query->bindValue(index, values.at(index));
    if (!query->exec())
        return sqlError(*query, "inserting a token");
    return success();
}

std::optional<AccessTokenRecord> TokenRepository::byHash(const QString &tokenHash)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT %1 FROM access_tokens WHERE token_hash = ?").arg(kColumns));
    query.addBindValue(tokenHash);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readToken(query);
}

std::optional<AccessTokenRecord> TokenRepository::byId(const QString &id)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM access_tokens WHERE id = ?").arg(kColumns));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readToken(query);
}

Result<Page<AccessTokenRecord>> TokenRepository::listForUser(const QString &userId,
                                                             const PageRequest &page)
{
    return fetchPage<AccessTokenRecord>(
        m_db,
        QStringLiteral("SELECT %1 FROM access_tokens WHERE user_id = ? AND kind = 'personal' "
                       "AND revoked_at IS NULL")
            .arg(kColumns),
        {userId}, QStringLiteral("created_at"), false, page, readToken,
        [](const AccessTokenRecord &token) { return token.createdAt.toMSecsSinceEpoch(); },
        "listing tokens");
}

Status TokenRepository::revoke(const QString &id, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE access_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "revoking a token");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::NotFound, QStringLiteral("No such token.")};
    return success();
}

Result<int> TokenRepository::revokeForUser(const QString &userId, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "revoking a user's tokens");
    const int revoked = query.numRowsAffected();

    // Refresh tokens would mint new access tokens: they go too.
    QSqlQuery refresh(m_db);
    refresh.prepare(QStringLiteral(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"));
    refresh.addBindValue(fromTime(when));
    refresh.addBindValue(userId);
    if (!refresh.exec())
        return sqlError(refresh, "revoking a user's refresh tokens");
    return revoked;
}

} // namespace quorum
