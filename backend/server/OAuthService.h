#pragma once

#include "OAuthError.h"
#include "core/Result.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace quorum {

class AuditLog;
class Clock;
class Database;
class TokenService;

// A client the authorization server knows: a registered app, or the built-in `quorum-desktop`.
struct OAuthClient
{
    QString clientId;
    QString appId; // empty for the built-in client
    QString workspaceId; // the registering workspace; empty for the built-in client
    QString name;
    QString description;
    bool confidential = false;
    bool builtIn = false;
    QString secretHash;
    QStringList redirectUris;
    QStringList scopes; // what the app may ask for
};

// The parameters of an authorization request (RFC 6749 section 4.1.1, RFC 7636 section 4.3).
struct AuthorizeRequest
{
    QString clientId;
    QString redirectUri;
    QString responseType;
    std::optional<QString> scope;
    QString state;
    QString codeChallenge;
    std::optional<QString> codeChallengeMethod;
};

// Who consents, and where.
struct Consenter
{
    QString userId;
    QString workspaceId;
};

// What a consent would grant: the scopes, in our canonical order.
struct AuthorizeGrant
{
    QStringList scopes;
};

// A successful token response (RFC 6749 section 5.1).
struct TokenGrant
{
    QString accessToken;
    QString refreshToken; // empty when none is issued (client credentials)
    QStringList scopes;
    qint64 expiresIn = 0;
};

// The authorization server (DESIGN.md *OAuth 2 and the app marketplace*): authorization codes
// with PKCE (S256 only), refresh tokens that rotate on every use and whose reuse revokes their
// family, client credentials for installed apps, revocation (RFC 7009) and introspection
// (RFC 7662). Every secret it hands out is random and stored as its SHA-256. The pages and the
// wire shapes are OAuthHandlers'; this decides. Thread-safe.
class OAuthService final
{
public:
    static constexpr qint64 kCodeSeconds = 60;
    static constexpr qint64 kAccessSeconds = 3600;
    static constexpr qint64 kRefreshSeconds = 30 * 24 * 3600;
    static constexpr QStringView kDesktopClientId = u"quorum-desktop";

    OAuthService(Database &database, const Clock &clock, AuditLog &audit, TokenService &tokens);

    std::optional<OAuthClient> client(const QString &clientId);
    // Exact string match against the registered URIs; the built-in client's loopback
    // callback on any port (RFC 8252 section 7.3).
    static bool redirectAllowed(const OAuthClient &client, const QString &redirectUri);

    // The checks that need no user: response type, PKCE, the scope's syntax. The client and
    // redirect URI are already trusted.
    std::optional<OAuthError> checkRequest(const OAuthClient &client,
                                           const AuthorizeRequest &request) const;
    // The checks that need the user: the app's installation in the user's workspace and the
    // scopes it was granted there.
    OAuthResult<AuthorizeGrant> checkGrant(const OAuthClient &client,
                                           const AuthorizeRequest &request,
                                           const Consenter &consenter);
    // Records the consent and returns a fresh authorization code.
    OAuthResult<QString> issueCode(const OAuthClient &client, const AuthorizeRequest &request,
                                   const Consenter &consenter, const QStringList &scopes,
                                   const QString &clientAddress);

    // Client authentication at the token, revocation and introspection endpoints: HTTP Basic
    // (its value, if any) or client_id and client_secret in the form.
    OAuthResult<OAuthClient> authenticateClient(const QByteArray &authorization,
                                                const QHash<QString, QString> &form);
    // The token endpoint for an authenticated client.
    OAuthResult<TokenGrant> token(const OAuthClient &client, const QHash<QString, QString> &form,
                                  const QString &clientAddress);
    // RFC 7009: unknown tokens and other clients' tokens are answered like revoked ones.
    void revoke(const OAuthClient &client, const QString &token, const QString &hint);
    // RFC 7662: {"active": false} for anything inactive or not the client's.
    QJsonObject introspect(const OAuthClient &client, const QString &token);

    // Scopes in the canonical order of auth/Scopes.h.
    static QStringList canonical(const QStringList &scopes);

private:
    OAuthResult<TokenGrant> redeemCode(const OAuthClient &client,
                                       const QHash<QString, QString> &form,
                                       const QString &clientAddress);
    OAuthResult<TokenGrant> refresh(const OAuthClient &client, const QHash<QString, QString> &form,
                                    const QString &clientAddress);
    OAuthResult<TokenGrant> clientCredentials(const OAuthClient &client,
                                              const QHash<QString, QString> &form);

    Database &m_database;
    const Clock &m_clock;
    AuditLog &m_audit;
    TokenService &m_tokens;
};

} // namespace quorum
