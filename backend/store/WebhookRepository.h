#pragma once

#include "Keyset.h"
#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace quorum::crypto {
class SecretBox;
}

namespace quorum {

// A webhook subscription as stored (resources/migrations/003_webhooks.sql). The secrets stay
// sealed here; WebhookRepository::openSecret opens them for the one answer that shows a
// secret and for signing.
struct Webhook
{
    QString id; // wh_
    QString workspaceId;
    QString ownerKind; // "user" or "app"
    QString ownerId; // the user id or the app's client id
    QString ownerUserId; // whose rights bound the events; empty for an app acting for all
    QStringList scopes; // the creating credential's
    QString url;
    QStringList events;
    bool enabled = true;
    QString disabledReason; // "client", "failing", "deleted" (a tombstone), or empty
    QByteArray secretSealed;
    QByteArray previousSecretSealed; // empty when there is no previous secret
    QDateTime previousSecretUntil;
    QDateTime failingSince;
    QDateTime lastSuccessAt;
    qint64 version = 1;
    QDateTime createdAt;
    QDateTime updatedAt;

    bool isDeleted() const { return disabledReason == u"deleted"; }
};

// Who may see a subscription in a list: every one of the workspace (admins), or one client's.
struct WebhookFilter
{
    QString workspaceId;
    QString ownerKind; // empty: any owner
    QString ownerId;
};

// The webhooks table. Deleted subscriptions stay as tombstones (enabled 0, disabled_reason
// "deleted") so their deliveries keep their history and an in-flight attempt still finds
// its row; every read here except byIdIncludingDeleted skips them.
class WebhookRepository final
{
public:
    WebhookRepository(QSqlDatabase db, const crypto::SecretBox &box)
        : m_db(std::move(db))
        , m_box(box)
    { }

    Status insert(const Webhook &webhook);
    std::optional<Webhook> byId(const QString &id);
    // Stores every field if the stored version is still `expectedVersion`.
    Status update(const Webhook &webhook, qint64 expectedVersion);
    Result<Page<Webhook>> list(const WebhookFilter &filter, const PageRequest &page);
    // The client's subscriptions in the workspace that are not deleted.
    Result<int> countOwned(const WebhookFilter &filter);

    // Secrets are sealed under the master key, bound to the subscription id.
    static QByteArray sealSecret(const crypto::SecretBox &box, const QString &webhookId,
                                 const QString &secret);
    static std::optional<QString> openSecret(const crypto::SecretBox &box, const QString &webhookId,
                                             const QByteArray &sealed);

private:
    Webhook readWebhook(const class QSqlQuery &query) const;

    QSqlDatabase m_db;
    const crypto::SecretBox &m_box;
};

} // namespace quorum
