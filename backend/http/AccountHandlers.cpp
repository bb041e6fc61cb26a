#include "AccountHandlers.h"

#include "HandlerSupport.h"
#include "JsonInput.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/TimeRules.h"
#include "core/Validation.h"
#include "server/Services.h"
#include "store/AuditRepository.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

#include <QJsonArray>

namespace quorum {

using namespace handlers;

namespace {

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(timerules::formatUtc(time)) : QJsonValue(QJsonValue::Null);
}

QJsonArray sortedScopes(const QSet<QString> &scopes)
{
    QStringList list(scopes.cbegin(), scopes.cend());
    list.sort();
    return QJsonArray::fromStringList(list);
}

ApiResponse me(ApiRequest &request, Services &services)
{
    const Credential &caller = *request.credential;
    const auto workspace
        = DirectoryRepository(services.database.connection()).workspaceById(caller.workspaceId);
    // An app's client-credentials token acts for the workspace, not for a user.
    const QJsonValue user = caller.userId.isEmpty()
        ? QJsonValue(QJsonValue::Null)
        : QJsonObject{{QStringLiteral("id"), caller.userId},
                      {QStringLiteral("name"), caller.userName},
                      {QStringLiteral("role"), roleName(caller.role)}};
    return ApiResponse::json(
        200,
        {{QStringLiteral("user"), user},
         {QStringLiteral("workspace"),
          QJsonObject{{QStringLiteral("id"), caller.workspaceId},
                      {QStringLiteral("name"), workspace ? workspace->name : QString()}}},
         {QStringLiteral("scopes"), sortedScopes(caller.scopes)},
         {QStringLiteral("credential"),
          QJsonObject{{QStringLiteral("id"), caller.tokenId},
                      {QStringLiteral("type"), caller.kind},
                      {QStringLiteral("first_party"), caller.firstParty},
                      {QStringLiteral("client_id"),
                       caller.clientId.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                 : QJsonValue(caller.clientId)}}}});
}

QJsonObject tokenJson(const AccessTokenRecord &token)
{
    return {{QStringLiteral("id"), token.id},
            {QStringLiteral("name"), token.name},
            {QStringLiteral("scopes"), QJsonArray::fromStringList(token.scopes)},
            {QStringLiteral("created_at"), timerules::formatUtc(token.createdAt)},
            {QStringLiteral("expires_at"), timeOrNull(token.expiresAt)}};
}

ApiResponse createToken(ApiRequest &request, Services &services)
{
    const Credential &caller = *request.credential;
    JsonInput input(request.json);
    input.allowOnly(
        {QStringLiteral("name"), QStringLiteral("scopes"), QStringLiteral("expires_in_seconds")});
    const QString name = input.string(QStringLiteral("name"), true).value_or(QString());
    if (input.has(QStringLiteral("name"))
        && (validation::codePointCount(name) < 1 || validation::codePointCount(name) > 100))
        input.fail(QStringLiteral("name"), QStringLiteral("must be 1 to 100 characters"));
    const QStringList scopeList
        = input.stringList(QStringLiteral("scopes"), true).value_or(QStringList());
    if (input.has(QStringLiteral("scopes")) && scopeList.isEmpty())
        input.fail(QStringLiteral("scopes"), QStringLiteral("must name at least one scope"));
    for (const QString &scope : scopeList) {
        if (!scopes::isKnown(scope))
            input.fail(QStringLiteral("scopes"),
                       QStringLiteral("unknown scope %1 (known: %2)")
                           .arg(scope, scopes::all().join(u", ")));
        else if (!caller.hasScope(scope))
            input.fail(QStringLiteral("scopes"),
                       QStringLiteral("%1 is not among your own token's scopes; a new token's "
                                      "scopes must be a subset of yours")
                           .arg(scope));
    }
    const qint64 ttl = input.integer(QStringLiteral("expires_in_seconds")).value_or(0);
    if (input.has(QStringLiteral("expires_in_seconds")) && (ttl < 60 || ttl > 31536000))
        input.fail(QStringLiteral("expires_in_seconds"),
                   QStringLiteral("must be from 60 to 31536000 (one year)"));
    if (!input.ok())
        return fromError(input.error());

    auto created = services.tokens.createPersonal(caller.userId, name, scopeList, ttl,
                                                  caller.userId, request.clientAddress);
    if (!created)
        return fromError(created.error());
    QJsonObject json = tokenJson(created->record);
    json.insert(QStringLiteral("token"), created->secret);
    return ApiResponse::json(201, json);
}

ApiResponse listTokens(ApiRequest &request, Services &services)
{
    const QString scope = QStringLiteral("tokens|") + request.credential->userId;
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto tokens = services.tokens.listPersonal(request.credential->userId, *page);
    if (!tokens)
        return fromError(tokens.error());
    QJsonArray items;
    for (const AccessTokenRecord &token : std::as_const(tokens->items))
        items.append(tokenJson(token));
    return ApiResponse::json(
        200,
        {{QStringLiteral("tokens"), items},
         {QStringLiteral("next_cursor"), nextCursor(tokens->next, services.cursors, scope)}});
}

ApiResponse revokeToken(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    const Status revoked
        = services.tokens.revoke(request.credential->userId, request.param(QStringLiteral("id")),
                                 request.credential->userId, request.clientAddress);
    if (!revoked)
        return fromError(revoked.error());
    return ApiResponse::noContent();
}

ApiResponse listAudit(ApiRequest &request, Services &services)
{
    const Credential &caller = *request.credential;
    const QString scope = QStringLiteral("audit|%1|%2").arg(caller.workspaceId, caller.userId);
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    AuditVisibility visibility{caller.workspaceId, caller.isAdmin(), caller.userId};
    auto entries = AuditRepository(services.database.connection()).list(visibility, *page);
    if (!entries)
        return fromError(entries.error());

    QJsonArray items;
    for (const AuditEntry &entry : std::as_const(entries->items)) {
        auto orNull = [](const QString &text) {
            return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
        };
        items.append(
            QJsonObject{{QStringLiteral("id"), entry.id},
                        {QStringLiteral("occurred_at"), timerules::formatUtc(entry.occurredAt)},
                        {QStringLiteral("action"), entry.action},
                        {QStringLiteral("actor_id"), orNull(entry.actorId)},
                        {QStringLiteral("user_id"), orNull(entry.subjectUserId)},
                        {QStringLiteral("meeting_id"), orNull(entry.meetingId)},
                        {QStringLiteral("target_id"), orNull(entry.targetId)},
                        {QStringLiteral("client_address"), orNull(entry.clientAddress)},
                        {QStringLiteral("detail"), entry.detail}});
    }
    return ApiResponse::json(
        200,
        {{QStringLiteral("entries"), items},
         {QStringLiteral("next_cursor"), nextCursor(entries->next, services.cursors, scope)}});
}

} // namespace

void AccountHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    router.add({"GET", QStringLiteral("/v1/me"), AuthMode::Bearer, QString(), false, bind(me)});
    router.add(
        {"GET", QStringLiteral("/v1/tokens"), AuthMode::Bearer, QString(), true, bind(listTokens)});
    router.add({"POST", QStringLiteral("/v1/tokens"), AuthMode::Bearer, QString(), true,
                bind(createToken)});
    router.add({"DELETE", QStringLiteral("/v1/tokens/{id}"), AuthMode::Bearer, QString(), true,
                bind(revokeToken)});
    router.add(
        {"GET", QStringLiteral("/v1/audit"), AuthMode::Bearer, QString(), true, bind(listAudit)});
}

} // namespace quorum
