#include "IdempotencyRepository.h"

#include "Database.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Result<std::optional<IdempotencyRecord>>
IdempotencyRepository::claim(const QString &credentialId, const QString &key,
                             const QString &requestHash, const QDateTime &now,
                             const QDateTime &expiredBefore)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "SELECT request_hash, state, status, response_headers, response_body, created_at FROM "
        "idempotency_keys WHERE credential_id = ? AND idempotency_key = ?"));
    query.addBindValue(credentialId);
    query.addBindValue(key);
    if (!query.exec())
        return sqlError(query, "reading an idempotency key");
    if (query.next()) {
        IdempotencyRecord record{query.value(0).toString(),
                                 query.value(1).toString() == u"completed",
                                 query.value(2).toInt(),
                                 query.value(3).toString().toUtf8(),
                                 query.value(4).toString().toUtf8(),
                                 toTime(query.value(5))};
        if (record.createdAt >= expiredBefore)
            return std::optional<IdempotencyRecord>(record);
        if (!release(credentialId, key).ok())
            return Error{ErrorCode::Internal, QStringLiteral("Cannot expire the key.")};
    }

    query.prepare(QStringLiteral(
        "INSERT INTO idempotency_keys (credential_id, idempotency_key, request_hash, state, "
        "created_at) VALUES (?, ?, ?, 'running', ?)"));
    query.addBindValue(credentialId);
    query.addBindValue(key);
    query.addBindValue(requestHash);
    query.addBindValue(fromTime(now));
    if (!query.exec())
        return sqlError(query, "claiming an idempotency key");
    return std::optional<IdempotencyRecord>();
}

Status IdempotencyRepository::complete(const QString &credentialId, const QString &key, int status,
                                       const QByteArray &headers, const QByteArray &body)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE idempotency_keys SET state = 'completed', status = ?, response_headers = ?, "
        "response_body = ? WHERE credential_id = ? AND idempotency_key = ?"));
    query.addBindValue(status);
    query.addBindValue(QString::fromUtf8(headers));
    query.addBindValue(QString::fromUtf8(body));
    query.addBindValue(credentialId);
    query.addBindValue(key);
    if (!query.exec())
        return sqlError(query, "completing an idempotency key");
    return success();
}

Status IdempotencyRepository::release(const QString &credentialId, const QString &key)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "DELETE FROM idempotency_keys WHERE credential_id = ? AND idempotency_key = ?"));
    query.addBindValue(credentialId);
    query.addBindValue(key);
    if (!query.exec())
        return sqlError(query, "releasing an idempotency key");
    return success();
}

} // namespace quorum
