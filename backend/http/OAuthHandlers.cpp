#include "OAuthHandlers.h"

#include "HtmlPage.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "server/BrowserSessions.h"
#include "server/OAuthService.h"
#include "server/Services.h"
#include "server/Settings.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcOAuthHttp, "quorum.http.oauth")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// ---- the token, revocation and introspection endpoints ----

ApiResponse noStore(ApiResponse response)
{
    return response.withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
}

ApiResponse oauthError(const OAuthError &error)
{
    ApiResponse response = noStore(ApiResponse::json(
        error.status, {{u"error"_s, error.error}, {u"error_description"_s, error.description}}));
    if (error.status == 401)
        response.withHeader("WWW-Authenticate", "Basic realm=\"quorum\"");
    return response;
}

// POST /oauth/token
ApiResponse token(ApiRequest &request, Services &services)
{
    auto client = services.oauth.authenticateClient(request.header("authorization"), request.form);
    if (!client)
        return oauthError(client.error());
    auto grant = services.oauth.token(*client, request.form, request.clientAddress);
    if (!grant)
        return oauthError(grant.error());

    QJsonObject json{{u"access_token"_s, grant->accessToken},
                     {u"token_type"_s, u"Bearer"_s},
                     {u"expires_in"_s, grant->expiresIn},
                     {u"scope"_s, grant->scopes.join(u' ')}};
    if (!grant->refreshToken.isEmpty())
        json.insert(u"refresh_token"_s, grant->refreshToken);
    return noStore(ApiResponse::json(200, json));
}

// POST /oauth/revoke (RFC 7009)
ApiResponse revoke(ApiRequest &request, Services &services)
{
    auto client = services.oauth.authenticateClient(request.header("authorization"), request.form);
    if (!client)
        return oauthError(client.error());
    if (!request.form.contains(u"token"_s))
        return oauthError({u"invalid_request"_s, u"token is required."_s});
    services.oauth.revoke(*client, request.formField(u"token"_s),
                          request.formField(u"token_type_hint"_s));
    return noStore(ApiResponse::text(200, "text/plain; charset=utf-8", QByteArray()));
}

// POST /oauth/introspect (RFC 7662)
ApiResponse introspect(ApiRequest &request, Services &services)
{
    auto client = services.oauth.authenticateClient(request.header("authorization"), request.form);
    if (!client)
        return oauthError(client.error());
    if (!client->confidential)
        return oauthError(
            {u"invalid_client"_s, u"Only confidential clients may introspect tokens."_s, 401});
    if (!request.form.contains(u"token"_s))
        return oauthError({u"invalid_request"_s, u"token is required."_s});
    return noStore(
        ApiResponse::json(200, services.oauth.introspect(*client, request.formField(u"token"_s))));
}

// GET /.well-known/oauth-authorization-server (RFC 8414)
ApiResponse metadata(ApiRequest &, Services &services)
{
    QString issuer = services.settings.publicUrl;
    while (issuer.endsWith(u'/'))
        issuer.chop(1);
    const QJsonArray authMethods{u"client_secret_basic"_s, u"client_secret_post"_s, u"none"_s};
    const QJsonArray confidentialMethods{u"client_secret_basic"_s, u"client_secret_post"_s};
    return ApiResponse::json(
        200,
        {{u"issuer"_s, issuer},
         {u"authorization_endpoint"_s, issuer + u"/oauth/authorize"_s},
         {u"token_endpoint"_s, issuer + u"/oauth/token"_s},
         {u"revocation_endpoint"_s, issuer + u"/oauth/revoke"_s},
         {u"introspection_endpoint"_s, issuer + u"/oauth/introspect"_s},
         {u"response_types_supported"_s, QJsonArray{u"code"_s}},
         {u"response_modes_supported"_s, QJsonArray{u"query"_s}},
         {u"grant_types_supported"_s,
          QJsonArray{u"authorization_code"_s, u"refresh_token"_s, u"client_credentials"_s}},
         {u"code_challenge_methods_supported"_s, QJsonArray{u"S256"_s}},
         {u"scopes_supported"_s, QJsonArray::fromStringList(scopes::all())},
         {u"token_endpoint_auth_methods_supported"_s, authMethods},
         {u"revocation_endpoint_auth_methods_supported"_s, authMethods},
         {u"introspection_endpoint_auth_methods_supported"_s, confidentialMethods},
         {u"service_documentation"_s, issuer + u"/v1/openapi.yaml"_s}});
}

// ---- the authorization endpoint ----

// The parameters of a request, and the names sent more than once (RFC 6749 section 3.1: a
// parameter must not repeat). A query is decoded like a form: '+' is a space.
struct Parameters
{
    QHash<QString, QString> values;
    QSet<QString> repeated;
};

Parameters parameters(const ApiRequest &request)
{
    Parameters parameters;
    if (request.method == "POST") {
        parameters.values = request.form;
        return parameters;
    }
    const QByteArray raw = request.query.query(QUrl::FullyEncoded).toUtf8();
    for (const QByteArray &pair : raw.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        QByteArray name = equals < 0 ? pair : pair.left(equals);
        QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        const QString decodedName = QString::fromUtf8(QByteArray::fromPercentEncoding(name));
        if (parameters.values.contains(decodedName))
            parameters.repeated.insert(decodedName);
        parameters.values.insert(decodedName,
                                 QString::fromUtf8(QByteArray::fromPercentEncoding(value)));
    }
    return parameters;
}

AuthorizeRequest authorizeRequest(const Parameters &parameters)
{
    const auto &values = parameters.values;
    AuthorizeRequest request;
    request.clientId = values.value(u"client_id"_s);
    request.redirectUri = values.value(u"redirect_uri"_s);
    request.responseType = values.value(u"response_type"_s);
    if (values.contains(u"scope"_s))
        request.scope = values.value(u"scope"_s);
    request.state = values.value(u"state"_s);
    request.codeChallenge = values.value(u"code_challenge"_s);
    if (values.contains(u"code_challenge_method"_s))
        request.codeChallengeMethod = values.value(u"code_challenge_method"_s);
    return request;
}

QString encoded(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

// The redirect URI with the answer's parameters appended to its own query.
ApiResponse redirectBack(const AuthorizeRequest &request,
                         const QList<QPair<QString, QString>> &answer)
{
    QString location = request.redirectUri;
    QChar separator = location.contains(u'?') ? u'&' : u'?';
    for (const auto &[name, value] : answer) {
        location += separator + name + u'=' + encoded(value);
        separator = u'&';
    }
    if (!request.state.isEmpty())
        location += separator + u"state="_s + encoded(request.state);
    return ApiResponse::text(303, "text/plain; charset=utf-8", QByteArray())
        .withHeader("Location", location.toUtf8())
        .withHeader("Cache-Control", "no-store")
        .withHeader("Referrer-Policy", "no-referrer");
}

ApiResponse redirectError(const AuthorizeRequest &request, const OAuthError &error)
{
    return redirectBack(request,
                        {{u"error"_s, error.error}, {u"error_description"_s, error.description}});
}

// Shown instead of a redirect when the client or the redirect URI cannot be trusted: sending
// the browser to an unverified address is how codes leak (C15).
ApiResponse errorPage(int status, const QString &heading, const QString &explanation)
{
    return html::page(
        status, u"Sign-in request refused"_s,
        u"<h1>%1</h1><p class=\"error\">%2</p><p>Nothing was shared with the app. "
        "Close this page and start again from the app; if this keeps happening, "
        "tell the app's developer.</p>"_s.arg(html::escape(heading), html::escape(explanation)));
}

QString scopeInWords(const QString &scope)
{
    if (scope == scopes::MeetingRead)
        return u"See your meetings and who takes part in them"_s;
    if (scope == scopes::MeetingWrite)
        return u"Schedule, change and cancel meetings, and manage their participants"_s;
    if (scope == scopes::MeetingJoin)
        return u"Join meetings as you"_s;
    if (scope == scopes::RecordingRead)
        return u"See and download recordings"_s;
    if (scope == scopes::RecordingWrite)
        return u"Start, stop and delete recordings"_s;
    if (scope == scopes::WebhookRead)
        return u"See the webhook subscriptions it made"_s;
    if (scope == scopes::WebhookWrite)
        return u"Create and manage webhook subscriptions"_s;
    return scope;
}

QString hidden(const QString &name, const QString &value)
{
    return u"<input type=\"hidden\" name=\"%1\" value=\"%2\">"_s.arg(name, html::escape(value));
}

ApiResponse consentPage(const OAuthClient &client, const AuthorizeRequest &request,
                        const AuthorizeGrant &grant, const SignedInUser &user)
{
    QString items;
    for (const QString &scope : grant.scopes)
        items += u"<li>%1</li>"_s.arg(html::escape(scopeInWords(scope)));
    QString fields = hidden(u"csrf_token"_s, QString::fromLatin1(user.csrfToken))
        + hidden(u"client_id"_s, request.clientId) + hidden(u"redirect_uri"_s, request.redirectUri)
        + hidden(u"response_type"_s, request.responseType)
        + hidden(u"scope"_s, grant.scopes.join(u' '));
    if (!request.state.isEmpty())
        fields += hidden(u"state"_s, request.state);
    if (!request.codeChallenge.isEmpty())
        fields += hidden(u"code_challenge"_s, request.codeChallenge)
            + hidden(u"code_challenge_method"_s, request.codeChallengeMethod.value_or(QString()));
    const QUrl target(request.redirectUri);
    const QString description = client.description.isEmpty()
        ? QString()
        : u"<p class=\"note\">%1</p>"_s.arg(html::escape(client.description));

    const QString body
        = u"<h1>Allow %1 to use your Quorum account?</h1>%2"
          "<dl><dt>Signed in as</dt><dd>%3</dd><dt>Workspace</dt><dd>%4</dd></dl>"
          "<p><strong>%1 will be able to:</strong></p><ul>%5</ul>"
          "<form method=\"post\" action=\"/oauth/authorize\">%6"
          "<p><button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button></p>"
          "<p><button type=\"submit\" name=\"decision\" value=\"deny\" "
          "class=\"secondary\">Deny</button></p></form>"
          "<p class=\"note\">Either way you go back to %7. A workspace admin can remove the "
          "app's access at any time by uninstalling it.</p>"_s.arg(
              html::escape(client.name), description, html::escape(user.userName),
              html::escape(user.workspaceName), items, fields,
              html::escape(target.host().isEmpty() ? request.redirectUri : target.host()));
    return html::page(200, u"Allow %1?"_s.arg(client.name), body);
}

// GET and POST /oauth/authorize. The client and the redirect URI are checked first and any
// doubt about them ends on our own page; once they are trusted, every other error goes back
// to the client as RFC 6749 section 4.1.2.1 says.
ApiResponse authorize(ApiRequest &request, Services &services)
{
    const Parameters params = parameters(request);
    if (params.repeated.contains(u"client_id"_s) || params.repeated.contains(u"redirect_uri"_s))
        return errorPage(400, u"The request is malformed"_s,
                         u"client_id or redirect_uri was sent more than once."_s);
    const AuthorizeRequest authorizeReq = authorizeRequest(params);
    const auto client = services.oauth.client(authorizeReq.clientId);
    if (!client)
        return errorPage(400, u"Unknown app"_s,
                         u"No app with this client_id is registered on this Quorum server."_s);
    if (authorizeReq.redirectUri.isEmpty()
        || !OAuthService::redirectAllowed(*client, authorizeReq.redirectUri)) {
        qCWarning(lcOAuthHttp) << "refused an authorization request with an unregistered "
                                  "redirect_uri";
        return errorPage(
            400, u"Invalid redirect address"_s,
            u"The redirect_uri does not exactly match one registered for %1."_s.arg(client->name));
    }

    if (!params.repeated.isEmpty())
        return redirectError(authorizeReq,
                             {u"invalid_request"_s, u"A parameter was sent more than once."_s});
    if (const auto refused = services.oauth.checkRequest(*client, authorizeReq))
        return redirectError(authorizeReq, *refused);

    const auto user = services.sessions.signedIn(request);
    if (!user) {
        QString next = u"/oauth/authorize?"_s;
        QStringList pairs;
        for (auto it = params.values.cbegin(); it != params.values.cend(); ++it) {
            if (it.key() != u"csrf_token" && it.key() != u"decision")
                pairs << encoded(it.key()) + u'=' + encoded(it.value());
        }
        pairs.sort();
        return ApiResponse::text(303, "text/plain; charset=utf-8", QByteArray())
            .withHeader("Location", BrowserSessions::signInPath(next + pairs.join(u'&')).toUtf8())
            .withHeader("Cache-Control", "no-store");
    }

    const Consenter consenter{user->userId, user->workspaceId};
    const auto grant = services.oauth.checkGrant(*client, authorizeReq, consenter);
    if (!grant)
        return redirectError(authorizeReq, grant.error());

    if (request.method != "POST")
        return consentPage(*client, authorizeReq, *grant, *user);

    if (!services.sessions.csrfMatches(*user, request.formField(u"csrf_token"_s)))
        return errorPage(403, u"This form has expired"_s,
                         u"The page was open too long or came from elsewhere. Go back to the app "
                         "and start again."_s);
    const QString decision = request.formField(u"decision"_s);
    if (decision == u"deny")
        return redirectError(authorizeReq, {u"access_denied"_s, u"The user denied the request."_s});
    if (decision != u"approve")
        return errorPage(400, u"The request is malformed"_s,
                         u"Choose Approve or Deny on the consent page."_s);
    auto code = services.oauth.issueCode(*client, authorizeReq, consenter, grant->scopes,
                                         request.clientAddress);
    if (!code)
        return redirectError(authorizeReq, code.error());
    return redirectBack(authorizeReq, {{u"code"_s, *code}});
}

} // namespace

void OAuthHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    auto add = [&](const QByteArray &method, const QString &pattern,
                   ApiResponse (*handler)(ApiRequest &, Services &), BodyKind body) {
        // Never replayed: a token response is a fresh credential each time.
        router.add({method, pattern, AuthMode::None, QString(), false, bind(handler), false, body});
    };
    // The consent form is a browser's; the others are clients' RFC 6749 requests.
    add("GET", u"/oauth/authorize"_s, authorize, BodyKind::Form);
    add("POST", u"/oauth/authorize"_s, authorize, BodyKind::Form);
    add("POST", u"/oauth/token"_s, token, BodyKind::OAuthForm);
    add("POST", u"/oauth/revoke"_s, revoke, BodyKind::OAuthForm);
    add("POST", u"/oauth/introspect"_s, introspect, BodyKind::OAuthForm);
    add("GET", u"/.well-known/oauth-authorization-server"_s, metadata, BodyKind::Form);
}

} // namespace quorum
