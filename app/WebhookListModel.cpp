#include "WebhookListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"
#include "core/EventTypes.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

WebhookListModel::WebhookListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"url"_s, u"events"_s, u"enabled"_s, u"state"_s,
                      u"disabled_reason"_s, u"created_at"_s, u"updated_at"_s,
                      u"previous_secret_expires_at"_s, u"failing_since"_s, u"last_success_at"_s},
                     parent)
{ }

QStringList WebhookListModel::eventTypes()
{
    // The server's own list: the app and the server it embeds are one version.
    return eventtypes::subscribable();
}

ApiCall *WebhookListModel::reload(const QString &subscriptionId)
{
    if (!client())
        return failedCall();
    return track(client()->get(u"/v1/webhooks/"_s + subscriptionId),
                 [this](ApiCall *call) { showAnswer(call); });
}

ApiCall *WebhookListModel::create(const QString &url, const QStringList &events)
{
    if (!client())
        return failedCall();
    const QJsonObject body{{"url"_L1, url}, {"events"_L1, QJsonArray::fromStringList(events)}};
    return track(client()->post(u"/v1/webhooks"_s, body),
                 [this](ApiCall *call) { showAnswer(call); });
}

ApiCall *WebhookListModel::rotateSecret(const QString &subscriptionId)
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/webhooks/%1:rotateSecret"_s.arg(subscriptionId)),
                 [this](ApiCall *call) { showAnswer(call); });
}

ApiCall *WebhookListModel::update(const QString &subscriptionId, const QVariantMap &patch)
{
    if (!client())
        return failedCall();
    return track(
        client()->patch(u"/v1/webhooks/"_s + subscriptionId, QJsonObject::fromVariantMap(patch)),
        [this](ApiCall *call) { showAnswer(call); });
}

ApiCall *WebhookListModel::sendTest(const QString &subscriptionId)
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/webhooks/%1:test"_s.arg(subscriptionId)));
}

ApiCall *WebhookListModel::remove(const QString &subscriptionId)
{
    if (!client())
        return failedCall();
    return track(client()->remove(u"/v1/webhooks/"_s + subscriptionId),
                 [this, subscriptionId](ApiCall *) { removeId(subscriptionId); });
}

QString WebhookListModel::path() const
{
    return u"/v1/webhooks"_s;
}

QString WebhookListModel::itemsKey() const
{
    return u"webhooks"_s;
}

void WebhookListModel::showAnswer(ApiCall *call)
{
    QJsonObject subscription = call->json();
    subscription.remove("secret"_L1);
    if (subscription.contains("id"_L1) && subscription.contains("url"_L1))
        upsert(subscription);
    else
        refresh();
}

} // namespace quorum
