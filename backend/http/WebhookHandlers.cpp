#include "WebhookHandlers.h"

#include "HandlerSupport.h"
#include "Router.h"
#include "WebhookJson.h"
#include "auth/Scopes.h"
#include "core/Clock.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "server/WebhookService.h"
#include "webhooks/UrlGuard.h"

#include <QHostInfo>
#include <QJsonArray>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

ApiResponse webhookResponse(int status, const Webhook &webhook, const Services &services,
                            const std::optional<QString> &secret = std::nullopt)
{
    QJsonObject json = webhookjson::toJson(webhook, services.clock.now(),
                                           services.settings.webhookDegradedAfterSeconds);
    if (secret)
        json.insert(u"secret"_s, *secret);
    return ApiResponse::json(status, json).withHeader("ETag", webhookjson::etag(webhook));
}

ApiResponse refused(const QString &reason)
{
    return fromError({ErrorCode::PolicyRefused,
                      u"The webhook URL is refused: %1."_s.arg(reason),
                      {{u"url"_s, reason}}});
}

// The URL guard at subscribe time (DESIGN.md *Webhooks*): the URL and a literal address are
// judged at once; a name is resolved and judged if it resolves (one that does not resolve yet
// is accepted: every delivery resolves and checks again). The lookup does not hold the worker:
// the answer comes when it ends. `next` runs once the URL has passed.
ApiResponse guardThen(const QString &url, const Services &services,
                      std::function<ApiResponse()> next)
{
    const UrlGuard guard(services.settings.webhooksAllowPrivateNetworks);
    const QUrl parsed(url);
    if (const auto refusal = guard.checkUrl(parsed))
        return refused(*refusal);
    const QString host = parsed.host(QUrl::FullyDecoded);
    if (!QHostAddress(host).isNull())
        return next();

    return ApiResponse::later([guard, host, next = std::move(next)](ApiResponse::Completion done) {
        // Lives in this worker thread, so the lookup's answer comes back here.
        auto *context = new QObject;
        QHostInfo::lookupHost(host, context, [guard, next, done, context](const QHostInfo &info) {
            context->deleteLater();
            if (info.error() == QHostInfo::NoError && !info.addresses().isEmpty()) {
                if (const auto refusal = guard.checkAddresses(info.addresses())) {
                    done(refused(u"%1 %2"_s.arg(info.hostName(), *refusal)));
                    return;
                }
            }
            done(next());
        });
    });
}

// POST /v1/webhooks
ApiResponse createWebhook(ApiRequest &request, Services &services)
{
    auto draft = webhookjson::parseNew(request.json);
    if (!draft)
        return fromError(draft.error());
    const Credential caller = *request.credential;
    if (const auto problem = WebhookService::scopeProblem(
            draft->events, QStringList(caller.scopes.cbegin(), caller.scopes.cend())))
        return fromError({ErrorCode::PolicyRefused, *problem, {{u"events"_s, *problem}}});

    return guardThen(draft->url, services, [&services, caller, draft = *draft]() {
        auto created = services.webhooks.create(caller, draft.url, draft.events);
        if (!created)
            return fromError(created.error());
        return webhookResponse(201, created->webhook, services, created->secret)
            .withHeader("Location", "/v1/webhooks/" + created->webhook.id.toLatin1());
    });
}

// GET /v1/webhooks
ApiResponse listWebhooks(ApiRequest &request, Services &services)
{
    if (const Status known = requireKnownQueryParameters(request); !known)
        return fromError(known.error());
    const Credential &caller = *request.credential;
    const auto [kind, owner] = WebhookService::ownerOf(caller);
    const QString scope = u"webhooks|%1|%2|%3|%4"_s.arg(
        caller.workspaceId, caller.firstParty && caller.isAdmin() ? u"*"_s : kind, owner,
        caller.userId);
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto webhooks = services.webhooks.list(caller, *page);
    if (!webhooks)
        return fromError(webhooks.error());

    const QDateTime now = services.clock.now();
    QJsonArray items;
    for (const Webhook &webhook : std::as_const(webhooks->items))
        items.append(
            webhookjson::toJson(webhook, now, services.settings.webhookDegradedAfterSeconds));
    return ApiResponse::json(
        200,
        {{u"webhooks"_s, items},
         {u"next_cursor"_s, nextCursor(webhooks->next, services.cursors, scope)}});
}

// GET /v1/webhooks/{id}
ApiResponse getWebhook(ApiRequest &request, Services &services)
{
    auto webhook = services.webhooks.get(*request.credential, request.param(u"id"_s));
    if (!webhook)
        return fromError(webhook.error());
    return webhookResponse(200, *webhook, services);
}

// PATCH /v1/webhooks/{id}
ApiResponse patchWebhook(ApiRequest &request, Services &services)
{
    const QString id = request.param(u"id"_s);
    auto current = services.webhooks.get(*request.credential, id);
    if (!current)
        return fromError(current.error());
    auto patch = webhookjson::parsePatch(request.json);
    if (!patch)
        return fromError(patch.error());

    const Credential caller = *request.credential;
    const std::optional<qint64> ifMatch = ifMatchVersion(request);
    auto apply = [&services, caller, id, patch = *patch, ifMatch]() {
        auto updated = services.webhooks.update(caller, id, patch, ifMatch);
        if (!updated)
            return fromError(updated.error());
        return webhookResponse(200, *updated, services);
    };
    if (!patch->url)
        return apply();
    return guardThen(*patch->url, services, std::move(apply));
}

// DELETE /v1/webhooks/{id}
ApiResponse deleteWebhook(ApiRequest &request, Services &services)
{
    const Status removed = services.webhooks.remove(*request.credential, request.param(u"id"_s),
                                                    ifMatchVersion(request));
    if (!removed)
        return fromError(removed.error());
    return ApiResponse::noContent();
}

// POST /v1/webhooks/{id}:rotateSecret
ApiResponse rotateSecret(ApiRequest &request, Services &services)
{
    auto grace = webhookjson::parseRotation(request.json);
    if (!grace)
        return fromError(grace.error());
    auto rotated
        = services.webhooks.rotateSecret(*request.credential, request.param(u"id"_s), *grace);
    if (!rotated)
        return fromError(rotated.error());
    return webhookResponse(200, rotated->webhook, services, rotated->secret);
}

// POST /v1/webhooks/{id}:test
ApiResponse sendTest(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto delivery = services.webhooks.sendTest(*request.credential, request.param(u"id"_s));
    if (!delivery)
        return fromError(delivery.error());
    return ApiResponse::json(
        202, {{u"delivery_id"_s, delivery->id}, {u"event_id"_s, delivery->eventId}});
}

// GET /v1/webhooks/{id}/deliveries
ApiResponse listDeliveries(ApiRequest &request, Services &services)
{
    if (const Status known = requireKnownQueryParameters(request); !known)
        return fromError(known.error());
    const QString id = request.param(u"id"_s);
    const QString scope = u"deliveries|%1|%2"_s.arg(request.credential->workspaceId, id);
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto deliveries = services.webhooks.deliveries(*request.credential, id, *page);
    if (!deliveries)
        return fromError(deliveries.error());

    QJsonArray items;
    for (const Delivery &delivery : std::as_const(deliveries->page.items))
        items.append(
            webhookjson::deliveryToJson(delivery, deliveries->attempts.value(delivery.id)));
    return ApiResponse::json(
        200,
        {{u"deliveries"_s, items},
         {u"next_cursor"_s, nextCursor(deliveries->page.next, services.cursors, scope)}});
}

// POST /v1/webhooks/{id}/deliveries/{did}:redeliver
ApiResponse redeliver(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto delivery = services.webhooks.redeliver(*request.credential, request.param(u"id"_s),
                                                request.param(u"did"_s));
    if (!delivery)
        return fromError(delivery.error());
    return ApiResponse::json(202,
                             webhookjson::deliveryToJson(delivery->delivery, delivery->attempts));
}

} // namespace

void WebhookHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    router.add({"POST", u"/v1/webhooks"_s, AuthMode::Bearer, scopes::WebhookWrite, false,
                bind(createWebhook)});
    router.add({"GET", u"/v1/webhooks"_s, AuthMode::Bearer, scopes::WebhookRead, false,
                bind(listWebhooks)});
    router.add({"GET", u"/v1/webhooks/{id}"_s, AuthMode::Bearer, scopes::WebhookRead, false,
                bind(getWebhook)});
    router.add({"PATCH", u"/v1/webhooks/{id}"_s, AuthMode::Bearer, scopes::WebhookWrite, false,
                bind(patchWebhook)});
    router.add({"DELETE", u"/v1/webhooks/{id}"_s, AuthMode::Bearer, scopes::WebhookWrite, false,
                bind(deleteWebhook)});
    // A retried rotation replays its first answer (stored sealed, like every replayed body)
    // instead of rotating twice and ending the grace of the secret it handed out.
    router.add({"POST", u"/v1/webhooks/{id}:rotateSecret"_s, AuthMode::Bearer, scopes::WebhookWrite,
                false, bind(rotateSecret)});
    router.add({"POST", u"/v1/webhooks/{id}:test"_s, AuthMode::Bearer, scopes::WebhookWrite, false,
                bind(sendTest)});
    router.add({"GET", u"/v1/webhooks/{id}/deliveries"_s, AuthMode::Bearer, scopes::WebhookRead,
                false, bind(listDeliveries)});
    router.add({"POST", u"/v1/webhooks/{id}/deliveries/{did}:redeliver"_s, AuthMode::Bearer,
                scopes::WebhookWrite, false, bind(redeliver)});
}

} // namespace quorum
