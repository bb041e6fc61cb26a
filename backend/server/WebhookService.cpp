#include "WebhookService.h"

#include "auth/AuditLog.h"
#include "core/Clock.h"
#include "core/EventTypes.h"
#include "core/Ids.h"
#include "crypto/Random.h"
#include "store/Database.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcWebhookApi, "quorum.webhooks.api")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

Error notFound()
{
    return {ErrorCode::NotFound, u"No webhook subscription with this id."_s};
}

Status checkVersion(const Webhook &webhook, std::optional<qint64> ifMatchVersion)
{
    if (ifMatchVersion && *ifMatchVersion != webhook.version)
        return Error{ErrorCode::PreconditionFailed,
                     u"The subscription changed since you read it (If-Match is stale); read it "
                     "again and retry."_s};
    return success();
}

bool mayManage(const Credential &caller, const Webhook &webhook)
{
    if (webhook.workspaceId != caller.workspaceId)
        return false;
    // An app acting for an admin still manages only its own: other clients' subscriptions
    // are for the workspace's people to see, not for every app they authorised.
    if (caller.firstParty && caller.isAdmin())
        return true;
    const auto [kind, id] = WebhookService::ownerOf(caller);
    return webhook.ownerKind == kind && webhook.ownerId == id;
}

QString newSecret()
{
    return crypto::randomToken(u"whsec_", 32);
}

} // namespace

WebhookService::WebhookService(Database &database, const crypto::SecretBox &box, const Clock &clock,
                               AuditLog &audit, int maxSubscriptionsPerClient)
    : m_database(database)
    , m_box(box)
    , m_clock(clock)
    , m_audit(audit)
    , m_maxSubscriptionsPerClient(maxSubscriptionsPerClient)
{ }

QPair<QString, QString> WebhookService::ownerOf(const Credential &caller)
{
    if (caller.firstParty || caller.clientId.isEmpty())
        return {u"user"_s, caller.userId};
    return {u"app"_s, caller.clientId};
}

std::optional<QString> WebhookService::scopeProblem(const QStringList &events,
                                                    const QStringList &scopes)
{
    for (const QString &event : events) {
        const QString needed = eventtypes::requiredScope(event);
        if (!needed.isEmpty() && !scopes.contains(needed))
            return u"receiving %1 needs the %2 scope, which the token lacks"_s.arg(event, needed);
    }
    return std::nullopt;
}

Result<Webhook> WebhookService::load(QSqlDatabase db, const Credential &caller, const QString &id)
{
    auto webhook = WebhookRepository(std::move(db), m_box).byId(id);
    if (!webhook || !mayManage(caller, *webhook))
        return notFound();
    return *webhook;
}

void WebhookService::audit(const Credential &caller, const QString &action, const Webhook &webhook,
                           QSqlDatabase db)
{
    AuditEntry entry;
    entry.workspaceId = webhook.workspaceId;
    entry.action = action;
    entry.actorId = caller.userId.isEmpty() ? caller.tokenId : caller.userId;
    entry.targetId = webhook.id;
    entry.detail = {{u"url"_s, webhook.url},
                    {u"events"_s, QJsonArray::fromStringList(webhook.events)},
                    {u"enabled"_s, webhook.enabled},
                    {u"owner_kind"_s, webhook.ownerKind},
                    {u"owner_id"_s, webhook.ownerId}};
    m_audit.record(entry, std::move(db));
}

Result<WebhookView> WebhookService::create(const Credential &caller, const QString &url,
                                           const QStringList &events)
{
    QStringList scopes(caller.scopes.cbegin(), caller.scopes.cend());
    scopes.sort();
    if (const auto problem = scopeProblem(events, scopes))
        return Error{ErrorCode::PolicyRefused, *problem, {{u"events"_s, *problem}}};

    const QDateTime now = m_clock.now();
    const QString secret = newSecret();
    Webhook webhook;
    webhook.id = ids::generate(u"wh");
    webhook.workspaceId = caller.workspaceId;
    std::tie(webhook.ownerKind, webhook.ownerId) = ownerOf(caller);
    webhook.ownerUserId = caller.userId;
    webhook.scopes = scopes;
    webhook.url = url;
    webhook.events = events;
    webhook.enabled = true;
    webhook.secretSealed = WebhookRepository::sealSecret(m_box, webhook.id, secret);
    webhook.version = 1;
    webhook.createdAt = now;
    webhook.updatedAt = now;

    Database::WriteTransaction transaction(m_database);
    WebhookRepository webhooks(transaction.db(), m_box);

    // Every subscription multiplies each event into one more delivery: a client gets a bounded
    // number of them.
    const auto owned = webhooks.countOwned(
        WebhookFilter{webhook.workspaceId, webhook.ownerKind, webhook.ownerId});
    if (!owned)
        return owned.error();
    if (*owned >= m_maxSubscriptionsPerClient)
        return Error{
            ErrorCode::PolicyRefused,
            u"A client may hold at most %1 subscriptions in a workspace; delete one first."_s.arg(
                m_maxSubscriptionsPerClient)};

    if (const Status inserted = webhooks.insert(webhook); !inserted)
        return inserted.error();
    audit(caller, u"webhook.created"_s, webhook, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    qCDebug(lcWebhookApi) << "subscription created" << webhook.id;
    return WebhookView{webhook, secret};
}

Result<Webhook> WebhookService::get(const Credential &caller, const QString &id)
{
    return load(m_database.connection(), caller, id);
}

Result<Webhook> WebhookService::update(const Credential &caller, const QString &id,
                                       const WebhookPatch &patch,
                                       std::optional<qint64> ifMatchVersion)
{
    Database::WriteTransaction transaction(m_database);
    auto current = load(transaction.db(), caller, id);
    if (!current)
        return current;
    if (const Status fresh = checkVersion(*current, ifMatchVersion); !fresh)
        return fresh.error();

    // The events must be receivable both by the subscription's client and by the caller.
    if (patch.events) {
        QStringList scopes;
        for (const QString &scope : std::as_const(current->scopes)) {
            if (caller.hasScope(scope))
                scopes << scope;
        }
        if (const auto problem = scopeProblem(*patch.events, scopes))
            return Error{ErrorCode::PolicyRefused, *problem, {{u"events"_s, *problem}}};
    }

    const QDateTime now = m_clock.now();
    Webhook changed = *current;
    if (patch.url)
        changed.url = *patch.url;
    if (patch.events)
        changed.events = *patch.events;
    if (patch.enabled && *patch.enabled != current->enabled) {
        changed.enabled = *patch.enabled;
        changed.disabledReason = changed.enabled ? QString() : u"client"_s;
        // A re-enabled subscription starts with a clean record: its old failures are history.
        if (changed.enabled)
            changed.failingSince = QDateTime();
    }
    if (changed.url == current->url && changed.events == current->events
        && changed.enabled == current->enabled)
        return current;

    changed.version = current->version + 1;
    changed.updatedAt = now;
    WebhookRepository webhooks(transaction.db(), m_box);
    if (const Status updated = webhooks.update(changed, current->version); !updated)
        return updated.error();
    if (!changed.enabled && current->enabled) {
        const auto cancelled = DeliveryRepository(transaction.db()).cancelPending(id, now);
        if (!cancelled)
            return cancelled.error();
    }
    audit(caller, u"webhook.updated"_s, changed, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return changed;
}

Status WebhookService::remove(const Credential &caller, const QString &id,
                              std::optional<qint64> ifMatchVersion)
{
    Database::WriteTransaction transaction(m_database);
    auto current = load(transaction.db(), caller, id);
    if (!current)
        return current.error();
    if (const Status fresh = checkVersion(*current, ifMatchVersion); !fresh)
        return fresh;

    // A tombstone, not a DELETE: the deliveries keep their subscription row (and their
    // history), and a dispatcher attempt in flight still finds what it refers to.
    const QDateTime now = m_clock.now();
    Webhook gone = *current;
    gone.enabled = false;
    gone.disabledReason = u"deleted"_s;
    gone.secretSealed = WebhookRepository::sealSecret(m_box, id, newSecret());
    gone.previousSecretSealed.clear();
    gone.previousSecretUntil = QDateTime();
    gone.version = current->version + 1;
    gone.updatedAt = now;
    if (const Status updated
        = WebhookRepository(transaction.db(), m_box).update(gone, current->version);
        !updated)
        return updated;
    if (const auto cancelled = DeliveryRepository(transaction.db()).cancelPending(id, now);
        !cancelled)
        return cancelled.error();
    audit(caller, u"webhook.deleted"_s, gone, transaction.db());
    return transaction.commit();
}

Result<Page<Webhook>> WebhookService::list(const Credential &caller, const PageRequest &page)
{
    WebhookFilter filter;
    filter.workspaceId = caller.workspaceId;
    if (!(caller.firstParty && caller.isAdmin()))
        std::tie(filter.ownerKind, filter.ownerId) = ownerOf(caller);
    return WebhookRepository(m_database.connection(), m_box).list(filter, page);
}

Result<WebhookView> WebhookService::rotateSecret(const Credential &caller, const QString &id,
                                                 int graceSeconds)
{
    Database::WriteTransaction transaction(m_database);
    auto current = load(transaction.db(), caller, id);
    if (!current)
        return current.error();

    // The current secret becomes the previous one; whatever was previous ends now.
    const QDateTime now = m_clock.now();
    const QString secret = newSecret();
    Webhook rotated = *current;
    rotated.secretSealed = WebhookRepository::sealSecret(m_box, id, secret);
    if (graceSeconds > 0) {
        const auto oldSecret = WebhookRepository::openSecret(m_box, id, current->secretSealed);
        if (!oldSecret)
            return Error{ErrorCode::Internal, u"The current secret cannot be opened."_s};
        rotated.previousSecretSealed = WebhookRepository::sealSecret(m_box, id, *oldSecret);
        rotated.previousSecretUntil = now.addSecs(graceSeconds);
    } else {
        rotated.previousSecretSealed.clear();
        rotated.previousSecretUntil = QDateTime();
    }
    rotated.version = current->version + 1;
    rotated.updatedAt = now;
    if (const Status updated
        = WebhookRepository(transaction.db(), m_box).update(rotated, current->version);
        !updated)
        return updated.error();
    audit(caller, u"webhook.secret_rotated"_s, rotated, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return WebhookView{rotated, secret};
}

Result<Delivery> WebhookService::sendTest(const Credential &caller, const QString &id)
{
    Database::WriteTransaction transaction(m_database);
    auto webhook = load(transaction.db(), caller, id);
    if (!webhook)
        return webhook.error();
    if (!webhook->enabled)
        return Error{ErrorCode::Conflict,
                     u"The subscription is disabled; enable it before sending a test."_s};

    const QDateTime now = m_clock.now();
    Delivery delivery;
    delivery.id = ids::generate(u"dlv");
    delivery.webhookId = id;
    delivery.workspaceId = webhook->workspaceId;
    delivery.eventId = ids::generate(u"evt");
    delivery.eventType = eventtypes::WebhookTest;
    delivery.body = DeliveryRepository::eventBody(delivery.eventType, delivery.eventId, now,
                                                  {{u"webhook_id"_s, id}});
    delivery.createdAt = now;
    delivery.nextAttemptAt = now;
    if (const Status queued = DeliveryRepository(transaction.db()).insertPending(delivery); !queued)
        return queued.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return delivery;
}

Result<DeliveryPage> WebhookService::deliveries(const Credential &caller, const QString &id,
                                                const PageRequest &page)
{
    QSqlDatabase db = m_database.connection();
    if (auto webhook = load(db, caller, id); !webhook)
        return webhook.error();

    DeliveryRepository repository(db);
    auto listed = repository.listForWebhook(id, page);
    if (!listed)
        return listed.error();
    QStringList ids;
    for (const Delivery &delivery : std::as_const(listed->items))
        ids << delivery.id;
    auto attempts = repository.attemptsOf(ids);
    if (!attempts)
        return attempts.error();
    return DeliveryPage{*listed, *attempts};
}

Result<DeliveryView> WebhookService::redeliver(const Credential &caller, const QString &webhookId,
                                               const QString &deliveryId)
{
    Database::WriteTransaction transaction(m_database);
    auto webhook = load(transaction.db(), caller, webhookId);
    if (!webhook)
        return webhook.error();
    DeliveryRepository deliveries(transaction.db());
    const auto delivery = deliveries.byId(deliveryId);
    if (!delivery || delivery->webhookId != webhookId)
        return Error{ErrorCode::NotFound, u"No delivery with this id for this subscription."_s};
    if (!webhook->enabled)
        return Error{ErrorCode::Conflict,
                     u"The subscription is disabled; enable it before redelivering."_s};

    const QDateTime now = m_clock.now();
    if (const Status requeued = deliveries.requeue(deliveryId, now); !requeued)
        return requeued.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    DeliveryRepository reader(m_database.connection());
    DeliveryView view{reader.byId(deliveryId).value_or(*delivery), {}};
    if (auto attempts = reader.attemptsOf({deliveryId}))
        view.attempts = attempts->value(deliveryId);
    return view;
}

} // namespace quorum
