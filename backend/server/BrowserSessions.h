#pragma once

#include "core/Result.h"
#include "store/Workspace.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace quorum {

class AuditLog;
class Clock;
class Database;
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

// The signed-in side of the server-rendered pages (/signin, /signout, /set-password, the
// OAuth consent page): a random session token in an HttpOnly, SameSite=Lax cookie (Secure
// over TLS), stored as its SHA-256; CSRF tokens bound to the session; failed sign-ins rate
// limited and audited. Thread-safe.
class BrowserSessions final
{
public:
    BrowserSessions(Database &database, const Clock &clock, AuditLog &audit,
                    const Settings &settings);

    // The user signed in by the request's cookie; nothing when the cookie is absent, unknown,
    // expired or revoked, or the user is disabled.
    std::optional<SignedInUser> signedIn(const ApiRequest &request);

    // Whether a form's `csrf_token` field belongs to this session.
    bool csrfMatches(const SignedInUser &user, const QString &formToken) const;

    // The sign-in page that returns to `next` (a path and query on this server) afterwards.
    static QString signInPath(const QString &next);

    // The name of the session cookie.
    static constexpr QByteArrayView kCookieName = "quorum_session";
};

} // namespace quorum
