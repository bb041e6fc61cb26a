#pragma once

#include <QDateTime>
#include <QStringList>

namespace quorum {

// A bearer credential as stored: only the SHA-256 of the secret is kept.
struct AccessTokenRecord
{
    QString id;
    QString tokenHash; // hex SHA-256 of the secret
    QString kind; // "personal" (OAuth kinds come later)
    QString workspaceId;
    QString userId;
    QString clientId;
    QString name;
    QStringList scopes;
    bool firstParty = true;
    QDateTime createdAt;
    QDateTime expiresAt; // null: never
    QDateTime revokedAt; // null: live
};

} // namespace quorum
