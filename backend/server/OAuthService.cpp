#include "OAuthService.h"

#include "auth/AuditLog.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Hashing.h"
#include "crypto/Random.h"
#include "store/AppRepository.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"
#include "store/OAuthRepository.h"
#include "store/TokenRepository.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcOAuth, "quorum.oauth")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

OAuthError invalidRequest(const QString &description)
{
    return {u"invalid_request"_s, description};
}

OAuthError invalidGrant(const QString &description)
{
    return {u"invalid_grant"_s, description};
}

OAuthError invalidScope(const QString &description)
{
    return {u"invalid_scope"_s, description};
}

OAuthError invalidClient(const QString &description)
{
    return {u"invalid_client"_s, description, 401};
}

// RFC 7636 section 4.1: 43 to 128 unreserved characters.
bool isWellFormedVerifier(const QString &verifier)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9._~-]{43,128}$"_s);
    return pattern.match(verifier).hasMatch();
}

// An S256 challenge is the base64url of a SHA-256: 43 characters, no padding.
bool isWellFormedChallenge(const QString &challenge)
{
    static const QRegularExpression pattern(u"^[A-Za-z0-9_-]{43}$"_s);
    return pattern.match(challenge).hasMatch();
}

QStringList splitScope(const QString &text)
{
    QStringList list = text.split(u' ', Qt::SkipEmptyParts);
    list.removeDuplicates();
    return list;
}

std::optional<OAuthError> unknownScope(const QStringList &asked)
{
    for (const QString &scope : asked) {
        if (!scopes::isKnown(scope))
            return invalidScope(u"Unknown scope %1."_s.arg(scope));
    }
    return std::nullopt;
}

// The `scope` parameter of a token request: nothing when absent or blank (the grant keeps its
// scopes), else the scopes asked, every one of them known.
OAuthResult<std::optional<QStringList>> scopeParameter(const QHash<QString, QString> &form)
{
    const QString text = form.value(u"scope"_s);
    if (text.trimmed().isEmpty())
        return std::optional<QStringList>();
    const QStringList asked = splitScope(text);
    if (const auto unknown = unknownScope(asked))
        return *unknown;
    return std::optional<QStringList>(asked);
}

// The first asked scope outside `allowed`, if any.
std::optional<QString> outside(const QStringList &asked, const QStringList &allowed)
{
    for (const QString &scope : asked) {
        if (!allowed.contains(scope))
            return scope;
    }
    return std::nullopt;
}

QString hashOf(const QString &secret)
{
    return TokenService::hashSecret(secret.toUtf8());
}

// The token endpoint's form values, decoded from an HTTP Basic header (RFC 6749 section
// 2.3.1: each part is form-urlencoded before it is joined).
QString formDecode(const QByteArray &encoded)
{
    QByteArray bytes = encoded;
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

} // namespace

OAuthService::OAuthService(Database &database, const Clock &clock, AuditLog &audit,
                           TokenService &tokens)
    : m_database(database)
    , m_clock(clock)
    , m_audit(audit)
    , m_tokens(tokens)
{ }

QStringList OAuthService::canonical(const QStringList &list)
{
    QStringList ordered;
    for (const QString &scope : scopes::all()) {
        if (list.contains(scope))
            ordered << scope;
    }
    return ordered;
}

std::optional<OAuthClient> OAuthService::client(const QString &clientId)
{
    OAuthClient client;
    if (clientId == kDesktopClientId) {
        client.clientId = clientId;
        client.name = u"Quorum desktop"_s;
        client.description = u"The Quorum desktop app on this computer."_s;
        client.builtIn = true;
        client.scopes = scopes::all();
        return client;
    }
    if (clientId.isEmpty())
        return std::nullopt;
    const auto app = AppRepository(m_database.connection()).byClientId(clientId);
    if (!app)
        return std::nullopt;
    client.clientId = app->clientId;
    client.appId = app->id;
    client.workspaceId = app->workspaceId;
    client.name = app->name;
    client.description = app->description;
    client.confidential = app->isConfidential();
    client.secretHash = app->clientSecretHash;
    client.redirectUris = app->redirectUris;
    client.scopes = app->scopes;
    return client;
}

bool OAuthService::redirectAllowed(const OAuthClient &client, const QString &redirectUri)
{
    if (client.builtIn) {
        static const QRegularExpression loopback(
            u"^http://(127\\.0\\.0\\.1|\\[::1\\]):([1-9][0-9]{0,4})/callback$"_s);
        const auto match = loopback.match(redirectUri);
        return match.hasMatch() && match.captured(2).toInt() <= 65535;
    }
    return client.redirectUris.contains(redirectUri);
}

std::optional<OAuthError> OAuthService::checkRequest(const OAuthClient &client,
                                                     const AuthorizeRequest &request) const
{
    if (request.responseType != u"code")
        return OAuthError{u"unsupported_response_type"_s,
                          u"Only response_type=code is supported."_s};

    // PKCE: S256 only, never a silent default to plain (C14).
    if (!request.codeChallenge.isEmpty()) {
        if (!request.codeChallengeMethod)
            return invalidRequest(
                u"code_challenge_method is required with a code_challenge; use S256."_s);
        if (*request.codeChallengeMethod != u"S256")
            return invalidRequest(u"Only the S256 code_challenge_method is supported."_s);
        if (!isWellFormedChallenge(request.codeChallenge))
            return invalidRequest(
                u"code_challenge must be the 43-character base64url of a SHA-256."_s);
    } else if (request.codeChallengeMethod) {
        return invalidRequest(u"code_challenge_method was sent without a code_challenge."_s);
    } else if (!client.confidential) {
        return invalidRequest(u"Public clients must use PKCE (code_challenge with S256)."_s);
    }

    if (request.scope) {
        const QStringList asked = splitScope(*request.scope);
        if (asked.isEmpty())
            return invalidScope(u"The scope is empty."_s);
        if (const auto unknown = unknownScope(asked))
            return unknown;
        if (const auto extra = outside(asked, client.scopes))
            return invalidScope(u"The app may not ask for %1."_s.arg(*extra));
    }
    return std::nullopt;
}

OAuthResult<AuthorizeGrant> OAuthService::checkGrant(const OAuthClient &client,
                                                     const AuthorizeRequest &request,
                                                     const Consenter &consenter)
{
    QStringList granted = client.scopes;
    if (!client.builtIn) {
        const auto installation = AppRepository(m_database.connection())
                                      .installation(client.appId, consenter.workspaceId);
        if (!installation)
            return OAuthError{u"access_denied"_s,
                              u"The app is not installed in your workspace; an admin of the "
                              "workspace can install it from the marketplace."_s};
        granted = installation->grantedScopes;
    }
    const QStringList asked = request.scope ? splitScope(*request.scope) : granted;
    if (const auto extra = outside(asked, granted))
        return invalidScope(u"Your workspace has not granted the app %1."_s.arg(*extra));
    if (asked.isEmpty())
        return invalidScope(u"Your workspace has granted the app no scopes."_s);
    return AuthorizeGrant{canonical(asked)};
}

OAuthResult<QString> OAuthService::issueCode(const OAuthClient &client,
                                             const AuthorizeRequest &request,
                                             const Consenter &consenter,
                                             const QStringList &scopeList,
                                             const QString &clientAddress)
{
    const QString code = crypto::randomToken(u"qoc_", 32);
    OAuthCode stored;
    stored.codeHash = hashOf(code);
    stored.clientId = client.clientId;
    stored.workspaceId = consenter.workspaceId;
    stored.userId = consenter.userId;
    stored.redirectUri = request.redirectUri;
    stored.scopes = scopeList;
    stored.codeChallenge = request.codeChallenge;
    stored.createdAt = m_clock.now();
    stored.expiresAt = stored.createdAt.addSecs(kCodeSeconds);

    Database::WriteTransaction transaction(m_database);
    if (const Status inserted = OAuthRepository(transaction.db()).insertCode(stored); !inserted)
        return OAuthError{u"server_error"_s, u"The code could not be stored."_s, 500};
    AuditEntry entry;
    entry.workspaceId = consenter.workspaceId;
    entry.action = u"oauth.consented"_s;
    entry.actorId = consenter.userId;
    entry.subjectUserId = consenter.userId;
    entry.targetId = client.appId.isEmpty() ? client.clientId : client.appId;
    entry.clientAddress = clientAddress;
    entry.detail
        = {{u"client_id"_s, client.clientId}, {u"scopes"_s, QJsonArray::fromStringList(scopeList)}};
    m_audit.record(entry, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return OAuthError{u"server_error"_s, u"The code could not be stored."_s, 500};
    return code;
}

OAuthResult<OAuthClient> OAuthService::authenticateClient(const QByteArray &authorization,
                                                          const QHash<QString, QString> &form)
{
    QString clientId = form.value(u"client_id"_s);
    QString secret = form.value(u"client_secret"_s);
    const bool secretInForm = form.contains(u"client_secret"_s);

    const QByteArray trimmed = authorization.trimmed();
    if (!trimmed.isEmpty()) {
        const qsizetype space = trimmed.indexOf(' ');
        if (space < 0 || trimmed.left(space).compare("Basic", Qt::CaseInsensitive) != 0)
            return invalidClient(u"Authenticate with HTTP Basic or in the form."_s);
        const QByteArray decoded = QByteArray::fromBase64(trimmed.mid(space + 1).trimmed());
        const qsizetype colon = decoded.indexOf(':');
        if (colon < 0)
            return invalidClient(u"The Basic credentials are malformed."_s);
        const QString basicId = formDecode(decoded.left(colon));
        if (secretInForm || (!clientId.isEmpty() && clientId != basicId))
            return invalidRequest(u"Use one client authentication method, not two."_s);
        clientId = basicId;
        secret = formDecode(decoded.mid(colon + 1));
    }

    const auto found = client(clientId);
    if (!found) {
        qCWarning(lcOAuth) << "rejected an unknown client";
        return invalidClient(u"Unknown client or wrong client secret."_s);
    }
    if (!found->confidential) {
        if (!secret.isEmpty())
            return invalidClient(u"A public client has no secret."_s);
        return *found;
    }
    if (secret.isEmpty()
        || !crypto::constantTimeEquals(hashOf(secret).toLatin1(), found->secretHash.toLatin1())) {
        qCWarning(lcOAuth) << "rejected a wrong client secret";
        return invalidClient(u"Unknown client or wrong client secret."_s);
    }
    return *found;
}

OAuthResult<TokenGrant> OAuthService::token(const OAuthClient &client,
                                            const QHash<QString, QString> &form,
                                            const QString &clientAddress)
{
    const QString grantType = form.value(u"grant_type"_s);
    if (grantType == u"authorization_code")
        return redeemCode(client, form, clientAddress);
    if (grantType == u"refresh_token")
        return refresh(client, form, clientAddress);
    if (grantType == u"client_credentials")
        return clientCredentials(client, form);
    if (grantType.isEmpty())
        return invalidRequest(u"grant_type is required."_s);
    return OAuthError{u"unsupported_grant_type"_s,
                      u"Use authorization_code, refresh_token or client_credentials."_s};
}

namespace {

struct Issued
{
    TokenGrant grant;
    QString accessId;
};

// An opaque access token (and a refresh token when `refresh` is set) in the caller's
// transaction.
OAuthResult<Issued> issue(QSqlDatabase db, const Clock &clock, const OAuthClient &client,
                          const QString &workspaceId, const QString &userId,
                          const QStringList &accessScopes, const RefreshToken *refresh)
{
    const QDateTime now = clock.now();
    Issued issued;
    issued.grant.accessToken = crypto::randomToken(u"qoat_", 32);
    issued.grant.scopes = accessScopes;
    issued.grant.expiresIn = OAuthService::kAccessSeconds;

    AccessTokenRecord access;
    access.id = ids::generate(u"tok");
    access.tokenHash = hashOf(issued.grant.accessToken);
    access.kind = u"oauth"_s;
    access.workspaceId = workspaceId;
    access.userId = userId;
    access.clientId = client.clientId;
    access.name = client.name;
    access.scopes = accessScopes;
    access.firstParty = client.builtIn;
    access.createdAt = now;
    access.expiresAt = now.addSecs(OAuthService::kAccessSeconds);
    if (refresh) {
        issued.grant.refreshToken = crypto::randomToken(u"qort_", 32);
        RefreshToken stored = *refresh;
        stored.id = ids::generate(u"rt");
        stored.tokenHash = hashOf(issued.grant.refreshToken);
        stored.clientId = client.clientId;
        stored.workspaceId = workspaceId;
        stored.userId = userId;
        stored.createdAt = now;
        stored.expiresAt = now.addSecs(OAuthService::kRefreshSeconds);
        stored.rotatedAt = QDateTime();
        stored.revokedAt = QDateTime();
        if (!OAuthRepository(db).insertRefresh(stored))
            return OAuthError{u"server_error"_s, u"The token could not be stored."_s, 500};
        access.familyId = stored.familyId;
    }
    if (!TokenRepository(db).insert(access))
        return OAuthError{u"server_error"_s, u"The token could not be stored."_s, 500};
    issued.accessId = access.id;
    return issued;
}

// Whether the user may still be issued tokens: active, and (for an app) the app still
// installed in the workspace.
std::optional<OAuthError> stillAllowed(QSqlDatabase db, const OAuthClient &client,
                                       const QString &workspaceId, const QString &userId)
{
    const auto user = DirectoryRepository(db).userById(userId);
    if (!user || user->disabled || user->workspaceId != workspaceId)
        return invalidGrant(u"The user of this grant is no longer active."_s);
    if (!client.builtIn && !AppRepository(db).installation(client.appId, workspaceId))
        return invalidGrant(u"The app is no longer installed in the workspace."_s);
    return std::nullopt;
}

} // namespace

OAuthResult<TokenGrant> OAuthService::redeemCode(const OAuthClient &client,
                                                 const QHash<QString, QString> &form,
                                                 const QString &clientAddress)
{
    const QString code = form.value(u"code"_s);
    if (code.isEmpty())
        return invalidRequest(u"code is required."_s);
    const QString verifier = form.value(u"code_verifier"_s);
    const bool verifierSent = form.contains(u"code_verifier"_s);

    Database::WriteTransaction transaction(m_database);
    OAuthRepository oauth(transaction.db());
    const QDateTime now = m_clock.now();
    const auto stored = oauth.codeByHash(hashOf(code));
    if (!stored || stored->clientId != client.clientId)
        return invalidGrant(u"The code is invalid, expired or spent."_s);

    // Spent first, whatever follows: a code that fails a check cannot be tried again.
    const auto spent = oauth.spendCode(stored->codeHash, now);
    if (!spent)
        return OAuthError{u"server_error"_s, spent.error().detail, 500};
    QStringList revokedHashes;
    auto outcome = [&]() -> OAuthResult<TokenGrant> {
        if (!*spent) {
            // RFC 6749 section 4.1.2: a code used twice revokes what it gave.
            auto revoked = oauth.revokeFromCode(stored->codeHash, now);
            if (revoked)
                revokedHashes = *revoked;
            AuditEntry entry;
            entry.workspaceId = stored->workspaceId;
            entry.action = u"oauth.code_reused"_s;
            entry.subjectUserId = stored->userId;
            entry.detail = {{u"client_id"_s, client.clientId}};
            m_audit.record(entry, transaction.db());
            qCWarning(lcOAuth) << "an authorization code was presented twice";
            return invalidGrant(u"The code is invalid, expired or spent."_s);
        }
        if (stored->expiresAt <= now)
            return invalidGrant(u"The code is invalid, expired or spent."_s);
        if (!form.contains(u"redirect_uri"_s))
            return invalidRequest(u"redirect_uri is required."_s);
        if (form.value(u"redirect_uri"_s) != stored->redirectUri)
            return invalidGrant(u"redirect_uri differs from the authorization request's."_s);
        if (verifierSent && !isWellFormedVerifier(verifier))
            return invalidRequest(u"code_verifier must be 43 to 128 unreserved characters."_s);
        if (stored->codeChallenge.isEmpty()) {
            if (verifierSent)
                return invalidGrant(
                    u"The authorization request had no code_challenge; a code_verifier "
                    "cannot match it."_s);
        } else {
            if (!verifierSent)
                return invalidGrant(u"code_verifier is missing."_s);
            const QByteArray computed = crypto::base64UrlEncode(crypto::sha256(verifier.toUtf8()));
            if (!crypto::constantTimeEquals(computed, stored->codeChallenge.toLatin1()))
                return invalidGrant(u"code_verifier does not match the code_challenge."_s);
        }
        if (const auto refused
            = stillAllowed(transaction.db(), client, stored->workspaceId, stored->userId))
            return *refused;

        RefreshToken family;
        family.familyId = ids::generate(u"fam");
        family.scopes = stored->scopes;
        family.codeHash = stored->codeHash;
        auto issued = issue(transaction.db(), m_clock, client, stored->workspaceId, stored->userId,
                            stored->scopes, &family);
        if (!issued)
            return issued.error();
        return issued->grant;
    }();

    if (const Status committed = transaction.commit(); !committed)
        return OAuthError{u"server_error"_s, committed.error().detail, 500};
    m_tokens.dropCached(revokedHashes);
    Q_UNUSED(clientAddress)
    return outcome;
}

OAuthResult<TokenGrant> OAuthService::refresh(const OAuthClient &client,
                                              const QHash<QString, QString> &form,
                                              const QString &clientAddress)
{
    const QString presented = form.value(u"refresh_token"_s);
    if (presented.isEmpty())
        return invalidRequest(u"refresh_token is required."_s);
    const auto askedScopes = scopeParameter(form);
    if (!askedScopes)
        return askedScopes.error();
    const std::optional<QStringList> &asked = *askedScopes;

    Database::WriteTransaction transaction(m_database);
    OAuthRepository oauth(transaction.db());
    const QDateTime now = m_clock.now();
    const auto stored = oauth.refreshByHash(hashOf(presented));
    if (!stored || stored->clientId != client.clientId || stored->revokedAt.isValid())
        return invalidGrant(u"The refresh token is invalid, expired or revoked."_s);

    QStringList revokedHashes;
    auto outcome = [&]() -> OAuthResult<TokenGrant> {
        auto compromised = [&]() -> OAuthResult<TokenGrant> {
            // A rotated token presented again: either its holder or a thief refreshed first,
            // and nothing tells which, so the whole family ends (RFC 9700 section 4.14.2).
            if (auto revoked = oauth.revokeFamily(stored->familyId, now))
                revokedHashes = *revoked;
            AuditEntry entry;
            entry.workspaceId = stored->workspaceId;
            entry.action = u"oauth.refresh_token_reused"_s;
            entry.subjectUserId = stored->userId;
            entry.targetId = stored->familyId;
            entry.clientAddress = clientAddress;
            entry.detail = {{u"client_id"_s, client.clientId}, {u"family_id"_s, stored->familyId}};
            m_audit.record(entry, transaction.db());
            qCWarning(lcOAuth) << "a rotated refresh token was presented again; family revoked";
            return invalidGrant(u"The refresh token is invalid, expired or revoked."_s);
        };
        if (stored->rotatedAt.isValid())
            return compromised();
        if (stored->expiresAt <= now)
            return invalidGrant(u"The refresh token is invalid, expired or revoked."_s);
        if (asked) {
            if (const auto extra = outside(*asked, stored->scopes))
                return invalidScope(
                    u"%1 was not granted; a refresh may narrow the scope, never widen it."_s.arg(
                        *extra));
        }
        if (const auto refused
            = stillAllowed(transaction.db(), client, stored->workspaceId, stored->userId))
            return *refused;

        const auto rotated = oauth.rotate(stored->id, now);
        if (!rotated)
            return OAuthError{u"server_error"_s, rotated.error().detail, 500};
        if (!*rotated)
            return compromised();
        auto issued = issue(transaction.db(), m_clock, client, stored->workspaceId, stored->userId,
                            canonical(asked.value_or(stored->scopes)), &*stored);
        if (!issued)
            return issued.error();
        return issued->grant;
    }();

    if (const Status committed = transaction.commit(); !committed)
        return OAuthError{u"server_error"_s, committed.error().detail, 500};
    m_tokens.dropCached(revokedHashes);
    return outcome;
}

OAuthResult<TokenGrant> OAuthService::clientCredentials(const OAuthClient &client,
                                                        const QHash<QString, QString> &form)
{
    if (!client.confidential)
        return OAuthError{u"unauthorized_client"_s,
                          u"Only confidential clients may use client_credentials."_s};
    const auto askedScopes = scopeParameter(form);
    if (!askedScopes)
        return askedScopes.error();
    const std::optional<QStringList> &asked = *askedScopes;

    Database::WriteTransaction transaction(m_database);
    AppRepository apps(transaction.db());
    const QList<AppInstallation> installations = apps.installations(client.appId);
    std::optional<AppInstallation> installation;
    const QString named = form.value(u"workspace"_s);
    if (!named.isEmpty()) {
        DirectoryRepository directory(transaction.db());
        auto workspace = directory.workspaceById(named);
        if (!workspace)
            workspace = directory.workspaceByName(named);
        for (const AppInstallation &candidate : installations) {
            if (workspace && candidate.workspaceId == workspace->id)
                installation = candidate;
        }
        if (!installation)
            return invalidRequest(u"The app is not installed in workspace %1."_s.arg(named));
    } else if (installations.size() == 1) {
        installation = installations.constFirst();
    } else if (installations.isEmpty()) {
        return OAuthError{u"unauthorized_client"_s, u"The app is not installed anywhere."_s};
    } else {
        return invalidRequest(
            u"The app is installed in several workspaces; name one with `workspace`."_s);
    }

    const QStringList granted = installation->grantedScopes;
    if (asked) {
        if (const auto extra = outside(*asked, granted))
            return invalidScope(u"The workspace has not granted the app %1."_s.arg(*extra));
    }
    const QStringList scopeList = canonical(asked.value_or(granted));
    if (scopeList.isEmpty())
        return invalidScope(u"The workspace has granted the app no scopes."_s);
    auto issued = issue(transaction.db(), m_clock, client, installation->workspaceId, QString(),
                        scopeList, nullptr);
    if (!issued)
        return issued.error();
    if (const Status committed = transaction.commit(); !committed)
        return OAuthError{u"server_error"_s, committed.error().detail, 500};
    return issued->grant;
}

void OAuthService::revoke(const OAuthClient &client, const QString &token, const QString &hint)
{
    if (token.isEmpty())
        return;
    const QString hash = hashOf(token);
    Database::WriteTransaction transaction(m_database);
    OAuthRepository oauth(transaction.db());
    const QDateTime now = m_clock.now();
    QStringList revokedHashes;

    // The hint only orders the lookups (RFC 7009 section 2.1).
    auto tryRefresh = [&] {
        const auto refresh = oauth.refreshByHash(hash);
        if (!refresh || refresh->clientId != client.clientId)
            return false;
        if (auto revoked = oauth.revokeFamily(refresh->familyId, now))
            revokedHashes = *revoked;
        return true;
    };
    auto tryAccess = [&] {
        TokenRepository tokens(transaction.db());
        const auto access = tokens.byHash(hash);
        if (!access || access->kind != u"oauth" || access->clientId != client.clientId)
            return false;
        if (!access->revokedAt.isValid() && tokens.revoke(access->id, now))
            revokedHashes << hash;
        return true;
    };
    if (hint == u"access_token")
        (void)(tryAccess() || tryRefresh());
    else
        (void)(tryRefresh() || tryAccess());

    if (!transaction.commit())
        return;
    m_tokens.dropCached(revokedHashes);
}

QJsonObject OAuthService::introspect(const OAuthClient &client, const QString &token)
{
    const QJsonObject inactive{{u"active"_s, false}};
    if (token.isEmpty())
        return inactive;
    const QString hash = hashOf(token);
    QSqlDatabase db = m_database.connection();
    const qint64 now = m_clock.nowMs();

    QJsonObject active{{u"active"_s, true}, {u"client_id"_s, client.clientId}};
    if (const auto access = TokenRepository(db).byHash(hash)) {
        if (access->kind != u"oauth" || access->clientId != client.clientId
            || access->revokedAt.isValid() || access->expiresAt.toMSecsSinceEpoch() <= now)
            return inactive;
        active.insert(u"token_type"_s, u"Bearer"_s);
        active.insert(u"scope"_s, canonical(access->scopes).join(u' '));
        active.insert(u"exp"_s, access->expiresAt.toSecsSinceEpoch());
        active.insert(u"iat"_s, access->createdAt.toSecsSinceEpoch());
        active.insert(u"workspace_id"_s, access->workspaceId);
        if (!access->userId.isEmpty())
            active.insert(u"sub"_s, access->userId);
        return active;
    }
    if (const auto refresh = OAuthRepository(db).refreshByHash(hash)) {
        if (refresh->clientId != client.clientId || refresh->revokedAt.isValid()
            || refresh->rotatedAt.isValid() || refresh->expiresAt.toMSecsSinceEpoch() <= now)
            return inactive;
        active.insert(u"token_type"_s, u"refresh_token"_s);
        active.insert(u"scope"_s, canonical(refresh->scopes).join(u' '));
        active.insert(u"exp"_s, refresh->expiresAt.toSecsSinceEpoch());
        active.insert(u"iat"_s, refresh->createdAt.toSecsSinceEpoch());
        active.insert(u"workspace_id"_s, refresh->workspaceId);
        active.insert(u"sub"_s, refresh->userId);
        return active;
    }
    return inactive;
}

} // namespace quorum
