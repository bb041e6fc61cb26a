#include "SigningKeyRing.h"

#include "auth/AuditLog.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Jwt.h"
#include "crypto/SecretBox.h"
#include "store/Database.h"
#include "store/SigningKeyRepository.h"

#include <QJsonArray>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcKeys, "quorum.keys")

namespace quorum {

namespace {

// Published a little past the last token's expiry, for clocks a second or two apart.
constexpr qint64 kPublishMarginMs = 60 * 1000;

QByteArray keyContext(const QString &kid)
{
    return "signing-key:" + kid.toUtf8();
}

} // namespace

SigningKeyRing::SigningKeyRing(Database &database, const crypto::SecretBox &box, const Clock &clock,
                               AuditLog &audit, qint64 rotationSeconds, int tokenTtlSeconds)
    : m_database(database)
    , m_box(box)
    , m_clock(clock)
    , m_audit(audit)
    , m_rotationMs(rotationSeconds * 1000)
    , m_tokenTtlMs(qint64(tokenTtlSeconds) * 1000)
{ }

Status SigningKeyRing::refresh()
{
    const QDateTime now = m_clock.now();
    Database::WriteTransaction transaction(m_database);
    if (!transaction.isActive())
        return Error{ErrorCode::Unavailable, QStringLiteral("Cannot lock the signing keys.")};
    SigningKeyRepository repository(transaction.db());

    auto stored = repository.all();
    if (!stored)
        return stored.error();

    const StoredSigningKey *current = nullptr;
    for (const StoredSigningKey &key : *stored) {
        if (!key.retiredAt.isValid())
            current = &key;
    }

    const bool rotating = !current
        || current->createdAt.toMSecsSinceEpoch() + m_rotationMs <= now.toMSecsSinceEpoch();
    if (rotating) {
        const QDateTime publishUntil = now.addMSecs(m_tokenTtlMs + kPublishMarginMs);
        if (current) {
            if (const Status retired = repository.retire(current->kid, now, publishUntil); !retired)
                return retired;
        }
        const crypto::SigningKey key = crypto::SigningKey::generateEd25519();
        StoredSigningKey fresh;
        fresh.kid = ids::generate(u"key");
        fresh.algorithm = key.algorithm();
        fresh.privateSealed = m_box.seal(key.privatePem(), keyContext(fresh.kid));
        fresh.publicKey = key.publicRaw();
        fresh.createdAt = now;
        if (const Status inserted = repository.insert(fresh); !inserted)
            return inserted;

        AuditEntry entry;
        entry.action = QStringLiteral("signing_key.rotated");
        entry.targetId = fresh.kid;
        entry.detail = {{QStringLiteral("previous_kid"), current ? current->kid : QString()}};
        m_audit.record(entry, transaction.db());
        qCInfo(lcKeys) << "join-token signing key rotated to" << fresh.kid;
    }
    if (const Status removed = repository.removePublishedBefore(now); !removed)
        return removed;

    stored = repository.all();
    if (!stored)
        return stored.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed;

    QList<Published> published;
    Current newCurrent;
    for (const StoredSigningKey &key : std::as_const(*stored)) {
        const auto pem = m_box.open(key.privateSealed, keyContext(key.kid));
        const auto signingKey = pem ? crypto::SigningKey::fromPrivatePem(*pem) : std::nullopt;
        if (!signingKey) {
            qCCritical(lcKeys) << "cannot open signing key" << key.kid
                               << "(was the master key changed?)";
            return Error{ErrorCode::Internal,
                         QStringLiteral("A signing key cannot be opened with this master key.")};
        }
        published << Published{key.kid, *signingKey,
                               key.retiredAt.isValid() ? key.publishUntil.toMSecsSinceEpoch() : 0};
        if (!key.retiredAt.isValid())
            newCurrent = {key.kid, *signingKey};
    }

    {
        QWriteLocker lock(&m_lock);
        m_published = published;
        m_current = newCurrent;
    }
    // The other nodes must verify tokens signed with the new key before their next refresh.
    if (rotating && m_rotatedHook)
        m_rotatedHook();
    return success();
}

SigningKeyRing::Current SigningKeyRing::current() const
{
    QReadLocker lock(&m_lock);
    return m_current;
}

QJsonObject SigningKeyRing::jwks() const
{
    const qint64 now = m_clock.nowMs();
    QJsonArray keys;
    QReadLocker lock(&m_lock);
    for (const Published &key : m_published) {
        if (key.publishUntilMs == 0 || key.publishUntilMs > now)
            keys.append(crypto::jwt::publicJwk(key.kid, key.key));
    }
    return {{QStringLiteral("keys"), keys}};
}

QByteArray SigningKeyRing::publicKeyFor(const QString &kid) const
{
    const qint64 now = m_clock.nowMs();
    QReadLocker lock(&m_lock);
    for (const Published &key : m_published) {
        if (key.kid == kid && (key.publishUntilMs == 0 || key.publishUntilMs > now))
            return key.key.publicRaw();
    }
    return {};
}

} // namespace quorum
