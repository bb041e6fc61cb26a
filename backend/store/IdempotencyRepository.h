#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <optional>

namespace quorum {

// What the first request with an Idempotency-Key answered, kept for replay.
struct IdempotencyRecord
{
    QString requestHash;
    bool completed = false;
    int status = 0;
    QByteArray headers; // JSON object of replayed headers
    QByteArray body;
    QDateTime createdAt;
};

class IdempotencyRepository final
{
public:
    explicit IdempotencyRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    // Claims the key for a new request; returns the existing record when the key is taken.
    // Records older than `expiredBefore` are replaced.
    Result<std::optional<IdempotencyRecord>> claim(const QString &credentialId, const QString &key,
                                                   const QString &requestHash, const QDateTime &now,
                                                   const QDateTime &expiredBefore);
    Status complete(const QString &credentialId, const QString &key, int status,
                    const QByteArray &headers, const QByteArray &body);
    Status release(const QString &credentialId, const QString &key);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
