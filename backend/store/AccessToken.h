#pragma once

#include <QDateTime>
#include <QStringList>

namespace quorum {

// A bearer credential as stored: only the SHA-256 of the secret is kept.
struct AccessTokenRecord
{
    QString id;
    QString tokenHash; // hex SHA-256 of the secret
    QString kind; // "personal" or "oauth"
    QString workspaceId;
    QString userId;
    QString clientId;
    QString name;
    QString familyId; // OAuth: the refresh-token family the token came from
    QStringList scopes;
    bool firstParty = true;
    QDateTime createdAt;
    QDateTime expiresAt; // null: never
    QDateTime revokedAt; // null: live
};

} // namespace quorum
