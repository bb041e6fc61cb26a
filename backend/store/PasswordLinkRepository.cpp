#include "PasswordLinkRepository.h"

#include "Database.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Status PasswordLinkRepository::insert(const PasswordLinkRecord &link)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO password_links (token_hash, user_id, created_by, "
                                 "created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)"));
    query.addBindValue(link.tokenHash);
    query.addBindValue(link.userId);
    query.addBindValue(link.createdBy);
    query.addBindValue(fromTime(link.createdAt));
    query.addBindValue(fromTime(link.expiresAt));
    query.addBindValue(fromTime(link.usedAt));
    if (!query.exec())
        return sqlError(query, "inserting a password link");
    return success();
}

std::optional<PasswordLinkRecord> PasswordLinkRepository::byHash(const QString &tokenHash)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT token_hash, user_id, created_by, created_at, "
                                 "expires_at, used_at FROM password_links WHERE token_hash = ?"));
    query.addBindValue(tokenHash);
    if (!query.exec() || !query.next())
        return std::nullopt;
    PasswordLinkRecord link;
    link.tokenHash = query.value(0).toString();
    link.userId = query.value(1).toString();
    link.createdBy = query.value(2).toString();
    link.createdAt = toTime(query.value(3));
    link.expiresAt = toTime(query.value(4));
    link.usedAt = toTime(query.value(5));
    return link;
}

Status PasswordLinkRepository::markUsed(const QString &tokenHash, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(tokenHash);
    if (!query.exec())
        return sqlError(query, "using a password link");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::NotFound, QStringLiteral("The link was used already.")};
    return success();
}

Status PasswordLinkRepository::retireForUser(const QString &userId, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE password_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL"));
    query.addBindValue(fromTime(when));
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "retiring password links");
    return success();
}

} // namespace quorum
