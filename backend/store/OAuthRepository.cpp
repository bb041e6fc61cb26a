#include "OAuthRepository.h"

#include "Database.h"
#include "SqlValues.h"

#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kCodeColumns = u"code_hash, client_id, workspace_id, user_id, redirect_uri, scopes, "
                          "code_challenge, created_at, expires_at, used_at"_s;
const auto kRefreshColumns = u"id, token_hash, family_id, client_id, workspace_id, user_id, "
                             "scopes, code_hash, created_at, expires_at, rotated_at, revoked_at"_s;

QStringList splitScopes(const QVariant &value)
{
    return value.toString().split(u' ', Qt::SkipEmptyParts);
}

} // namespace

Status OAuthRepository::insertCode(const OAuthCode &code)
{
    QSqlQuery query(m_db);
    query.prepare(
        u"INSERT INTO oauth_codes (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s.arg(kCodeColumns));
    query.addBindValue(code.codeHash);
    query.addBindValue(code.clientId);
    query.addBindValue(code.workspaceId);
    query.addBindValue(code.userId);
    query.addBindValue(code.redirectUri);
    query.addBindValue(code.scopes.join(u' '));
    query.addBindValue(code.codeChallenge.isEmpty() ? fromText(QString())
                                                    : QVariant(code.codeChallenge));
    query.addBindValue(fromTime(code.createdAt));
    query.addBindValue(fromTime(code.expiresAt));
    query.addBindValue(fromTime(code.usedAt));
    if (!query.exec())
        return sqlError(query, "inserting an authorization code");
    return success();
}

std::optional<OAuthCode> OAuthRepository::codeByHash(const QString &codeHash)
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT %1 FROM oauth_codes WHERE code_hash = ?"_s.arg(kCodeColumns));
    query.addBindValue(codeHash);
    if (!query.exec() || !query.next())
        return std::nullopt;
    OAuthCode code;
    code.codeHash = query.value(0).toString();
    code.clientId = query.value(1).toString();
    code.workspaceId = query.value(2).toString();
    code.userId = query.value(3).toString();
    code.redirectUri = query.value(4).toString();
    code.scopes = splitScopes(query.value(5));
    code.codeChallenge = query.value(6).toString();
    code.createdAt = toTime(query.value(7));
    code.expiresAt = toTime(query.value(8));
    code.usedAt = toTime(query.value(9));
    return code;
}

Result<bool> OAuthRepository::spendCode(const QString &codeHash, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE oauth_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL"_s);
    query.addBindValue(fromTime(when));
    query.addBindValue(codeHash);
    if (!query.exec())
        return sqlError(query, "spending an authorization code");
    return query.numRowsAffected() == 1;
}

Status OAuthRepository::insertRefresh(const RefreshToken &token)
{
    QSqlQuery query(m_db);
    query.prepare(
        u"INSERT INTO refresh_tokens (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s.arg(
            kRefreshColumns));
    query.addBindValue(token.id);
    query.addBindValue(token.tokenHash);
    query.addBindValue(token.familyId);
    query.addBindValue(token.clientId);
    query.addBindValue(token.workspaceId);
    query.addBindValue(token.userId);
    query.addBindValue(token.scopes.join(u' '));
    query.addBindValue(fromText(token.codeHash));
    query.addBindValue(fromTime(token.createdAt));
    query.addBindValue(fromTime(token.expiresAt));
    query.addBindValue(fromTime(token.rotatedAt));
    query.addBindValue(fromTime(token.revokedAt));
    if (!query.exec())
        return sqlError(query, "inserting a refresh token");
    return success();
}

std::optional<RefreshToken> OAuthRepository::refreshByHash(const QString &tokenHash)
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT %1 FROM refresh_tokens WHERE token_hash = ?"_s.arg(kRefreshColumns));
    query.addBindValue(tokenHash);
    if (!query.exec() || !query.next())
        return std::nullopt;
    RefreshToken token;
    token.id = query.value(0).toString();
    token.tokenHash = query.value(1).toString();
    token.familyId = query.value(2).toString();
    token.clientId = query.value(3).toString();
    token.workspaceId = query.value(4).toString();
    token.userId = query.value(5).toString();
    token.scopes = splitScopes(query.value(6));
    token.codeHash = query.value(7).toString();
    token.createdAt = toTime(query.value(8));
    token.expiresAt = toTime(query.value(9));
    token.rotatedAt = toTime(query.value(10));
    token.revokedAt = toTime(query.value(11));
    return token;
}

Result<bool> OAuthRepository::rotate(const QString &id, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE refresh_tokens SET rotated_at = ? WHERE id = ? AND rotated_at IS NULL "
                  "AND revoked_at IS NULL"_s);
    query.addBindValue(fromTime(when));
    query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "rotating a refresh token");
    return query.numRowsAffected() == 1;
}

Result<QStringList> OAuthRepository::revokeAccessWhere(const QString &condition,
                                                       const QVariantList &values,
                                                       const QDateTime &when)
{
    QSqlQuery select(m_db);
    select.prepare(u"SELECT token_hash FROM access_tokens WHERE kind = 'oauth' AND "
                   "revoked_at IS NULL AND (%1)"_s.arg(condition));
    for (const QVariant &value : values)
        select.addBindValue(value);
    if (!select.exec())
        return sqlError(select, "finding OAuth access tokens");
    QStringList hashes;
    while (select.next())
        hashes << select.value(0).toString();

    QSqlQuery update(m_db);
    update.prepare(u"UPDATE access_tokens SET revoked_at = ? WHERE kind = 'oauth' AND "
                   "revoked_at IS NULL AND (%1)"_s.arg(condition));
    update.addBindValue(fromTime(when));
    for (const QVariant &value : values)
        update.addBindValue(value);
    if (!update.exec())
        return sqlError(update, "revoking OAuth access tokens");
    return hashes;
}

Status OAuthRepository::revokeRefreshWhere(const QString &condition, const QVariantList &values,
                                           const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(
        u"UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND (%1)"_s.arg(
            condition));
    query.addBindValue(fromTime(when));
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return sqlError(query, "revoking refresh tokens");
    return success();
}

Result<QStringList> OAuthRepository::revokeFamily(const QString &familyId, const QDateTime &when)
{
    if (const Status revoked = revokeRefreshWhere(u"family_id = ?"_s, {familyId}, when); !revoked)
        return revoked.error();
    return revokeAccessWhere(u"family_id = ?"_s, {familyId}, when);
}

Result<QStringList> OAuthRepository::revokeFromCode(const QString &codeHash, const QDateTime &when)
{
    const QString families = u"SELECT family_id FROM refresh_tokens WHERE code_hash = ?"_s;
    auto hashes = revokeAccessWhere(u"family_id IN (%1) OR family_id = ?"_s.arg(families),
                                    {codeHash, codeHash}, when);
    if (!hashes)
        return hashes;
    if (const Status revoked
        = revokeRefreshWhere(u"family_id IN (%1)"_s.arg(families), {codeHash}, when);
        !revoked)
        return revoked.error();
    return hashes;
}

Result<QStringList> OAuthRepository::revokeClient(const QString &clientId,
                                                  const QString &workspaceId, const QDateTime &when)
{
    QString condition = u"client_id = ?"_s;
    QVariantList values{clientId};
    if (!workspaceId.isEmpty()) {
        condition += u" AND workspace_id = ?"_s;
        values << workspaceId;
    }
    if (const Status revoked = revokeRefreshWhere(condition, values, when); !revoked)
        return revoked.error();
    return revokeAccessWhere(condition, values, when);
}

} // namespace quorum
