#pragma once

#include "core/Result.h"
#include "store/Workspace.h"

#include <QByteArray>
#include <QString>

#include <QSqlDatabase>

#include <memory>
#include <optional>

namespace quorum {

class AuditLog;
class Clock;
class Database;
class RateLimiter;
struct ApiRequest;
struct Settings;

// Who is signed in on a browser page, from the session cookie.
struct SignedInUser
{
    QString sessionId;
    QString userId;
    QString userName;
    QString workspaceId;
    QString workspaceName;
    Role role = Role::Member;
    QByteArray csrfToken; // put in every form of the page as the field `csrf_token`
};

// A session just opened: who, and the cookie value that names it (shown once, never stored).
struct NewBrowserSession
{
    SignedInUser user;
    QByteArray token;
};

// The signed-in side of the server-rendered pages (/signin, /signout, /set-password, the
// OAuth consent page): a random session token in an HttpOnly, SameSite=Lax cookie (Secure
// over TLS), stored as its SHA-256; CSRF tokens bound to the session; failed sign-ins rate
// limited and audited. Thread-safe.
class BrowserSessions final
{
public:
    BrowserSessions(Database &database, const Clock &clock, AuditLog &audit,
                    const Settings &settings);
    ~BrowserSessions();
    Q_DISABLE_COPY_MOVE(BrowserSessions)

    // The user signed in by the request's cookie; nothing when the cookie is absent, unknown,
    // expired or revoked, or the user is disabled.
    std::optional<SignedInUser> signedIn(const ApiRequest &request);

    // Whether a form's `csrf_token` field belongs to this session.
    bool csrfMatches(const SignedInUser &user, const QString &formToken) const;

    // The sign-in page that returns to `next` (a path and query on this server) afterwards.
    static QString signInPath(const QString &next);

    // The name of the session cookie.
    static constexpr QByteArrayView kCookieName = "quorum_session";
    // The name of the sign-in form's double-submit CSRF cookie.
    static constexpr QByteArrayView kSignInCsrfCookieName = "quorum_signin_csrf";

    // Checks a workspace, user name and password (scrypt) and opens a session. Every refusal
    // is the same neutral Unauthorized, whatever the reason (unknown workspace or user, wrong
    // password, disabled user), and is audited as auth.signin_failed and counted against the
    // client address and the user name; RateLimited once either has too many failures.
    Result<NewBrowserSession> signIn(const QString &workspaceName, const QString &userName,
                                     const QString &password, const QString &clientAddress);

    // Seconds until a sign-in from this address for this user may be tried again; nothing
    // when it may be tried now.
    std::optional<int> signInRetryAfter(const QString &workspaceName, const QString &userName,
                                        const QString &clientAddress) const;

    // A password checked outside the sign-in page (changing one's own password) shares the
    // sign-in limits: a wrong one counts as a failed sign-in and is audited as one.
    void recordPasswordFailure(const QString &workspaceId, const QString &userId,
                               const QString &workspaceName, const QString &userName,
                               const QString &clientAddress);

    // Ends the session (audited as auth.signout).
    Status signOut(const SignedInUser &user, const QString &clientAddress);

    // Revokes all the user's sessions inside the caller's transaction (disabled user, new
    // password); how many were live.
    Result<int> revokeForUser(QSqlDatabase db, const QString &userId) const;

    // Set-Cookie values: the session cookie, its removal, the sign-in CSRF cookie.
    QByteArray sessionCookie(const QByteArray &token) const;
    QByteArray clearedSessionCookie() const;
    QByteArray signInCsrfCookie(const QByteArray &token) const;

    // Whether cookies carry Secure: the server serves TLS or its public URL is https.
    bool secureCookies() const;

    // A fresh random value for the sign-in form's CSRF field and cookie.
    static QByteArray newSignInCsrfToken();
    // Whether the sign-in form's field equals the request's CSRF cookie (compared in constant
    // time; an empty value never matches).
    static bool signInCsrfMatches(const ApiRequest &request, const QString &formToken);

    // The value of a cookie sent with the request; empty when absent.
    static QByteArray cookie(const ApiRequest &request, QByteArrayView name);

    // A `next` that is a path on this server ("/" and not "//" nor "/\\"); "/" otherwise.
    static QString safeNext(const QString &next);

private:
    QByteArray csrfTokenFor(const QString &sessionId, const QString &csrfSecret) const;
    QByteArray cookieAttributes(int maxAgeSeconds, QByteArrayView sameSite,
                                QByteArrayView path) const;
    void recordFailure(const QString &workspaceId, const QString &userId,
                       const QString &workspaceName, const QString &userName, const QString &reason,
                       const QString &clientAddress);

    Database &m_database;
    const Clock &m_clock;
    AuditLog &m_audit;
    const Settings &m_settings;
    std::unique_ptr<RateLimiter> m_failures; // failed sign-ins, by address and by user name
};

} // namespace quorum
