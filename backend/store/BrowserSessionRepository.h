#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>

#include <optional>

namespace quorum {

// A signed-in browser: only the SHA-256 of the cookie's token is stored.
struct BrowserSessionRecord
{
    QString id;
    QString tokenHash; // hex SHA-256 of the cookie value
    QString userId;
    QString workspaceId;
    QString csrfSecret; // hex; the session's CSRF tokens are derived from it
    QDateTime createdAt;
    QDateTime expiresAt;
    QDateTime revokedAt; // null: live
};

class BrowserSessionRepository final
{
public:
    explicit BrowserSessionRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insert(const BrowserSessionRecord &session);
    std::optional<BrowserSessionRecord> byHash(const QString &tokenHash);
    Status revoke(const QString &id, const QDateTime &when);
    // Revokes every live session of the user; how many there were.
    Result<int> revokeForUser(const QString &userId, const QDateTime &when);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
