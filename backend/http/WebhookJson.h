#pragma once

#include "core/Result.h"
#include "server/WebhookService.h"

#include <QJsonObject>

namespace quorum::webhookjson {

// POST /v1/webhooks: {url, events}. The URL's form is checked here; the URL guard's policy
// and the events' scopes are checked by the caller and the service.
struct NewWebhook
{
    QString url;
    QStringList events;
};
Result<NewWebhook> parseNew(const QJsonObject &body);
// PATCH /v1/webhooks/{id} (merge patch): url, events, enabled. Read-only fields are named
// in a 400.
Result<WebhookPatch> parsePatch(const QJsonObject &body);
// POST …:rotateSecret: grace_seconds 0-86400, default 86400.
Result<int> parseRotation(const QJsonObject &body);

// The subscription as the API shows it; `state` is derived from `now` and the degraded
// period. Never a secret: the caller adds it to the two answers that show one.
QJsonObject toJson(const Webhook &webhook, const QDateTime &now, qint64 degradedAfterSeconds);
QString stateOf(const Webhook &webhook, const QDateTime &now, qint64 degradedAfterSeconds);
QJsonObject deliveryToJson(const Delivery &delivery, const QList<DeliveryAttemptRecord> &attempts);
QByteArray etag(const Webhook &webhook);

} // namespace quorum::webhookjson
