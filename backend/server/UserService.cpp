#include "UserService.h"

#include "BrowserSessions.h"
#include "Settings.h"
#include "auth/AuditLog.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "core/Validation.h"
#include "crypto/PasswordHash.h"
#include "crypto/Random.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"
#include "store/PasswordLinkRepository.h"
#include "store/TokenRepository.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcUsers, "quorum.users")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// An audit entry about a user, by an actor (an admin, or the user themselves).
AuditEntry userAuditEntry(const QString &action, const User &user, const QString &actorId,
                          const QString &clientAddress)
{
    AuditEntry entry;
    entry.workspaceId = user.workspaceId;
    entry.action = action;
    entry.actorId = actorId;
    entry.subjectUserId = user.id;
    entry.targetId = user.id;
    entry.clientAddress = clientAddress;
    return entry;
}

Error forbidden(const QString &detail)
{
    return {ErrorCode::Forbidden, detail};
}

Error noSuchUser()
{
    return {ErrorCode::NotFound, u"No such user."_s};
}

std::optional<QString> nameProblem(const QString &name)
{
    const int length = validation::codePointCount(name);
    if (length < 1 || length > 64)
        return u"must be 1 to 64 characters"_s;
    if (name.trimmed() != name)
        return u"must not start or end with a space"_s;
    for (const QChar c : name) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format)
            return u"must not hold control characters"_s;
    }
    return std::nullopt;
}

} // namespace

UserService::UserService(Database &database, const Clock &clock, AuditLog &audit,
                         TokenService &tokens, BrowserSessions &sessions, const Settings &settings)
    : m_database(database)
    , m_clock(clock)
    , m_audit(audit)
    , m_tokens(tokens)
    , m_sessions(sessions)
    , m_settings(settings)
{ }

std::optional<QString> UserService::passwordProblem(const QString &password)
{
    const int length = validation::codePointCount(password);
    if (length < 12 || length > 256)
        return u"must be 12 to 256 characters"_s;
    return std::nullopt;
}

Result<Page<User>> UserService::list(const Credential &caller, const PageRequest &page)
{
    if (!caller.isAdmin())
        return forbidden(u"Only workspace admins and owners manage users."_s);
    return DirectoryRepository(m_database.connection()).listUsers(caller.workspaceId, page);
}

Result<User> UserService::get(const Credential &caller, const QString &userId)
{
    if (!caller.isAdmin())
        return forbidden(u"Only workspace admins and owners manage users."_s);
    return visibleUser(caller, userId);
}

Result<User> UserService::visibleUser(const Credential &caller, const QString &userId)
{
    // Another workspace's user answers exactly like a missing one.
    const auto user = DirectoryRepository(m_database.connection()).userById(userId);
    if (!user || user->workspaceId != caller.workspaceId)
        return noSuchUser();
    return *user;
}

Result<NewUser> UserService::create(const Credential &caller, const QString &name, Role role,
                                    const std::optional<QString> &password,
                                    const QString &clientAddress)
{
    if (!caller.isAdmin())
        return forbidden(u"Only workspace admins and owners manage users."_s);
    if (const auto problem = nameProblem(name))
        return Error::validation(u"name"_s, *problem);
    if (password) {
        if (const auto problem = passwordProblem(*password))
            return Error::validation(u"password"_s, *problem);
    }
    if (role == Role::Owner && caller.role != Role::Owner)
        return forbidden(u"Only an owner may make another owner."_s);

    NewUser created;
    User &user = created.user;
    user.id = ids::generate(u"usr");
    user.workspaceId = caller.workspaceId;
    user.name = name;
    user.role = role;
    if (password)
        user.passwordHash = crypto::password::hash(*password);
    user.createdAt = m_clock.now();

    Database::WriteTransaction transaction(m_database);
    if (const Status inserted = DirectoryRepository(transaction.db()).insertUser(user); !inserted)
        return inserted.error();
    if (!password) {
        auto url = insertLink(transaction.db(), user.id, caller.userId);
        if (!url)
            return url.error();
        created.setPasswordUrl = *url;
    }
    AuditEntry entry = userAuditEntry(u"user.created"_s, user, caller.userId, clientAddress);
    entry.detail = {{u"name"_s, name},
                    {u"role"_s, roleName(role)},
                    {u"password_link"_s, !password.has_value()}};
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return created;
}

Result<User> UserService::update(const Credential &caller, const QString &userId,
                                 const UserChange &change, const QString &clientAddress)
{
    if (!caller.isAdmin())
        return forbidden(u"Only workspace admins and owners manage users."_s);

    Database::WriteTransaction transaction(m_database);
    DirectoryRepository directory(transaction.db());
    const auto found = directory.userById(userId);
    if (!found || found->workspaceId != caller.workspaceId)
        return noSuchUser();
    User user = *found;
    const Role role = change.role.value_or(user.role);
    const bool disabled = change.disabled.value_or(user.disabled);

    const bool touchesOwner = user.role == Role::Owner || role == Role::Owner;
    if (touchesOwner && (role != user.role || disabled != user.disabled)
        && caller.role != Role::Owner)
        return forbidden(u"Only an owner may make, unmake or disable an owner."_s);
    if (disabled && !user.disabled && user.id == caller.userId)
        return Error{ErrorCode::Conflict, u"You cannot disable yourself."_s};
    const bool losesOwner
        = user.role == Role::Owner && !user.disabled && (role != Role::Owner || disabled);
    if (losesOwner) {
        auto owners = directory.countActiveOwners(user.workspaceId);
        if (!owners)
            return owners.error();
        if (*owners <= 1)
            return Error{ErrorCode::Conflict,
                         u"The workspace's last owner cannot be demoted or disabled; make "
                         "another owner first."_s};
    }
    if (role == user.role && disabled == user.disabled)
        return user;

    if (const Status changed = directory.setRoleAndDisabled(user.id, role, disabled); !changed)
        return changed.error();
    QJsonObject detail;
    if (role != user.role)
        detail.insert(u"role"_s,
                      QJsonObject{{u"from"_s, roleName(user.role)}, {u"to"_s, roleName(role)}});
    if (disabled != user.disabled)
        detail.insert(u"disabled"_s, disabled);
    if (disabled && !user.disabled) {
        auto tokens = TokenRepository(transaction.db()).revokeForUser(user.id, m_clock.now());
        if (!tokens)
            return tokens.error();
        auto sessions = m_sessions.revokeForUser(transaction.db(), user.id);
        if (!sessions)
            return sessions.error();
        detail.insert(u"tokens_revoked"_s, *tokens);
        detail.insert(u"sessions_revoked"_s, *sessions);
    }
    AuditEntry entry
        = userAuditEntry(disabled && !user.disabled ? u"user.disabled"_s : u"user.updated"_s, user,
                         caller.userId, clientAddress);
    entry.detail = detail;
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();

    // The user's next request must see the new role or be refused, not a cached credential.
    m_tokens.forgetUser(user.id);
    user.role = role;
    user.disabled = disabled;
    return user;
}

Result<QString> UserService::newPasswordLink(const Credential &caller, const QString &userId,
                                             const QString &clientAddress)
{
    if (!caller.isAdmin())
        return forbidden(u"Only workspace admins and owners manage users."_s);

    Database::WriteTransaction transaction(m_database);
    const auto user = DirectoryRepository(transaction.db()).userById(userId);
    if (!user || user->workspaceId != caller.workspaceId)
        return noSuchUser();
    // A link sets the password, so handing out an owner's would hand out the owner's rights.
    if (user->role == Role::Owner && caller.role != Role::Owner)
        return forbidden(u"Only an owner may make a set-password link for an owner."_s);
    if (const Status retired
        = PasswordLinkRepository(transaction.db()).retireForUser(user->id, m_clock.now());
        !retired)
        return retired.error();
    auto url = insertLink(transaction.db(), user->id, caller.userId);
    if (!url)
        return url.error();
    AuditEntry entry
        = userAuditEntry(u"user.password_link_created"_s, *user, caller.userId, clientAddress);
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return *url;
}

Result<QString> UserService::insertLink(QSqlDatabase db, const QString &userId,
                                        const QString &actorId)
{
    const QString token = crypto::randomToken(u"qpwl_");
    PasswordLinkRecord link;
    link.tokenHash = TokenService::hashSecret(token.toLatin1());
    link.userId = userId;
    link.createdBy = actorId;
    link.createdAt = m_clock.now();
    link.expiresAt = link.createdAt.addSecs(m_settings.passwordLinkTtlSeconds);
    if (const Status inserted = PasswordLinkRepository(std::move(db)).insert(link); !inserted)
        return inserted.error();
    QString base = m_settings.publicUrl;
    while (base.endsWith(u'/'))
        base.chop(1);
    return base + u"/set-password?token="_s + token;
}

Status UserService::changeOwnPassword(const Credential &caller, const QString &currentPassword,
                                      const QString &newPassword, const QString &clientAddress,
                                      int *retryAfterSeconds)
{
    if (const auto problem = passwordProblem(newPassword))
        return Error::validation(u"new_password"_s, *problem);
    DirectoryRepository directory(m_database.connection());
    const auto user = directory.userById(caller.userId);
    if (!user || user->disabled)
        return noSuchUser();

    // The current password is guessed no faster here than on the sign-in page.
    const auto workspace = directory.workspaceById(user->workspaceId);
    const QString workspaceName = workspace ? workspace->name : QString();
    if (const auto wait = m_sessions.signInRetryAfter(workspaceName, user->name, clientAddress)) {
        if (retryAfterSeconds)
            *retryAfterSeconds = *wait;
        return Error{ErrorCode::RateLimited,
                     u"Too many wrong passwords; try again in %1 s."_s.arg(*wait)};
    }
    if (user->passwordHash.isEmpty()
        || !crypto::password::verify(currentPassword, user->passwordHash)) {
        m_sessions.recordPasswordFailure(user->workspaceId, user->id, workspaceName, user->name,
                                         clientAddress);
        return Error::validation(u"current_password"_s, u"is not your current password"_s);
    }
    const QByteArray hash = crypto::password::hash(newPassword);

    Database::WriteTransaction transaction(m_database);
    if (const Status set = DirectoryRepository(transaction.db()).setPasswordHash(user->id, hash);
        !set)
        return set;
    auto sessions = m_sessions.revokeForUser(transaction.db(), user->id);
    if (!sessions)
        return sessions.error();
    AuditEntry entry
        = userAuditEntry(u"user.password_changed"_s, *user, caller.userId, clientAddress);
    entry.detail = {{u"sessions_revoked"_s, *sessions}};
    m_audit.record(entry, transaction.db());
    return transaction.commit();
}

std::optional<User> UserService::userForLink(const QString &token)
{
    if (token.isEmpty() || token.size() > 256)
        return std::nullopt;
    QSqlDatabase db = m_database.connection();
    const auto link = PasswordLinkRepository(db).byHash(TokenService::hashSecret(token.toUtf8()));
    if (!link || link->usedAt.isValid() || link->expiresAt <= m_clock.now())
        return std::nullopt;
    const auto user = DirectoryRepository(db).userById(link->userId);
    if (!user || user->disabled)
        return std::nullopt;
    return user;
}

Status UserService::setPasswordWithLink(const QString &token, const QString &newPassword,
                                        const QString &clientAddress)
{
    const auto user = userForLink(token);
    if (!user)
        return Error{ErrorCode::NotFound, u"The link is unknown, used or expired."_s};
    if (const auto problem = passwordProblem(newPassword))
        return Error::validation(u"password"_s, *problem);
    const QByteArray hash = crypto::password::hash(newPassword);

    Database::WriteTransaction transaction(m_database);
    // Marking it used first makes a second, concurrent use of the same link fail.
    const QString tokenHash = TokenService::hashSecret(token.toUtf8());
    if (const Status used
        = PasswordLinkRepository(transaction.db()).markUsed(tokenHash, m_clock.now());
        !used)
        return used;
    if (const Status set = DirectoryRepository(transaction.db()).setPasswordHash(user->id, hash);
        !set)
        return set;
    auto sessions = m_sessions.revokeForUser(transaction.db(), user->id);
    if (!sessions)
        return sessions.error();
    AuditEntry entry = userAuditEntry(u"user.password_set"_s, *user, user->id, clientAddress);
    entry.detail = {{u"sessions_revoked"_s, *sessions}};
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed;
    qCInfo(lcUsers) << "a set-password link was used";
    return success();
}

} // namespace quorum
