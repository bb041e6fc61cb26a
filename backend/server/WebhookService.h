#pragma once

#include "auth/Credential.h"
#include "core/Result.h"
#include "store/Database.h"
#include "store/DeliveryRepository.h"
#include "store/Keyset.h"
#include "store/WebhookRepository.h"

#include <optional>

namespace quorum {

class AuditLog;
class Clock;
namespace crypto {
class SecretBox;
}

// A subscription with, in the two answers that show it, its secret.
struct WebhookView
{
    Webhook webhook;
    std::optional<QString> secret; // set only by create and rotateSecret
};

// What a PATCH may change; each field is absent when the patch leaves it alone.
struct WebhookPatch
{
    std::optional<QString> url;
    std::optional<QStringList> events;
    std::optional<bool> enabled;
};

// One delivery with its attempts.
struct DeliveryView
{
    Delivery delivery;
    QList<DeliveryAttemptRecord> attempts;
};

// A page of deliveries with the attempts of each.
struct DeliveryPage
{
    Page<Delivery> page;
    QHash<QString, QList<DeliveryAttemptRecord>> attempts;
};

// Webhook subscriptions and their deliveries, with the ownership rules of DESIGN.md
// *Permissions* applied to every object: each client sees and manages its own subscriptions
// (a user's first-party credentials as one client, each app as another), admins signed in
// first-party see all of the workspace, and any other subscription is NotFound. URLs arrive
// already checked by the URL guard; the events are checked here against the scopes.
class WebhookService final
{
public:
    WebhookService(Database &database, const crypto::SecretBox &box, const Clock &clock,
                   AuditLog &audit, int maxSubscriptionsPerClient);

    Result<WebhookView> create(const Credential &caller, const QString &url,
                               const QStringList &events);
    Result<Webhook> get(const Credential &caller, const QString &id);
    Result<Webhook> update(const Credential &caller, const QString &id, const WebhookPatch &patch,
                           std::optional<qint64> ifMatchVersion);
    Status remove(const Credential &caller, const QString &id,
                  std::optional<qint64> ifMatchVersion);
    Result<Page<Webhook>> list(const Credential &caller, const PageRequest &page);
    // A new secret; the current one stays valid for `graceSeconds` (none when 0) and any
    // earlier one ends at once, so at most two are ever live.
    Result<WebhookView> rotateSecret(const Credential &caller, const QString &id, int graceSeconds);
    // Queues a webhook.test ping whose data is {"webhook_id": id}.
    Result<Delivery> sendTest(const Credential &caller, const QString &id);
    Result<DeliveryPage> deliveries(const Credential &caller, const QString &id,
                                    const PageRequest &page);
    Result<DeliveryView> redeliver(const Credential &caller, const QString &webhookId,
                                   const QString &deliveryId);

    // The owner a caller's subscriptions get: ("user", user id) for first-party credentials,
    // ("app", client id) for an app's.
    static QPair<QString, QString> ownerOf(const Credential &caller);
    // Empty when the events are all receivable with `scopes`, else the first refusal.
    static std::optional<QString> scopeProblem(const QStringList &events,
                                               const QStringList &scopes);

private:
    Result<Webhook> load(QSqlDatabase db, const Credential &caller, const QString &id);
    void audit(const Credential &caller, const QString &action, const Webhook &webhook,
               QSqlDatabase db);

    Database &m_database;
    const crypto::SecretBox &m_box;
    const Clock &m_clock;
    AuditLog &m_audit;
    int m_maxSubscriptionsPerClient;
};

} // namespace quorum
