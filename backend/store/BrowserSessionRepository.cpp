#include "BrowserSessionRepository.h"

#include "Database.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, token_hash, user_id, workspace_id, csrf_secret, created_at, expires_at, revoked_at");

BrowserSessionRecord readSession(const QSqlQuery &query)
{
    BrowserSessionRecord session;
    session.id = query.value(0).toString();
    session.tokenHash = query.value(1).toString();
    session.userId = query.value(2).toString();
    session.workspaceId = query.value(3).toString();
    session.csrfSecret = query.value(4).toString();
    session.createdAt = toTime(query.value(5));
    session.expiresAt = toTime(query.value(6));
    session.revokedAt = toTime(query.value(7));
    return session;
}

} // namespace

Status BrowserSessionRepository::insert(const BrowserSessionRecord &session)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("INSERT INTO browser_sessions (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            .arg(kColumns));
    query.addBindValue(session.id);
    query.addBindValue(session.tokenHash);
    query.addBindValue(session.userId);
    query.addBindValue(session.workspaceId);
    query.addBindValue(session.csrfSecret);
    query.addBindValue(fromTime(session.createdAt));
    query.addBindValue(fromTime(session.expiresAt));
    query.addBindValue(fromTime(session.revokedAt));
    if (!query.exec())
        return sqlError(query, "inserting a browser session");
    return success();
}

std::optional<BrowserSessionRecord> BrowserSessionRepository::byHash(const QString &tokenHash)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT %1 FROM browser_sessions WHERE token_hash = ?").arg(kColumns));
    query.addBindValue(tokenHash);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readSession(query);
}

Status BrowserSessionRepository::revoke(const QString &id, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE browser_sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "revoking a browser session");
    return success();
}

Result<int> BrowserSessionRepository::revokeForUser(const QString &userId, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE browser_sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "revoking a user's browser sessions");
    return query.numRowsAffected();
}

} // namespace quorum
