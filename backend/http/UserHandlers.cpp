#include "UserHandlers.h"

#include "HandlerSupport.h"
#include "JsonInput.h"
#include "Router.h"
#include "core/TimeRules.h"
#include "server/Services.h"
#include "server/UserService.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

QJsonObject userJson(const User &user)
{
    return {{u"id"_s, user.id},
            {u"name"_s, user.name},
            {u"role"_s, roleName(user.role)},
            {u"disabled"_s, user.disabled},
            {u"has_password"_s, !user.passwordHash.isEmpty()},
            {u"created_at"_s, timerules::formatUtc(user.createdAt)}};
}

// A role field: one of owner, admin, member.
std::optional<Role> readRole(JsonInput &input, bool required)
{
    const auto name = input.string(u"role"_s, required);
    if (!name)
        return std::nullopt;
    const auto role = roleFromName(*name);
    if (!role)
        input.fail(u"role"_s, u"must be owner, admin or member"_s);
    return role;
}

ApiResponse listUsers(ApiRequest &request, Services &services)
{
    const Credential &caller = *request.credential;
    const QString scope = u"users|"_s + caller.workspaceId;
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto users = services.users.list(caller, *page);
    if (!users)
        return fromError(users.error());
    QJsonArray items;
    for (const User &user : std::as_const(users->items))
        items.append(userJson(user));
    return ApiResponse::json(
        200,
        {{u"users"_s, items},
         {u"next_cursor"_s, nextCursor(users->next, services.cursors, scope)}});
}

ApiResponse createUser(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"name"_s, u"role"_s, u"password"_s});
    const QString name = input.string(u"name"_s, true).value_or(QString());
    const auto role = readRole(input, true);
    const auto password = input.string(u"password"_s);
    if (!input.ok())
        return fromError(input.error());

    auto created
        = services.users.create(*request.credential, name, *role, password, request.clientAddress);
    if (!created)
        return fromError(created.error());
    QJsonObject json{{u"user"_s, userJson(created->user)}};
    if (!created->setPasswordUrl.isEmpty())
        json.insert(u"set_password_url"_s, created->setPasswordUrl);
    return ApiResponse::json(201, json).withHeader("Location",
                                                   (u"/v1/users/"_s + created->user.id).toUtf8());
}

ApiResponse getUser(ApiRequest &request, Services &services)
{
    auto user = services.users.get(*request.credential, request.param(u"id"_s));
    if (!user)
        return fromError(user.error());
    return ApiResponse::json(200, userJson(*user));
}

ApiResponse patchUser(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"role"_s, u"disabled"_s});
    UserChange change;
    change.role = readRole(input, false);
    change.disabled = input.boolean(u"disabled"_s);
    if (input.has(u"role"_s) && input.isNull(u"role"_s))
        input.fail(u"role"_s, u"cannot be null"_s);
    if (input.has(u"disabled"_s) && input.isNull(u"disabled"_s))
        input.fail(u"disabled"_s, u"cannot be null"_s);
    if (!input.ok())
        return fromError(input.error());

    auto user = services.users.update(*request.credential, request.param(u"id"_s), change,
                                      request.clientAddress);
    if (!user)
        return fromError(user.error());
    return ApiResponse::json(200, userJson(*user));
}

ApiResponse newPasswordLink(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto url = services.users.newPasswordLink(*request.credential, request.param(u"id"_s),
                                              request.clientAddress);
    if (!url)
        return fromError(url.error());
    return ApiResponse::json(201, {{u"set_password_url"_s, *url}});
}

ApiResponse changeOwnPassword(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"current_password"_s, u"new_password"_s});
    const QString current = input.string(u"current_password"_s, true).value_or(QString());
    const QString next = input.string(u"new_password"_s, true).value_or(QString());
    if (!input.ok())
        return fromError(input.error());

    int retryAfter = 0;
    const Status changed = services.users.changeOwnPassword(*request.credential, current, next,
                                                            request.clientAddress, &retryAfter);
    if (!changed) {
        ApiResponse refused = fromError(changed.error());
        if (retryAfter > 0)
            refused.withHeader("Retry-After", QByteArray::number(retryAfter));
        return refused;
    }
    return ApiResponse::noContent();
}

} // namespace

void UserHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    // Like /v1/tokens: no scope, but a first-party credential; the role is checked inside.
    auto firstParty = [&](const char *method, const QString &path,
                          ApiResponse (*handler)(ApiRequest &, Services &)) {
        router.add({method, path, AuthMode::Bearer, QString(), true, bind(handler)});
    };
    firstParty("GET", u"/v1/users"_s, listUsers);
    firstParty("POST", u"/v1/users"_s, createUser);
    firstParty("GET", u"/v1/users/{id}"_s, getUser);
    firstParty("PATCH", u"/v1/users/{id}"_s, patchUser);
    firstParty("POST", u"/v1/users/{id}/password-link"_s, newPasswordLink);
    firstParty("POST", u"/v1/me/password"_s, changeOwnPassword);
}

} // namespace quorum
