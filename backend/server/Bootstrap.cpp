#include "Bootstrap.h"

#include "UserService.h"

#include "core/Clock.h"
#include "core/Ids.h"
#include "core/Validation.h"
#include "crypto/PasswordHash.h"
#include "crypto/Random.h"
#include "store/BrowserSessionRepository.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

#include <QSqlQuery>

namespace quorum::bootstrap {

std::optional<QString> checkPassword(const QString &password)
{
    if (UserService::passwordProblem(password))
        return QStringLiteral("A password must be 12 to 256 characters long.");
    return std::nullopt;
}

Result<QString> ensureDefaultWorkspace(Database &database, const Clock &clock)
{
    Database::WriteTransaction transaction(database);
    QSqlQuery query(transaction.db());
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM workspaces")) || !query.next())
        return sqlError(query, "counting workspaces");
    if (query.value(0).toInt() > 0)
        return QString();

    DirectoryRepository directory(transaction.db());
    const Workspace workspace{ids::generate(u"wsp"), QStringLiteral("default"),
                              QStringLiteral("local"), clock.now()};
    if (const Status inserted = directory.insertWorkspace(workspace); !inserted)
        return inserted.error();

    const QString password = crypto::randomToken(u"", 16);
    User owner;
    owner.id = ids::generate(u"usr");
    owner.workspaceId = workspace.id;
    owner.name = QStringLiteral("admin");
    owner.role = Role::Owner;
    owner.passwordHash = crypto::password::hash(password);
    owner.createdAt = clock.now();
    if (const Status inserted = directory.insertUser(owner); !inserted)
        return inserted.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return password;
}

Result<Workspace> createWorkspace(Database &database, const Clock &clock, const QString &name)
{
    const int length = validation::codePointCount(name);
    if (length < 1 || length > 64)
        return Error::validation(QStringLiteral("name"),
                                 QStringLiteral("A workspace name must be 1 to 64 characters."));
    Database::WriteTransaction transaction(database);
    const Workspace workspace{ids::generate(u"wsp"), name, QStringLiteral("local"), clock.now()};
    if (const Status inserted = DirectoryRepository(transaction.db()).insertWorkspace(workspace);
        !inserted)
        return inserted.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return workspace;
}

Result<User> createUser(Database &database, const Clock &clock, const QString &workspaceName,
                        const QString &name, Role role, const QString &password)
{
    const int length = validation::codePointCount(name);
    if (length < 1 || length > 64)
        return Error::validation(QStringLiteral("name"),
                                 QStringLiteral("A user name must be 1 to 64 characters."));
    if (const auto problem = checkPassword(password))
        return Error::validation(QStringLiteral("password"), *problem);

    Database::WriteTransaction transaction(database);
    DirectoryRepository directory(transaction.db());
    const auto workspace = directory.workspaceByName(workspaceName);
    if (!workspace)
        return Error{ErrorCode::NotFound,
                     QStringLiteral("No workspace named %1.").arg(workspaceName)};
    User user;
    user.id = ids::generate(u"usr");
    user.workspaceId = workspace->id;
    user.name = name;
    user.role = role;
    user.passwordHash = crypto::password::hash(password);
    user.createdAt = clock.now();
    if (const Status inserted = directory.insertUser(user); !inserted)
        return inserted.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return user;
}

Status setPassword(Database &database, const QString &workspaceName, const QString &name,
                   const QString &password)
{
    if (const auto problem = checkPassword(password))
        return Error::validation(QStringLiteral("password"), *problem);
    Database::WriteTransaction transaction(database);
    DirectoryRepository directory(transaction.db());
    const auto workspace = directory.workspaceByName(workspaceName);
    const auto user = workspace ? directory.userByName(workspace->id, name) : std::nullopt;
    if (!user)
        return Error{ErrorCode::NotFound,
                     QStringLiteral("No user %1 in workspace %2.").arg(name, workspaceName)};
    if (const Status set = directory.setPasswordHash(user->id, crypto::password::hash(password));
        !set)
        return set;
    // Whoever was signed in with the old password is signed out.
    if (const auto revoked = BrowserSessionRepository(transaction.db())
                                 .revokeForUser(user->id, QDateTime::currentDateTimeUtc());
        !revoked)
        return revoked.error();
    return transaction.commit();
}

Status checkMasterKeyFingerprint(Database &database, const QByteArray &fingerprint)
{
    Database::WriteTransaction transaction(database);
    QSqlQuery query(transaction.db());
    query.prepare(QStringLiteral("SELECT value FROM server_settings WHERE name = ?"));
    query.addBindValue(QStringLiteral("master_key_fingerprint"));
    if (!query.exec())
        return sqlError(query, "reading the master key fingerprint");
    if (query.next()) {
        if (query.value(0).toString().toLatin1() != fingerprint)
            return Error{ErrorCode::Unavailable,
                         QStringLiteral("The master key does not match the one this database was "
                                        "created with; start with the original key file.")};
        return success();
    }
    query.prepare(QStringLiteral("INSERT INTO server_settings (name, value) VALUES (?, ?)"));
    query.addBindValue(QStringLiteral("master_key_fingerprint"));
    query.addBindValue(QString::fromLatin1(fingerprint));
    if (!query.exec())
        return sqlError(query, "storing the master key fingerprint");
    return transaction.commit();
}

} // namespace quorum::bootstrap
