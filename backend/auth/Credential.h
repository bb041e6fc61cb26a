#pragma once

#include "store/Workspace.h"

#include <QSet>
#include <QString>

namespace quorum {

// Who is calling, as established from a bearer token: the user it acts for, its role in the
// workspace, and what the token may do.
struct Credential
{
    QString tokenId;
    QString kind; // "personal" or "oauth"
    QString workspaceId;
    QString userId;
    QString userName;
    Role role = Role::Member;
    QSet<QString> scopes;
    bool firstParty = true;
    QString clientId;

    bool hasScope(const QString &scope) const { return scopes.contains(scope); }
    bool isAdmin() const { return role == Role::Admin || role == Role::Owner; }
};

} // namespace quorum
