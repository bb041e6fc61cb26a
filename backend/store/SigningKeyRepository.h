#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>

namespace quorum {

struct StoredSigningKey
{
    QString kid;
    QString algorithm;
    QByteArray privateSealed; // sealed PKCS#8 PEM
    QByteArray publicKey; // raw public key
    QDateTime createdAt;
    QDateTime retiredAt; // null while current
    QDateTime publishUntil; // the JWKS lists a retired key until then
};

class SigningKeyRepository final
{
public:
    explicit SigningKeyRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Result<QList<StoredSigningKey>> all();
    Status insert(const StoredSigningKey &key);
    Status retire(const QString &kid, const QDateTime &when, const QDateTime &publishUntil);
    Status removePublishedBefore(const QDateTime &when);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
