#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace quorum::crypto {

// Seals secrets at rest (webhook secrets, signing keys) with AES-256-GCM under the server's
// 32-byte master key, and derives the sub-keys other parts need (cursors, signed URLs).
// Sealed format: 1 version byte (0x01) | 12-byte random nonce | ciphertext | 16-byte tag.
// Immutable after construction, so one instance may be shared between threads.
class SecretBox
{
public:
    static constexpr int KeySize = 32;
    static constexpr int NonceSize = 12;
    static constexpr int TagSize = 16;
    static constexpr char Version = 0x01;

    explicit SecretBox(QByteArray masterKey);

    bool isValid() const;

    QByteArray seal(QByteArrayView plaintext, QByteArrayView associatedData = {}) const;

    // nullopt on any tampering, a wrong key, wrong associated data or truncated input.
    std::optional<QByteArray> open(QByteArrayView sealed, QByteArrayView associatedData = {}) const;

    // Hex of the first 16 bytes of SHA-256("quorum-master-key-fingerprint:" + key): lets
    // nodes compare keys without revealing them.
    QByteArray fingerprint() const;

    // HMAC-SHA256(masterKey, "quorum-derive:" + purpose): a 32-byte sub-key per purpose.
    QByteArray deriveKey(QByteArrayView purpose) const;

private:
    QByteArray m_key;
};

} // namespace quorum::crypto
