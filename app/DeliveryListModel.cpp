#include "DeliveryListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

using namespace Qt::StringLiterals;

namespace quorum {

DeliveryListModel::DeliveryListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"event"_s, u"event_id"_s, u"state"_s, u"attempts"_s,
                      u"next_attempt_at"_s, u"created_at"_s, u"completed_at"_s, u"last_status"_s,
                      u"last_error"_s, u"attempt_log"_s},
                     parent)
{ }

void DeliveryListModel::setWebhookId(const QString &webhookId)
{
    if (m_webhookId == webhookId)
        return;
    m_webhookId = webhookId;
    Q_EMIT webhookIdChanged();
    // Another subscription's deliveries must not show under this one while its page loads.
    resetItems({});
    refresh();
}

ApiCall *DeliveryListModel::redeliver(const QString &deliveryId)
{
    if (!client())
        return failedCall();
    return track(
        client()->post(u"/v1/webhooks/%1/deliveries/%2:redeliver"_s.arg(m_webhookId, deliveryId)),
        [this](ApiCall *) { refresh(); });
}

QString DeliveryListModel::path() const
{
    return m_webhookId.isEmpty() ? QString() : u"/v1/webhooks/%1/deliveries"_s.arg(m_webhookId);
}

QString DeliveryListModel::itemsKey() const
{
    return u"deliveries"_s;
}

} // namespace quorum
