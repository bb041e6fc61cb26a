#include "WebhookJson.h"

#include "JsonInput.h"
#include "core/EventTypes.h"
#include "core/TimeRules.h"

#include <QJsonArray>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace quorum::webhookjson {

namespace {

constexpr int kMaxUrlLength = 2048;
constexpr int kMaxGraceSeconds = 86400;

const QStringList kReadOnly{u"id"_s,
                            u"state"_s,
                            u"secret"_s,
                            u"disabled_reason"_s,
                            u"created_at"_s,
                            u"updated_at"_s,
                            u"previous_secret_expires_at"_s,
                            u"failing_since"_s,
                            u"last_success_at"_s};

void readUrl(JsonInput &input, bool required, std::optional<QString> *out)
{
    const auto url = input.string(u"url"_s, required);
    if (!url)
        return;
    if (url->isEmpty() || url->size() > kMaxUrlLength) {
        input.fail(u"url"_s, u"must be 1 to %1 characters"_s.arg(kMaxUrlLength));
        return;
    }
    const QUrl parsed(*url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.isRelative() || parsed.host().isEmpty()) {
        input.fail(u"url"_s, u"must be an absolute http(s) URL with a host"_s);
        return;
    }
    *out = *url;
}

void readEvents(JsonInput &input, bool required, std::optional<QStringList> *out)
{
    const auto events = input.stringList(u"events"_s, required);
    if (!events)
        return;
    if (events->isEmpty()) {
        input.fail(u"events"_s, u"must name at least one event type"_s);
        return;
    }
    QStringList unique;
    for (const QString &event : *events) {
        if (!eventtypes::isSubscribable(event)) {
            input.fail(u"events"_s,
                       u"%1 is not an event type one can subscribe to (one of: %2)"_s.arg(
                           event, eventtypes::subscribable().join(u", ")));
            return;
        }
        if (!unique.contains(event))
            unique << event;
    }
    *out = unique;
}

void rejectNulls(JsonInput &input, const QStringList &names)
{
    for (const QString &name : names) {
        if (input.has(name) && input.isNull(name))
            input.fail(name, u"cannot be null"_s);
    }
}

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(timerules::formatUtc(time)) : QJsonValue(QJsonValue::Null);
}

QJsonValue textOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

} // namespace

Result<NewWebhook> parseNew(const QJsonObject &body)
{
    JsonInput input(body);
    input.allowOnly({u"url"_s, u"events"_s});
    std::optional<QString> url;
    std::optional<QStringList> events;
    readUrl(input, true, &url);
    readEvents(input, true, &events);
    if (!input.ok())
        return input.error();
    return NewWebhook{*url, *events};
}

Result<WebhookPatch> parsePatch(const QJsonObject &body)
{
    JsonInput input(body);
    for (const QString &name : kReadOnly) {
        if (input.has(name))
            input.fail(name, u"is read-only"_s);
    }
    input.allowOnly(QStringList{u"url"_s, u"events"_s, u"enabled"_s} + kReadOnly);
    rejectNulls(input, {u"url"_s, u"events"_s, u"enabled"_s});

    WebhookPatch patch;
    readUrl(input, false, &patch.url);
    readEvents(input, false, &patch.events);
    patch.enabled = input.boolean(u"enabled"_s);
    if (!input.ok())
        return input.error();
    return patch;
}

Result<int> parseRotation(const QJsonObject &body)
{
    JsonInput input(body);
    input.allowOnly({u"grace_seconds"_s});
    const auto grace = input.integer(u"grace_seconds"_s);
    if (grace && (*grace < 0 || *grace > kMaxGraceSeconds))
        input.fail(u"grace_seconds"_s, u"must be from 0 to %1"_s.arg(kMaxGraceSeconds));
    if (!input.ok())
        return input.error();
    return int(grace.value_or(kMaxGraceSeconds));
}

QString stateOf(const Webhook &webhook, const QDateTime &now, qint64 degradedAfterSeconds)
{
    if (!webhook.enabled)
        return u"disabled"_s;
    if (webhook.failingSince.isValid()
        && webhook.failingSince.msecsTo(now) >= degradedAfterSeconds * 1000)
        return u"degraded"_s;
    return u"active"_s;
}

QJsonObject toJson(const Webhook &webhook, const QDateTime &now, qint64 degradedAfterSeconds)
{
    // A previous secret whose grace is over is no longer live: shown as none.
    const bool graceRunning
        = webhook.previousSecretUntil.isValid() && now < webhook.previousSecretUntil;
    return {
        {u"id"_s, webhook.id},
        {u"url"_s, webhook.url},
        {u"events"_s, QJsonArray::fromStringList(webhook.events)},
        {u"enabled"_s, webhook.enabled},
        {u"state"_s, stateOf(webhook, now, degradedAfterSeconds)},
        {u"disabled_reason"_s, textOrNull(webhook.disabledReason)},
        {u"created_at"_s, timeOrNull(webhook.createdAt)},
        {u"updated_at"_s, timeOrNull(webhook.updatedAt)},
        {u"previous_secret_expires_at"_s,
         graceRunning ? timeOrNull(webhook.previousSecretUntil) : QJsonValue(QJsonValue::Null)},
        {u"failing_since"_s, timeOrNull(webhook.failingSince)},
        {u"last_success_at"_s, timeOrNull(webhook.lastSuccessAt)},
    };
}

QJsonObject deliveryToJson(const Delivery &delivery, const QList<DeliveryAttemptRecord> &attempts)
{
    QJsonArray log;
    for (const DeliveryAttemptRecord &attempt : attempts) {
        log.append(QJsonObject{
            {u"number"_s, attempt.number},
            {u"attempted_at"_s, timeOrNull(attempt.attemptedAt)},
            {u"status_code"_s,
             attempt.statusCode ? QJsonValue(*attempt.statusCode) : QJsonValue(QJsonValue::Null)},
            {u"error"_s, textOrNull(attempt.error)},
            {u"latency_ms"_s,
             attempt.latencyMs ? QJsonValue(*attempt.latencyMs) : QJsonValue(QJsonValue::Null)},
        });
    }
    return {
        {u"id"_s, delivery.id},
        {u"event_id"_s, delivery.eventId},
        {u"event"_s, delivery.eventType},
        {u"state"_s, delivery.state},
        {u"attempts"_s, delivery.attempts},
        {u"next_attempt_at"_s, timeOrNull(delivery.nextAttemptAt)},
        {u"created_at"_s, timeOrNull(delivery.createdAt)},
        {u"completed_at"_s, timeOrNull(delivery.completedAt)},
        {u"last_status"_s,
         delivery.lastStatus ? QJsonValue(*delivery.lastStatus) : QJsonValue(QJsonValue::Null)},
        {u"last_error"_s, textOrNull(delivery.lastError)},
        {u"attempt_log"_s, log},
    };
}

QByteArray etag(const Webhook &webhook)
{
    return "\"v" + QByteArray::number(webhook.version) + '"';
}

} // namespace quorum::webhookjson
