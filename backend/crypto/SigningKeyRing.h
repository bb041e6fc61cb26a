#pragma once

#include "core/Result.h"
#include "crypto/SigningKey.h"

#include <QJsonObject>
#include <QReadWriteLock>

#include <functional>

namespace quorum {

class AuditLog;
class Clock;
class Database;
namespace crypto {
class SecretBox;
}

// The join-token signing keys: the current one signs, retired ones stay published in the
// JWKS until every token they signed has expired, so a verifier never meets an unknown kid.
// Private keys are stored sealed under the master key. Rotation happens under the
// database's write lock, so with several nodes exactly one rotates.
class SigningKeyRing final
{
public:
    SigningKeyRing(Database &database, const crypto::SecretBox &box, const Clock &clock,
                   AuditLog &audit, qint64 rotationSeconds, int tokenTtlSeconds);

    // Loads the keys, creating or rotating the current one when it is missing or due. Every
    // writer takes turns in the transaction that decides, so one node of several rotates.
    Status refresh();
    // Called after this node rotated (set before serving): the others refresh at once.
    void setRotatedHook(std::function<void()> hook) { m_rotatedHook = std::move(hook); }

    struct Current
    {
        QString kid;
        crypto::SigningKey key;
    };
    Current current() const;
    QJsonObject jwks() const;
    // The raw public key of a published key (current or retired but still published), for
    // verifying a join token; empty for an unknown or expired kid.
    QByteArray publicKeyFor(const QString &kid) const;

private:
    struct Published
    {
        QString kid;
        crypto::SigningKey key;
        qint64 publishUntilMs = 0; // 0: current
    };

    Database &m_database;
    const crypto::SecretBox &m_box;
    const Clock &m_clock;
    AuditLog &m_audit;
    qint64 m_rotationMs;
    qint64 m_tokenTtlMs;

    mutable QReadWriteLock m_lock;
    std::function<void()> m_rotatedHook;
    QList<Published> m_published;
    Current m_current;
};

} // namespace quorum
