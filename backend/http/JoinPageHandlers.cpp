#include "JoinPageHandlers.h"

#include "HandlerSupport.h"
#include "HtmlPage.h"
#include "JsonInput.h"
#include "MeetingHandlers.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "core/Validation.h"
#include "core/WebOrigin.h"
#include "server/BrowserSessions.h"
#include "server/JoinTokenService.h"
#include "server/Services.h"
#include "server/Settings.h"

#include <QFile>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcJoinPage, "quorum.http.join")

using namespace Qt::StringLiterals;

namespace quorum {

using handlers::fromError;

namespace {

// The page's files, compiled in (resources/join/). Read once: they never change at run time.
QByteArray resource(const QString &name)
{
    QFile file(u":/quorum/join/"_s + name);
    if (!file.open(QIODevice::ReadOnly)) {
        qCCritical(lcJoinPage) << "the join page's resource is missing:" << name;
        return {};
    }
    return file.readAll();
}

const QByteArray &pageTemplate()
{
    static const QByteArray html = resource(u"join.html"_s);
    return html;
}

// The WebSocket twin of an http(s) origin: where the page's signalling socket goes.
QString socketOrigin(const QString &url)
{
    QString origin = webOrigin(QUrl(url));
    if (origin.startsWith(u"https://"))
        return u"wss://"_s + origin.mid(8);
    if (origin.startsWith(u"http://"))
        return u"ws://"_s + origin.mid(7);
    return {};
}

// The page runs our own script and style sheet and nothing else. Its socket goes to the node
// named by the join token's sfu_url: this node's public or advertised address, or, with
// several nodes sharing PostgreSQL, another node's, which this node cannot list in advance.
QByteArray contentSecurityPolicy(const Settings &settings)
{
    QStringList sockets{u"'self'"_s};
    for (const QString &url : {settings.publicUrl, settings.advertiseUrl}) {
        const QString origin = socketOrigin(url);
        if (!origin.isEmpty() && !sockets.contains(origin))
            sockets << origin;
    }
    if (settings.database.startsWith(u"postgres"))
        sockets << u"ws:"_s << u"wss:"_s;
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "media-src 'self' blob: mediastream:; connect-src "
        + sockets.join(u' ').toUtf8()
        + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
}

ApiResponse withPageHeaders(ApiResponse response)
{
    response.withHeader("X-Frame-Options", "DENY")
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("Cache-Control", "no-store");
    return response;
}

QString attribute(const QString &name, const QString &value)
{
    return u" data-%1=\"%2\""_s.arg(name, html::escape(value));
}

// GET /j/{id}: the page itself. Everything it needs to start is in its <body>'s data
// attributes: the meeting, whether it is the host's start_url and, for a signed-in host,
// who is signed in and the session's CSRF token for POST /j/{id}/token.
ApiResponse joinPage(ApiRequest &request, Services &services)
{
    const QString meetingId = request.param(u"id"_s);
    const bool asHost = request.query.queryItemValue(u"as"_s) == u"host";
    QString data = attribute(u"meeting-id"_s, meetingId)
        + attribute(u"as"_s, asHost ? u"host"_s : u"guest"_s);
    if (asHost) {
        const QString here = u"/j/"_s + meetingId + u"?as=host"_s;
        data += attribute(u"signin-url"_s, BrowserSessions::signInPath(here));
        if (const auto user = services.sessions.signedIn(request)) {
            data += attribute(u"user"_s, user->userName)
                + attribute(u"workspace"_s, user->workspaceName)
                + attribute(u"csrf-token"_s, QString::fromLatin1(user->csrfToken));
        }
    }

    QByteArray page = pageTemplate();
    page.replace("{{page-data}}", data.toUtf8());
    ApiResponse response = ApiResponse::text(200, "text/html; charset=utf-8", page);
    response
        .withHeader("Content-Security-Policy", contentSecurityPolicy(services.settings))
        // Camera, microphone and screen for this page itself, never for anything it embeds.
        .withHeader("Permissions-Policy",
                    "camera=(self), microphone=(self), display-capture=(self)");
    return withPageHeaders(response);
}

ApiResponse asset(const QString &name, const QByteArray &contentType)
{
    ApiResponse response = ApiResponse::text(200, contentType, resource(name));
    // Revalidated on every load, so a new server's page never runs an old script.
    return response.withHeader("Cache-Control", "no-cache")
        .withHeader("X-Content-Type-Options", "nosniff");
}

ApiResponse joinScript(ApiRequest &, Services &)
{
    static const ApiResponse response = asset(u"join.js"_s, "text/javascript; charset=utf-8");
    return response;
}

ApiResponse joinStyle(ApiRequest &, Services &)
{
    static const ApiResponse response = asset(u"join.css"_s, "text/css; charset=utf-8");
    return response;
}

// Whether a request comes from a page of this server. The CSRF token is the real check; this
// one also turns away a page elsewhere that somehow learnt it.
bool fromThisServer(const ApiRequest &request, const Settings &settings)
{
    const QByteArray site = request.header("sec-fetch-site");
    if (!site.isEmpty() && site != "same-origin")
        return false;
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty())
        return true;
    const QString normalized = webOrigin(QUrl(QString::fromUtf8(origin)));
    return !normalized.isEmpty()
        && (normalized == webOrigin(QUrl(settings.publicUrl))
            || normalized == webOrigin(QUrl(settings.advertiseUrl)));
}

// POST /j/{id}/token: the signed-in user's join token, with the rights of that user on the
// meeting exactly as joinToken gives them to the user's bearer token (the host gets `host`).
ApiResponse exchangeSession(ApiRequest &request, Services &services)
{
    if (!fromThisServer(request, services.settings)) {
        qCWarning(lcJoinPage) << "refused a join-page token request from another site";
        return fromError(
            {ErrorCode::Forbidden, u"Only the join page of this server may ask for this token."_s});
    }

    const auto user = services.sessions.signedIn(request);
    if (!user)
        return fromError({ErrorCode::SignInRequired,
                          u"Sign in at /signin, then ask again from the join page."_s});
    const QJsonValue csrf = request.json.value(u"csrf_token"_s);
    if (!csrf.isString() || !services.sessions.csrfMatches(*user, csrf.toString())) {
        qCWarning(lcJoinPage) << "refused a join-page token request without the session's "
                                 "CSRF token";
        const QString message = csrf.isUndefined() ? u"is required"_s : u"does not match"_s;
        return fromError({ErrorCode::CsrfFailed,
                          u"csrf_token must be the one of the page this session loaded."_s,
                          {{u"csrf_token"_s, message}}});
    }

    JsonInput input(request.json);
    input.allowOnly({u"csrf_token"_s, u"display_name"_s, u"passcode"_s});
    JoinTokenRequest join;
    join.meetingId = request.param(u"id"_s);
    if (const auto name = input.string(u"display_name"_s)) {
        if (const auto problem = validation::checkDisplayName(*name))
            input.fail(u"display_name"_s, *problem);
        join.displayName = *name;
    }
    if (const auto passcode = input.string(u"passcode"_s)) {
        if (const auto problem = validation::checkPasscode(*passcode))
            input.fail(u"passcode"_s, *problem);
        join.passcode = *passcode;
    }
    if (!input.ok())
        return fromError(input.error());

    // A signed-in browser is a first-party credential of its user; here it may only join.
    Credential session;
    session.tokenId = user->sessionId;
    session.kind = u"session"_s;
    session.workspaceId = user->workspaceId;
    session.userId = user->userId;
    session.userName = user->userName;
    session.role = user->role;
    session.scopes = {scopes::MeetingJoin};
    join.caller = session;
    join.clientKey = u"usr:"_s + user->userId;
    join.clientAddress = request.clientAddress;
    return MeetingHandlers::joinTokenAnswer(services.joinTokens.issue(join));
}

ApiResponse sessionJoinToken(ApiRequest &request, Services &services)
{
    // A token, or why there is none: neither is for a cache.
    return exchangeSession(request, services).withHeader("Cache-Control", "no-store");
}

} // namespace

void JoinPageHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    auto add = [&](const char *method, const QString &path,
                   ApiResponse (*handler)(ApiRequest &, Services &), BodyKind body) {
        Route route{method, path, AuthMode::None, QString(), false, bind(handler)};
        route.replayable = false;
        route.body = body;
        router.add(std::move(route));
    };
    // The page and its files count against the client address's rate limit, like the other
    // pages; the token exchange takes JSON, which a form on another site cannot send.
    add("GET", u"/j/{id}"_s, joinPage, BodyKind::Form);
    add("GET", u"/assets/join.js"_s, joinScript, BodyKind::Form);
    add("GET", u"/assets/join.css"_s, joinStyle, BodyKind::Form);
    add("POST", u"/j/{id}/token"_s, sessionJoinToken, BodyKind::Json);
}

} // namespace quorum
