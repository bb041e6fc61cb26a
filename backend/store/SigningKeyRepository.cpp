#include "SigningKeyRepository.h"

#include "Database.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Result<QList<StoredSigningKey>> SigningKeyRepository::all()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT kid, algorithm, private_sealed, public_key, created_at, "
                                   "retired_at, publish_until FROM signing_keys "
                                   "ORDER BY created_at, kid")))
        return sqlError(query, "reading signing keys");
    QList<StoredSigningKey> keys;
    while (query.next()) {
        keys << StoredSigningKey{query.value(0).toString(),
                                 query.value(1).toString(),
                                 QByteArray::fromBase64(query.value(2).toString().toLatin1()),
                                 QByteArray::fromBase64(query.value(3).toString().toLatin1()),
                                 toTime(query.value(4)),
                                 toTime(query.value(5)),
                                 toTime(query.value(6))};
    }
    return keys;
}

Status SigningKeyRepository::insert(const StoredSigningKey &key)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO signing_keys (kid, algorithm, private_sealed, public_key, created_at, "
        "retired_at, publish_until) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(key.kid);
    query.addBindValue(key.algorithm);
    query.addBindValue(QString::fromLatin1(key.privateSealed.toBase64()));
    query.addBindValue(QString::fromLatin1(key.publicKey.toBase64()));
    query.addBindValue(fromTime(key.createdAt));
    query.addBindValue(fromTime(key.retiredAt));
    query.addBindValue(fromTime(key.publishUntil));
    if (!query.exec())
        return sqlError(query, "inserting a signing key");
    return success();
}

Status SigningKeyRepository::retire(const QString &kid, const QDateTime &when,
                                    const QDateTime &publishUntil)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("UPDATE signing_keys SET retired_at = ?, publish_until = ? WHERE kid = ?"));
    query.addBindValue(fromTime(when));
    query.addBindValue(fromTime(publishUntil));
    query.addBindValue(kid);
    if (!query.exec())
        return sqlError(query, "retiring a signing key");
    return success();
}

Status SigningKeyRepository::removePublishedBefore(const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND publish_until < ?"));
    query.addBindValue(fromTime(when));
    if (!query.exec())
        return sqlError(query, "removing expired signing keys");
    return success();
}

} // namespace quorum
