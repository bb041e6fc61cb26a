#include "AppHandlers.h"

#include "HandlerSupport.h"
#include "JsonInput.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "core/TimeRules.h"
#include "core/Validation.h"
#include "server/AppService.h"
#include "server/OAuthService.h"
#include "server/Services.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

constexpr int kMaxRedirectUris = 10;

QJsonObject appJson(const App &app)
{
    return {{u"id"_s, app.id},
            {u"client_id"_s, app.clientId},
            {u"workspace_id"_s, app.workspaceId},
            {u"name"_s, app.name},
            {u"description"_s, app.description},
            {u"client_type"_s, app.clientType},
            {u"redirect_uris"_s, QJsonArray::fromStringList(app.redirectUris)},
            {u"scopes"_s, QJsonArray::fromStringList(OAuthService::canonical(app.scopes))},
            {u"listed"_s, app.listed},
            {u"created_at"_s, timerules::formatUtc(app.createdAt)},
            {u"updated_at"_s, timerules::formatUtc(app.updatedAt)}};
}

QByteArray etag(const App &app)
{
    return "\"v" + QByteArray::number(app.version) + '"';
}

ApiResponse appResponse(int status, const App &app, const QString &secret = {})
{
    QJsonObject json = appJson(app);
    if (!secret.isEmpty())
        json.insert(u"client_secret"_s, secret);
    return ApiResponse::json(status, json).withHeader("ETag", etag(app));
}

QJsonObject installationJson(const AppInstallation &installation)
{
    return {{u"app_id"_s, installation.appId},
            {u"workspace_id"_s, installation.workspaceId},
            {u"scopes"_s,
             QJsonArray::fromStringList(OAuthService::canonical(installation.grantedScopes))},
            {u"installed_at"_s, timerules::formatUtc(installation.installedAt)}};
}

void checkScopes(JsonInput &input, const QStringList &list)
{
    if (list.isEmpty())
        input.fail(u"scopes"_s, u"must name at least one scope"_s);
    for (const QString &scope : list) {
        if (!scopes::isKnown(scope))
            input.fail(u"scopes"_s,
                       u"unknown scope %1 (known: %2)"_s.arg(scope, scopes::all().join(u", ")));
    }
}

void checkRedirectUris(JsonInput &input, const QStringList &uris)
{
    if (uris.size() > kMaxRedirectUris)
        input.fail(u"redirect_uris"_s, u"at most %1 URIs"_s.arg(kMaxRedirectUris));
    for (const QString &uri : uris) {
        if (const auto problem = AppService::redirectUriProblem(uri))
            input.fail(u"redirect_uris"_s, *problem);
    }
}

void checkName(JsonInput &input, const QString &name)
{
    const qsizetype length = validation::codePointCount(name);
    if (length < 1 || length > 100)
        input.fail(u"name"_s, u"must be 1 to 100 characters"_s);
}

void checkDescription(JsonInput &input, const QString &description)
{
    if (validation::codePointCount(description) > 1000)
        input.fail(u"description"_s, u"must be at most 1000 characters"_s);
}

// POST /v1/apps
ApiResponse createApp(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"name"_s, u"description"_s, u"client_type"_s, u"redirect_uris"_s, u"scopes"_s,
                     u"listed"_s});
    AppDraft draft;
    draft.name = input.string(u"name"_s, true).value_or(QString());
    if (input.has(u"name"_s))
        checkName(input, draft.name);
    draft.description = input.string(u"description"_s).value_or(QString());
    checkDescription(input, draft.description);
    draft.clientType = input.string(u"client_type"_s, true).value_or(QString());
    if (input.has(u"client_type"_s) && draft.clientType != u"confidential"
        && draft.clientType != u"public")
        input.fail(u"client_type"_s, u"must be confidential or public"_s);
    draft.redirectUris = input.stringList(u"redirect_uris"_s).value_or(QStringList());
    checkRedirectUris(input, draft.redirectUris);
    if (draft.clientType == u"public" && draft.redirectUris.isEmpty())
        input.fail(u"redirect_uris"_s, u"a public client needs at least one"_s);
    draft.scopes = input.stringList(u"scopes"_s, true).value_or(QStringList());
    if (input.has(u"scopes"_s))
        checkScopes(input, draft.scopes);
    draft.listed = input.boolean(u"listed"_s).value_or(false);
    if (!input.ok())
        return fromError(input.error());

    auto created = services.apps.create(*request.credential, draft, request.clientAddress);
    if (!created)
        return fromError(created.error());
    return appResponse(201, created->app, created->clientSecret);
}

// GET /v1/apps
ApiResponse listApps(ApiRequest &request, Services &services)
{
    const QString scope = u"apps|"_s + request.credential->workspaceId;
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto apps = services.apps.list(*request.credential, *page);
    if (!apps)
        return fromError(apps.error());
    QJsonArray items;
    for (const App &app : std::as_const(apps->items))
        items.append(appJson(app));
    return ApiResponse::json(
        200,
        {{u"apps"_s, items}, {u"next_cursor"_s, nextCursor(apps->next, services.cursors, scope)}});
}

// GET /v1/apps/{id}
ApiResponse getApp(ApiRequest &request, Services &services)
{
    auto app = services.apps.get(*request.credential, request.param(u"id"_s));
    if (!app)
        return fromError(app.error());
    return appResponse(200, *app);
}

// PATCH /v1/apps/{id}
ApiResponse patchApp(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"name"_s, u"description"_s, u"redirect_uris"_s, u"scopes"_s, u"listed"_s,
                     u"client_type"_s});
    if (input.has(u"client_type"_s))
        input.fail(u"client_type"_s, u"cannot change; register a new app instead"_s);
    AppPatch patch;
    patch.name = input.string(u"name"_s);
    if (patch.name)
        checkName(input, *patch.name);
    patch.description = input.string(u"description"_s);
    if (patch.description)
        checkDescription(input, *patch.description);
    patch.redirectUris = input.stringList(u"redirect_uris"_s);
    if (patch.redirectUris)
        checkRedirectUris(input, *patch.redirectUris);
    patch.scopes = input.stringList(u"scopes"_s);
    if (patch.scopes)
        checkScopes(input, *patch.scopes);
    patch.listed = input.boolean(u"listed"_s);
    if (!input.ok())
        return fromError(input.error());

    auto updated = services.apps.update(*request.credential, request.param(u"id"_s), patch,
                                        ifMatchVersion(request), request.clientAddress);
    if (!updated)
        return fromError(updated.error());
    return appResponse(200, *updated);
}

// DELETE /v1/apps/{id}
ApiResponse deleteApp(ApiRequest &request, Services &services)
{
    const Status removed = services.apps.remove(*request.credential, request.param(u"id"_s),
                                                ifMatchVersion(request), request.clientAddress);
    if (!removed)
        return fromError(removed.error());
    return ApiResponse::noContent();
}

// GET /v1/marketplace
ApiResponse marketplace(ApiRequest &request, Services &services)
{
    const QString scope = u"marketplace|"_s + request.credential->workspaceId;
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto entries = services.apps.marketplace(*request.credential, *page);
    if (!entries)
        return fromError(entries.error());
    QJsonArray items;
    for (const MarketplaceEntry &entry : std::as_const(entries->items)) {
        QJsonObject json{
            {u"id"_s, entry.app.id},
            {u"client_id"_s, entry.app.clientId},
            {u"workspace_id"_s, entry.app.workspaceId},
            {u"name"_s, entry.app.name},
            {u"description"_s, entry.app.description},
            {u"client_type"_s, entry.app.clientType},
            {u"scopes"_s, QJsonArray::fromStringList(OAuthService::canonical(entry.app.scopes))},
            {u"listed"_s, entry.app.listed},
            {u"installed"_s, entry.installation.has_value()},
            {u"granted_scopes"_s,
             entry.installation ? QJsonValue(QJsonArray::fromStringList(
                 OAuthService::canonical(entry.installation->grantedScopes)))
                                : QJsonValue(QJsonValue::Null)}};
        items.append(json);
    }
    return ApiResponse::json(
        200,
        {{u"apps"_s, items},
         {u"next_cursor"_s, nextCursor(entries->next, services.cursors, scope)}});
}

// POST /v1/apps/{id}/installation
ApiResponse install(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"scopes"_s});
    const std::optional<QStringList> granted = input.stringList(u"scopes"_s);
    if (granted)
        checkScopes(input, *granted);
    if (!input.ok())
        return fromError(input.error());

    auto installed = services.apps.install(*request.credential, request.param(u"id"_s), granted,
                                           request.clientAddress);
    if (!installed)
        return fromError(installed.error());
    return ApiResponse::json(installed->second ? 201 : 200, installationJson(installed->first));
}

// DELETE /v1/apps/{id}/installation
ApiResponse uninstall(ApiRequest &request, Services &services)
{
    const Status removed = services.apps.uninstall(*request.credential, request.param(u"id"_s),
                                                   request.clientAddress);
    if (!removed)
        return fromError(removed.error());
    return ApiResponse::noContent();
}

} // namespace

void AppHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    auto add = [&](const QByteArray &method, const QString &pattern,
                   ApiResponse (*handler)(ApiRequest &, Services &)) {
        router.add({method, pattern, AuthMode::Bearer, QString(), true, bind(handler)});
    };
    add("POST", u"/v1/apps"_s, createApp);
    add("GET", u"/v1/apps"_s, listApps);
    add("GET", u"/v1/apps/{id}"_s, getApp);
    add("PATCH", u"/v1/apps/{id}"_s, patchApp);
    add("DELETE", u"/v1/apps/{id}"_s, deleteApp);
    add("GET", u"/v1/marketplace"_s, marketplace);
    add("POST", u"/v1/apps/{id}/installation"_s, install);
    add("DELETE", u"/v1/apps/{id}/installation"_s, uninstall);
}

} // namespace quorum
