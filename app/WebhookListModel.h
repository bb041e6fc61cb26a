#pragma once

#include "PagedListModel.h"

namespace quorum {

// The webhook subscriptions the caller's client sees (admins: all of the workspace's). The
// secret is in the result of create() and rotateSecret() only, once: show it then.
class WebhookListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookListModel)
    QML_ELEMENT
    Q_PROPERTY(QStringList eventTypes READ eventTypes CONSTANT)

public:
    explicit WebhookListModel(QObject *parent = nullptr);

    // The event types a subscription may name, in the API's order (webhook.test, the ping,
    // is sent on request only and cannot be subscribed to).
    static QStringList eventTypes();

    // Reads one subscription again and shows it in place (its state may have changed as
    // deliveries failed or succeeded), without resetting the list.
    Q_INVOKABLE quorum::ApiCall *reload(const QString &subscriptionId);
    Q_INVOKABLE quorum::ApiCall *create(const QString &url, const QStringList &events);
    Q_INVOKABLE quorum::ApiCall *rotateSecret(const QString &subscriptionId);
    // A merge patch: url, events, enabled.
    Q_INVOKABLE quorum::ApiCall *update(const QString &subscriptionId, const QVariantMap &patch);
    Q_INVOKABLE quorum::ApiCall *sendTest(const QString &subscriptionId);
    Q_INVOKABLE quorum::ApiCall *remove(const QString &subscriptionId);

protected:
    QString path() const override;
    QString itemsKey() const override;

private:
    // The subscription of an answer, without its secret, which the list never keeps.
    void showAnswer(ApiCall *call);
};

} // namespace quorum
