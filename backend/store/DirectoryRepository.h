#pragma once

#include "Keyset.h"
#include "Workspace.h"
#include "core/Result.h"

#include <QSqlDatabase>

#include <optional>

namespace quorum {

// Workspaces and their users: the directory every credential and meeting hangs from.
class DirectoryRepository final
{
public:
    explicit DirectoryRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insertWorkspace(const Workspace &workspace);
    std::optional<Workspace> workspaceById(const QString &id);
    std::optional<Workspace> workspaceByName(const QString &name);

    Status insertUser(const User &user);
    std::optional<User> userById(const QString &id);
    std::optional<User> userByName(const QString &workspaceId, const QString &name);
    Status setPasswordHash(const QString &userId, const QByteArray &hash);
    // The workspace's users in order of creation.
    Result<Page<User>> listUsers(const QString &workspaceId, const PageRequest &page);
    Status setRoleAndDisabled(const QString &userId, Role role, bool disabled);
    // Owners of the workspace who are not disabled.
    Result<int> countActiveOwners(const QString &workspaceId);

private:
    std::optional<User> readUser(class QSqlQuery &query);
    static User readRow(const class QSqlQuery &query);

    QSqlDatabase m_db;
};

} // namespace quorum
