#pragma once

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

private:
    std::optional<User> readUser(class QSqlQuery &query);

    QSqlDatabase m_db;
};

} // namespace quorum
