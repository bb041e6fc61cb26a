#pragma once

#include "core/Result.h"
#include "store/Workspace.h"

namespace quorum {

class Clock;
class Database;

// First-start setup and the directory commands shared by quorumd's command line.
namespace bootstrap {

// Creates the workspace `default` and its owner `admin` when the database has no workspace;
// returns the owner's generated password, or an empty string when nothing was created.
Result<QString> ensureDefaultWorkspace(Database &database, const Clock &clock);

Result<Workspace> createWorkspace(Database &database, const Clock &clock, const QString &name);
Result<User> createUser(Database &database, const Clock &clock, const QString &workspaceName,
                        const QString &name, Role role, const QString &password);
Status setPassword(Database &database, const QString &workspaceName, const QString &name,
                   const QString &password);
// The rules a password must meet (length in code points).
std::optional<QString> checkPassword(const QString &password);

// The database remembers which master key sealed its secrets (the first one to ask stores
// its fingerprint): a server or command with another key would seal what the others cannot
// open, or fail to open what they sealed, so it is refused instead.
Status checkMasterKeyFingerprint(Database &database, const QByteArray &fingerprint);

} // namespace bootstrap
} // namespace quorum
