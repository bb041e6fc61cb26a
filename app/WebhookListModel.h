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

public:
    explicit WebhookListModel(QObject *parent = nullptr);

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
