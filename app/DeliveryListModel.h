#pragma once

#include "PagedListModel.h"

namespace quorum {

// The deliveries of one webhook subscription, newest first as the API orders them, each with
// its attempt_log.
class DeliveryListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryListModel)
    QML_ELEMENT
    Q_PROPERTY(QString webhookId READ webhookId WRITE setWebhookId NOTIFY webhookIdChanged)

public:
    explicit DeliveryListModel(QObject *parent = nullptr);

    QString webhookId() const { return m_webhookId; }
    void setWebhookId(const QString &webhookId);

    Q_INVOKABLE quorum::ApiCall *redeliver(const QString &deliveryId);

Q_SIGNALS:
    void webhookIdChanged();

protected:
    QString path() const override;
    QString itemsKey() const override;

private:
    QString m_webhookId;
};

} // namespace quorum
