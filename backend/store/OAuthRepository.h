#pragma once

#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace quorum {

// An authorization code as stored: single use, bound to everything the consent was given for.
struct OAuthCode
{
    QString codeHash; // hex SHA-256 of the code
    QString clientId;
    QString workspaceId;
    QString userId;
    QString redirectUri;
    QStringList scopes;
    QString codeChallenge; // S256 challenge; empty when the client sent none
    QDateTime createdAt;
    QDateTime expiresAt;
    QDateTime usedAt;
};

// A refresh token as stored. Every refresh rotates it: the old row gets rotated_at and a new
// row of the same family follows. The scopes are the original grant's.
struct RefreshToken
{
    QString id; // rt_
    QString tokenHash;
    QString familyId;
    QString clientId;
    QString workspaceId;
    QString userId;
    QStringList scopes;
    QString codeHash; // the code the family came from
    QDateTime createdAt;
    QDateTime expiresAt;
    QDateTime rotatedAt;
    QDateTime revokedAt;
};

// oauth_codes, refresh_tokens and the OAuth rows of access_tokens. The revocations return the
// hashes of the access tokens they ended, so the caller can drop them from its cache.
class OAuthRepository final
{
public:
    explicit OAuthRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insertCode(const OAuthCode &code);
    std::optional<OAuthCode> codeByHash(const QString &codeHash);
    // Spends the code; false when it was already spent (or does not exist).
    Result<bool> spendCode(const QString &codeHash, const QDateTime &when);

    Status insertRefresh(const RefreshToken &token);
    std::optional<RefreshToken> refreshByHash(const QString &tokenHash);
    // Marks the token rotated if it is neither rotated nor revoked yet; false otherwise. The
    // condition sits in the UPDATE itself, so two refreshes can never both rotate one token.
    Result<bool> rotate(const QString &id, const QDateTime &when);

    Result<QStringList> revokeFamily(const QString &familyId, const QDateTime &when);
    // Every family that came from the code.
    Result<QStringList> revokeFromCode(const QString &codeHash, const QDateTime &when);
    // Every token of the client, in one workspace or (empty) in all.
    Result<QStringList> revokeClient(const QString &clientId, const QString &workspaceId,
                                     const QDateTime &when);

private:
    Result<QStringList> revokeAccessWhere(const QString &condition, const QVariantList &values,
                                          const QDateTime &when);
    Status revokeRefreshWhere(const QString &condition, const QVariantList &values,
                              const QDateTime &when);

    QSqlDatabase m_db;
};

} // namespace quorum
