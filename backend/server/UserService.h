#pragma once

#include "auth/Credential.h"
#include "core/Result.h"
#include "store/Keyset.h"
#include "store/Workspace.h"

#include <QSqlDatabase>

#include <optional>

namespace quorum {

class AuditLog;
class BrowserSessions;
class Clock;
class Database;
class TokenService;
struct Settings;

// A user just created, with the one-time link to set a password when none was given.
struct NewUser
{
    User user;
    QString setPasswordUrl; // empty when a password was given
};

// What an admin may change of a user.
struct UserChange
{
    std::optional<Role> role;
    std::optional<bool> disabled;
};

// The users of a workspace and their passwords: creation, roles, disabling, one-time
// set-password links. Enforces the owner rules (only an owner makes, unmakes, disables or
// resets an owner; a workspace keeps an active owner; nobody disables themselves) and audits
// every change. Thread-safe.
class UserService final
{
public:
    UserService(Database &database, const Clock &clock, AuditLog &audit, TokenService &tokens,
                BrowserSessions &sessions, const Settings &settings);

    // A password is 12 to 256 characters (code points); the problem, if any.
    static std::optional<QString> passwordProblem(const QString &password);

    Result<Page<User>> list(const Credential &caller, const PageRequest &page);
    Result<User> get(const Credential &caller, const QString &userId);
    Result<NewUser> create(const Credential &caller, const QString &name, Role role,
                           const std::optional<QString> &password, const QString &clientAddress);
    // Disabling revokes the user's tokens and browser sessions.
    Result<User> update(const Credential &caller, const QString &userId, const UserChange &change,
                        const QString &clientAddress);
    // A fresh one-time link (older unused ones stop working); its URL.
    Result<QString> newPasswordLink(const Credential &caller, const QString &userId,
                                    const QString &clientAddress);
    // The caller's own password; their browser sessions end (tokens stay).
    // A wrong current password counts as a failed sign-in; past the limit the answer is
    // RateLimited, with the seconds to wait in `retryAfterSeconds` when given.
    Status changeOwnPassword(const Credential &caller, const QString &currentPassword,
                             const QString &newPassword, const QString &clientAddress,
                             int *retryAfterSeconds = nullptr);

    // The user a set-password link is for, while it is unused and unexpired.
    std::optional<User> userForLink(const QString &token);
    // Uses the link (once): sets the password and ends the user's browser sessions.
    Status setPasswordWithLink(const QString &token, const QString &newPassword,
                               const QString &clientAddress);

private:
    Result<User> visibleUser(const Credential &caller, const QString &userId);
    Result<QString> insertLink(QSqlDatabase db, const QString &userId, const QString &actorId);

    Database &m_database;
    const Clock &m_clock;
    AuditLog &m_audit;
    TokenService &m_tokens;
    BrowserSessions &m_sessions;
    const Settings &m_settings;
};

} // namespace quorum
