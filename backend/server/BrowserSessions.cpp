#include "BrowserSessions.h"

#include "Settings.h"
#include "auth/AuditLog.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Hashing.h"
#include "crypto/PasswordHash.h"
#include "crypto/Random.h"
#include "http/ApiRequest.h"
#include "http/RateLimiter.h"
#include "store/BrowserSessionRepository.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcSessions, "quorum.auth.sessions")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

Error refused()
{
    return {ErrorCode::Unauthorized, u"The workspace, user name or password is wrong."_s};
}

// A hash to check passwords against when the user does not exist, so that an unknown user
// costs the same scrypt time as a wrong password and timing does not reveal user names.
const QByteArray &decoyHash()
{
    static const QByteArray hash
        = crypto::password::hash(QString::fromLatin1(crypto::randomBytes(16).toHex()));
    return hash;
}

QString addressKey(const QString &clientAddress)
{
    return u"signin-addr:"_s + clientAddress;
}

QString userKey(const QString &workspaceName, const QString &userName)
{
    // The exact spelling, as names compare case-sensitively everywhere else.
    return u"signin-user:%1|%2"_s.arg(workspaceName, userName);
}

} // namespace

BrowserSessions::BrowserSessions(Database &database, const Clock &clock, AuditLog &audit,
                                 const Settings &settings)
    : m_database(database)
    , m_clock(clock)
    , m_audit(audit)
    , m_settings(settings)
    , m_failures(std::make_unique<RateLimiter>(clock, settings.signinWindowSeconds))
{ }

BrowserSessions::~BrowserSessions() = default;

std::optional<SignedInUser> BrowserSessions::signedIn(const ApiRequest &request)
{
    const QByteArray token = cookie(request, kCookieName);
    if (token.isEmpty() || token.size() > 256)
        return std::nullopt;

    QSqlDatabase db = m_database.connection();
    const auto session = BrowserSessionRepository(db).byHash(TokenService::hashSecret(token));
    if (!session || session->revokedAt.isValid() || session->expiresAt <= m_clock.now())
        return std::nullopt;
    DirectoryRepository directory(db);
    const auto user = directory.userById(session->userId);
    if (!user || user->disabled)
        return std::nullopt;
    const auto workspace = directory.workspaceById(session->workspaceId);

    SignedInUser signedInUser;
    signedInUser.sessionId = session->id;
    signedInUser.userId = user->id;
    signedInUser.userName = user->name;
    signedInUser.workspaceId = session->workspaceId;
    signedInUser.workspaceName = workspace ? workspace->name : QString();
    signedInUser.role = user->role;
    signedInUser.csrfToken = csrfTokenFor(session->id, session->csrfSecret);
    return signedInUser;
}

bool BrowserSessions::csrfMatches(const SignedInUser &user, const QString &formToken) const
{
    if (user.csrfToken.isEmpty() || formToken.isEmpty())
        return false;
    return crypto::constantTimeEquals(user.csrfToken, formToken.toUtf8());
}

QString BrowserSessions::signInPath(const QString &next)
{
    return u"/signin?next="_s + QString::fromLatin1(QUrl::toPercentEncoding(safeNext(next), "/"));
}

Result<NewBrowserSession> BrowserSessions::signIn(const QString &workspaceName,
                                                  const QString &userName, const QString &password,
                                                  const QString &clientAddress)
{
    if (signInRetryAfter(workspaceName, userName, clientAddress))
        return Error{ErrorCode::RateLimited, u"Too many failed sign-ins; try again later."_s};

    DirectoryRepository directory(m_database.connection());
    const auto workspace = directory.workspaceByName(workspaceName);
    const auto user = workspace ? directory.userByName(workspace->id, userName) : std::nullopt;
    const bool hasPassword = user && !user->passwordHash.isEmpty();
    // Always pay for one scrypt, so that every refusal takes as long as a wrong password.
    const bool passwordOk
        = crypto::password::verify(password, hasPassword ? user->passwordHash : decoyHash())
        && hasPassword;
    if (!user || !passwordOk || user->disabled) {
        const QString reason = !user ? u"unknown_user"_s
            : !passwordOk            ? u"wrong_password"_s
                                     : u"disabled"_s;
        recordFailure(workspace ? workspace->id : QString(), user ? user->id : QString(),
                      workspaceName, userName, reason, clientAddress);
        return refused();
    }

    NewBrowserSession created;
    created.token = crypto::randomToken(u"qses_").toLatin1();
    BrowserSessionRecord record;
    record.id = ids::generate(u"ses");
    record.tokenHash = TokenService::hashSecret(created.token);
    record.userId = user->id;
    record.workspaceId = workspace->id;
    record.csrfSecret = QString::fromLatin1(crypto::randomBytes(32).toHex());
    record.createdAt = m_clock.now();
    record.expiresAt = record.createdAt.addSecs(m_settings.sessionTtlSeconds);

    Database::WriteTransaction transaction(m_database);
    if (const Status inserted = BrowserSessionRepository(transaction.db()).insert(record);
        !inserted)
        return inserted.error();
    AuditEntry entry;
    entry.workspaceId = workspace->id;
    entry.action = u"auth.signin"_s;
    entry.actorId = user->id;
    entry.subjectUserId = user->id;
    entry.targetId = record.id;
    entry.clientAddress = clientAddress;
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();

    created.user.sessionId = record.id;
    created.user.userId = user->id;
    created.user.userName = user->name;
    created.user.workspaceId = workspace->id;
    created.user.workspaceName = workspace->name;
    created.user.role = user->role;
    created.user.csrfToken = csrfTokenFor(record.id, record.csrfSecret);
    return created;
}

std::optional<int> BrowserSessions::signInRetryAfter(const QString &workspaceName,
                                                     const QString &userName,
                                                     const QString &clientAddress) const
{
    const int limit = m_settings.signinMaxFailures;
    const RateLimiter::Decision byAddress = m_failures->check(addressKey(clientAddress), limit);
    const RateLimiter::Decision byUser = m_failures->check(userKey(workspaceName, userName), limit);
    if (byAddress.allowed && byUser.allowed)
        return std::nullopt;
    int wait = 0;
    if (!byAddress.allowed)
        wait = byAddress.resetSeconds;
    if (!byUser.allowed)
        wait = std::max(wait, byUser.resetSeconds);
    return std::max(wait, 1);
}

void BrowserSessions::recordPasswordFailure(const QString &workspaceId, const QString &userId,
                                            const QString &workspaceName, const QString &userName,
                                            const QString &clientAddress)
{
    recordFailure(workspaceId, userId, workspaceName, userName, u"wrong_current_password"_s,
                  clientAddress);
}

void BrowserSessions::recordFailure(const QString &workspaceId, const QString &userId,
                                    const QString &workspaceName, const QString &userName,
                                    const QString &reason, const QString &clientAddress)
{
    m_failures->hit(addressKey(clientAddress), m_settings.signinMaxFailures);
    m_failures->hit(userKey(workspaceName, userName), m_settings.signinMaxFailures);

    // The names typed are kept (cut short) so an admin can see what was tried; the password
    // never is.
    AuditEntry entry;
    entry.workspaceId = workspaceId;
    entry.action = u"auth.signin_failed"_s;
    entry.subjectUserId = userId;
    entry.clientAddress = clientAddress;
    entry.detail = {{u"workspace"_s, workspaceName.left(100)},
                    {u"user_name"_s, userName.left(100)},
                    {u"reason"_s, reason}};
    m_audit.record(entry);
    qCInfo(lcSessions) << "refused a sign-in:" << reason;
}

Status BrowserSessions::signOut(const SignedInUser &user, const QString &clientAddress)
{
    Database::WriteTransaction transaction(m_database);
    if (const Status revoked
        = BrowserSessionRepository(transaction.db()).revoke(user.sessionId, m_clock.now());
        !revoked)
        return revoked;
    AuditEntry entry;
    entry.workspaceId = user.workspaceId;
    entry.action = u"auth.signout"_s;
    entry.actorId = user.userId;
    entry.subjectUserId = user.userId;
    entry.targetId = user.sessionId;
    entry.clientAddress = clientAddress;
    m_audit.record(entry, transaction.db());
    return transaction.commit();
}

Result<int> BrowserSessions::revokeForUser(QSqlDatabase db, const QString &userId) const
{
    return BrowserSessionRepository(std::move(db)).revokeForUser(userId, m_clock.now());
}

QByteArray BrowserSessions::sessionCookie(const QByteArray &token) const
{
    return kCookieName.toByteArray() + '=' + token
        + cookieAttributes(m_settings.sessionTtlSeconds, "Lax", "/");
}

QByteArray BrowserSessions::clearedSessionCookie() const
{
    return kCookieName.toByteArray() + '=' + cookieAttributes(0, "Lax", "/");
}

QByteArray BrowserSessions::signInCsrfCookie(const QByteArray &token) const
{
    // Only the sign-in form reads it; an hour is plenty to fill the form in.
    return kSignInCsrfCookieName.toByteArray() + '=' + token
        + cookieAttributes(3600, "Strict", "/signin");
}

bool BrowserSessions::secureCookies() const
{
    return !m_settings.tlsCertFile.isEmpty()
        || m_settings.publicUrl.startsWith(u"https://"_s, Qt::CaseInsensitive);
}

QByteArray BrowserSessions::newSignInCsrfToken()
{
    return crypto::base64UrlEncode(crypto::randomBytes(24));
}

bool BrowserSessions::signInCsrfMatches(const ApiRequest &request, const QString &formToken)
{
    const QByteArray expected = cookie(request, kSignInCsrfCookieName);
    if (expected.isEmpty() || formToken.isEmpty())
        return false;
    return crypto::constantTimeEquals(expected, formToken.toUtf8());
}

QByteArray BrowserSessions::cookie(const ApiRequest &request, QByteArrayView name)
{
    // Browsers send one Cookie header of "a=1; b=2" pairs. A name sent twice (a cookie
    // tossed in by a sibling subdomain) makes the value ambiguous: take none.
    QByteArray found;
    const QList<QByteArray> pairs = request.header("cookie").split(';');
    for (const QByteArray &pair : pairs) {
        const QByteArray trimmed = pair.trimmed();
        const qsizetype equals = trimmed.indexOf('=');
        if (equals <= 0 || trimmed.left(equals) != name)
            continue;
        if (!found.isEmpty())
            return {};
        found = trimmed.mid(equals + 1);
    }
    return found;
}

QString BrowserSessions::safeNext(const QString &next)
{
    // Browsers drop tabs and newlines inside URLs and read '\' as '/', so "/\t/evil" and
    // "/\evil" would leave the site; refuse every control character and backslash.
    if (!next.startsWith(u'/') || next.startsWith(u"//"_s) || next.size() > 2048)
        return u"/"_s;
    for (const QChar c : next) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == u'\\')
            return u"/"_s;
    }
    return next;
}

QByteArray BrowserSessions::csrfTokenFor(const QString &sessionId, const QString &csrfSecret) const
{
    return crypto::base64UrlEncode(
        crypto::hmacSha256(csrfSecret.toLatin1(), "csrf|" + sessionId.toLatin1()));
}

QByteArray BrowserSessions::cookieAttributes(int maxAgeSeconds, QByteArrayView sameSite,
                                             QByteArrayView path) const
{
    QByteArray attributes = "; Path=" + path.toByteArray() + "; Max-Age="
        + QByteArray::number(maxAgeSeconds) + "; HttpOnly; SameSite=" + sameSite.toByteArray();
    if (secureCookies())
        attributes += "; Secure";
    return attributes;
}

} // namespace quorum
