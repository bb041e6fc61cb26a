#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <optional>

namespace quorum {

// A one-time link that lets a user set a password: only the SHA-256 of its token is stored.
struct PasswordLinkRecord
{
    QString tokenHash; // hex SHA-256 of the link's token
    QString userId;
    QString createdBy; // the user who asked for it
    QDateTime createdAt;
    QDateTime expiresAt;
    QDateTime usedAt; // null: unused
};

class PasswordLinkRepository final
{
public:
    explicit PasswordLinkRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insert(const PasswordLinkRecord &link);
    std::optional<PasswordLinkRecord> byHash(const QString &tokenHash);
    // Marks an unused link used; NotFound when it was used already (a race lost).
    Status markUsed(const QString &tokenHash, const QDateTime &when);
    // Marks every unused link of the user used, so only the newest link works.
    Status retireForUser(const QString &userId, const QDateTime &when);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
