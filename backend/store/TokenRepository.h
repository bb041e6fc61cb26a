#pragma once

#include "AccessToken.h"
#include "Keyset.h"
#include "core/Result.h"

#include <QSqlDatabase>

#include <optional>

namespace quorum {

class TokenRepository final
{
public:
    explicit TokenRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insert(const AccessTokenRecord &token);
    std::optional<AccessTokenRecord> byHash(const QString &tokenHash);
    std::optional<AccessTokenRecord> byId(const QString &id);
    // The user's tokens, newest last, revoked ones excluded.
    Result<Page<AccessTokenRecord>> listForUser(const QString &userId, const PageRequest &page);
    Status revoke(const QString &id, const QDateTime &when);
    // Revokes every live token of the user (personal and OAuth, refresh tokens included); how
    // many access tokens there were.
    Result<int> revokeForUser(const QString &userId, const QDateTime &when);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
