#include "DirectoryRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Status DirectoryRepository::insertWorkspace(const Workspace &workspace)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO workspaces (id, name, default_region, created_at) "
                                 "VALUES (?, ?, ?, ?)"));
    query.addBindValue(workspace.id);
    query.addBindValue(workspace.name);
    query.addBindValue(workspace.defaultRegion);
    query.addBindValue(fromTime(workspace.createdAt));
    if (!query.exec())
        return Error{ErrorCode::Conflict,
                     QStringLiteral("A workspace named %1 exists already.").arg(workspace.name)};
    return success();
}

static std::optional<Workspace> readWorkspace(QSqlQuery &query)
{
    if (!query.exec() || !query.next())
        return std::nullopt;
    return Workspace{query.value(0).toString(), query.value(1).toString(),
                     query.value(2).toString(), toTime(query.value(3))};
}

std::optional<Workspace> DirectoryRepository::workspaceById(const QString &id)
{
    CachedStatement query(
        m_db,
        QStringLiteral("SELECT id, name, default_region, created_at FROM workspaces WHERE id = ?"));
    query->bindValue(0, id);
    return readWorkspace(*query);
}

std::optional<Workspace> DirectoryRepository::workspaceByName(const QString &name)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "SELECT id, name, default_region, created_at FROM workspaces WHERE name = ?"));
    query.addBindValue(name);
    return readWorkspace(query);
}

Status DirectoryRepository::insertUser(const User &user)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO users (id, workspace_id, name, role, password_hash, disabled, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(user.id);
    query.addBindValue(user.workspaceId);
    query.addBindValue(user.name);
    query.addBindValue(roleName(user.role));
    query.addBindValue(user.passwordHash.isEmpty()
                           ? QVariant(QMetaType::fromType<QString>())
                           : QVariant(QString::fromLatin1(user.passwordHash)));
    query.addBindValue(user.disabled ? 1 : 0);
    query.addBindValue(fromTime(user.createdAt));
    if (!query.exec())
        return Error{
            ErrorCode::Conflict,
            QStringLiteral("A user named %1 exists already in this workspace.").arg(user.name)};
    return success();
}

std::optional<User> DirectoryRepository::readUser(QSqlQuery &query)
{
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readRow(query);
}

User DirectoryRepository::readRow(const QSqlQuery &query)
{
    User user;
    user.id = query.value(0).toString();
    user.workspaceId = query.value(1).toString();
    user.name = query.value(2).toString();
    user.role = roleFromName(query.value(3).toString()).value_or(Role::Member);
    user.passwordHash = query.value(4).toString().toLatin1();
    user.disabled = query.value(5).toInt() != 0;
    user.createdAt = toTime(query.value(6));
    return user;
}

std::optional<User> DirectoryRepository::userById(const QString &id)
{
    CachedStatement query(m_db,
                          QStringLiteral("SELECT id, workspace_id, name, role, password_hash, "
                                         "disabled, created_at FROM users WHERE id = ?"));
    query->bindValue(0, id);
    return readUser(*query);
}

std::optional<User> DirectoryRepository::userByName(const QString &workspaceId, const QString &name)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT id, workspace_id, name, role, password_hash, disabled, "
                                 "created_at FROM users WHERE workspace_id = ? AND name = ?"));
    query.addBindValue(workspaceId);
    query.addBindValue(name);
    return readUser(query);
}

Status DirectoryRepository::setPasswordHash(const QString &userId, const QByteArray &hash)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE users SET password_hash = ? WHERE id = ?"));
    query.addBindValue(QString::fromLatin1(hash));
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "setting a password");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::NotFound, QStringLiteral("No such user.")};
    return success();
}

Result<Page<User>> DirectoryRepository::listUsers(const QString &workspaceId,
                                                  const PageRequest &page)
{
    return fetchPage<User>(
        m_db,
        QStringLiteral("SELECT id, workspace_id, name, role, password_hash, disabled, created_at "
                       "FROM users WHERE workspace_id = ?"),
        {workspaceId}, QStringLiteral("created_at"), false, page, readRow,
        [](const User &user) { return user.createdAt.toMSecsSinceEpoch(); }, "listing users");
}

Status DirectoryRepository::setRoleAndDisabled(const QString &userId, Role role, bool disabled)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE users SET role = ?, disabled = ? WHERE id = ?"));
    query.addBindValue(roleName(role));
    query.addBindValue(disabled ? 1 : 0);
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "changing a user");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::NotFound, QStringLiteral("No such user.")};
    return success();
}

Result<int> DirectoryRepository::countActiveOwners(const QString &workspaceId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT COUNT(*) FROM users WHERE workspace_id = ? AND "
                                 "role = 'owner' AND disabled = 0"));
    query.addBindValue(workspaceId);
    if (!query.exec() || !query.next())
        return sqlError(query, "counting owners");
    return query.value(0).toInt();
}

} // namespace quorum
