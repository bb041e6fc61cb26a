#include "WebhookRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"
#include "crypto/SecretBox.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, workspace_id, owner_kind, owner_id, owner_user_id, scopes, url, events, enabled, "
    "disabled_reason, secret_sealed, previous_secret_sealed, previous_secret_until, "
    "failing_since, last_success_at, version, created_at, updated_at");

QByteArray secretContext(const QString &webhookId)
{
    return "webhook-secret:" + webhookId.toUtf8();
}

QString eventsText(const QStringList &events)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(events)).toJson(QJsonDocument::Compact));
}

QStringList eventsFromText(const QString &text)
{
    QStringList events;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &value : array)
        events << value.toString();
    return events;
}

QVariant sealedText(const QByteArray &sealed)
{
    return sealed.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                            : QVariant(QString::fromLatin1(sealed.toBase64()));
}

QByteArray sealedFrom(const QVariant &value)
{
    return value.isNull() ? QByteArray() : QByteArray::fromBase64(value.toString().toLatin1());
}

} // namespace

Webhook WebhookRepository::readWebhook(const QSqlQuery &query) const
{
    Webhook w;
    w.id = query.value(0).toString();
    w.workspaceId = query.value(1).toString();
    w.ownerKind = query.value(2).toString();
    w.ownerId = query.value(3).toString();
    w.ownerUserId = query.value(4).toString();
    w.scopes = query.value(5).toString().split(u' ', Qt::SkipEmptyParts);
    w.url = query.value(6).toString();
    w.events = eventsFromText(query.value(7).toString());
    w.enabled = query.value(8).toInt() != 0;
    w.disabledReason = query.value(9).toString();
    w.secretSealed = sealedFrom(query.value(10));
    w.previousSecretSealed = sealedFrom(query.value(11));
    w.previousSecretUntil = toTime(query.value(12));
    w.failingSince = toTime(query.value(13));
    w.lastSuccessAt = toTime(query.value(14));
    w.version = query.value(15).toLongLong();
    w.createdAt = toTime(query.value(16));
    w.updatedAt = toTime(query.value(17));
    return w;
}

// Binds every column after the id from `first` on; statements are cached, so binds are by index.
static int bindWebhookFields(QSqlQuery &query, int first, const Webhook &w)
{
    int index = first;
    query.bindValue(index++, w.workspaceId);
    query.bindValue(index++, w.ownerKind);
    query.bindValue(index++, w.ownerId);
    query.bindValue(index++,
                    w.ownerUserId.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                            : QVariant(w.ownerUserId));
    query.bindValue(index++, w.scopes.join(u' '));
    query.bindValue(index++, w.url);
    query.bindValue(index++, eventsText(w.events));
    query.bindValue(index++, w.enabled ? 1 : 0);
    query.bindValue(index++,
                    w.disabledReason.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                               : QVariant(w.disabledReason));
    query.bindValue(index++, sealedText(w.secretSealed));
    query.bindValue(index++, sealedText(w.previousSecretSealed));
    query.bindValue(index++, fromTime(w.previousSecretUntil));
    query.bindValue(index++, fromTime(w.failingSince));
    query.bindValue(index++, fromTime(w.lastSuccessAt));
    query.bindValue(index++, w.version);
    query.bindValue(index++, fromTime(w.createdAt));
    query.bindValue(index++, fromTime(w.updatedAt));
    return index;
}

Status WebhookRepository::insert(const Webhook &webhook)
{
    static const QString sql = QStringLiteral("INSERT INTO webhooks (%1) VALUES (?, ?, ?, ?, ?, "
                                              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                   .arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, webhook.id);
    bindWebhookFields(*query, 1, webhook);
    if (!query->exec())
        return sqlError(*query, "inserting a webhook");
    return success();
}

std::optional<Webhook> WebhookRepository::byId(const QString &id)
{
    static const QString sql
        = QStringLiteral("SELECT %1 FROM webhooks WHERE id = ? AND (disabled_reason IS NULL OR "
                         "disabled_reason <> 'deleted')")
              .arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, id);
    if (!query->exec() || !query->next())
        return std::nullopt;
    return readWebhook(*query);
}

Status WebhookRepository::update(const Webhook &webhook, qint64 expectedVersion)
{
    CachedStatement query(
        m_db,
        QStringLiteral("UPDATE webhooks SET workspace_id = ?, owner_kind = ?, owner_id = ?, "
                       "owner_user_id = ?, scopes = ?, url = ?, events = ?, enabled = ?, "
                       "disabled_reason = ?, secret_sealed = ?, previous_secret_sealed = ?, "
                       "previous_secret_until = ?, failing_since = ?, last_success_at = ?, "
                       "version = ?, created_at = ?, updated_at = ? WHERE id = ? AND version = ?"));
    const int next = bindWebhookFields(*query, 0, webhook);
    query->bindValue(next, webhook.id);
    query->bindValue(next + 1, expectedVersion);
    if (!query->exec())
        return sqlError(*query, "updating a webhook");
    if (query->numRowsAffected() != 1)
        return Error{ErrorCode::PreconditionFailed,
                     QStringLiteral("The subscription changed since it was read.")};
    return success();
}

Result<Page<Webhook>> WebhookRepository::list(const WebhookFilter &filter, const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT %1 FROM webhooks WHERE workspace_id = ? AND "
                                 "(disabled_reason IS NULL OR disabled_reason <> 'deleted')")
                      .arg(kColumns);
    QVariantList values{filter.workspaceId};
    if (!filter.ownerKind.isEmpty()) {
        sql += QStringLiteral(" AND owner_kind = ? AND owner_id = ?");
        values << filter.ownerKind << filter.ownerId;
    }
    return fetchPage<Webhook>(
        m_db, sql, values, QStringLiteral("created_at"), false, page,
        [this](const QSqlQuery &query) { return readWebhook(query); },
        [](const Webhook &webhook) { return webhook.createdAt.toMSecsSinceEpoch(); },
        "listing webhooks");
}

Result<int> WebhookRepository::countOwned(const WebhookFilter &filter)
{
    static const QString sql = QStringLiteral(
        "SELECT COUNT(*) FROM webhooks WHERE workspace_id = ? AND owner_kind = ? AND "
        "owner_id = ? AND (disabled_reason IS NULL OR disabled_reason <> 'deleted')");
    CachedStatement query(m_db, sql);
    query->bindValue(0, filter.workspaceId);
    query->bindValue(1, filter.ownerKind);
    query->bindValue(2, filter.ownerId);
    if (!query->exec() || !query->next())
        return sqlError(*query, "counting webhooks");
    return query->value(0).toInt();
}

QByteArray WebhookRepository::sealSecret(const crypto::SecretBox &box, const QString &webhookId,
                                         const QString &secret)
{
    return box.seal(secret.toUtf8(), secretContext(webhookId));
}

std::optional<QString> WebhookRepository::openSecret(const crypto::SecretBox &box,
                                                     const QString &webhookId,
                                                     const QByteArray &sealed)
{
    if (sealed.isEmpty())
        return std::nullopt;
    const auto plain = box.open(sealed, secretContext(webhookId));
    if (!plain)
        return std::nullopt;
    return QString::fromUtf8(*plain);
}

} // namespace quorum
