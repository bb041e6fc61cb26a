#pragma once

#include <QDateTime>
#include <QString>

namespace quorum {

struct Workspace
{
    QString id;
    QString name;
    QString defaultRegion;
    QDateTime createdAt;
};

enum class Role { Member, Admin, Owner };

inline QString roleName(Role role)
{
    switch (role) {
    case Role::Owner:
        return QStringLiteral("owner");
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Member:
        break;
    }
    return QStringLiteral("member");
}

inline std::optional<Role> roleFromName(QStringView name)
{
    if (name == u"owner")
        return Role::Owner;
    if (name == u"admin")
        return Role::Admin;
    if (name == u"member")
        return Role::Member;
    return std::nullopt;
}

struct User
{
    QString id;
    QString workspaceId;
    QString name;
    Role role = Role::Member;
    QByteArray passwordHash;
    bool disabled = false;
    QDateTime createdAt;
};

} // namespace quorum
