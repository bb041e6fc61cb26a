#include "SecretBox.h"

#include "Hashing.h"
#include "OpenSsl.h"
#include "Random.h"

#include <openssl/crypto.h>

#include <climits>

namespace quorum::crypto {

namespace {

constexpr int HeaderSize = 1 + SecretBox::NonceSize;
constexpr int OverheadSize = HeaderSize + SecretBox::TagSize;

// EVP counts in int; anything larger than this is not a secret we would seal.
constexpr qsizetype MaxInputSize = INT_MAX - OverheadSize;

unsigned char *writable(QByteArray &bytes, qsizetype offset = 0)
{
    return reinterpret_cast<unsigned char *>(bytes.data()) + offset;
}

// Feeds associated data to an initialised GCM context (en- or decrypting alike).
bool addAssociatedData(EVP_CIPHER_CTX *ctx, QByteArrayView associatedData, bool encrypt)
{
    if (associatedData.isEmpty())
        return true;

    int length = 0;
    const auto size = static_cast<int>(associatedData.size());
    return encrypt ? EVP_EncryptUpdate(ctx, nullptr, &length, bytesOf(associatedData), size) == 1
                   : EVP_DecryptUpdate(ctx, nullptr, &length, bytesOf(associatedData), size) == 1;
}

} // namespace

SecretBox::SecretBox(QByteArray masterKey)
    : m_key(std::move(masterKey))
{
    Q_ASSERT_X(m_key.size() == KeySize, "SecretBox", "the master key must be 32 bytes");
    if (m_key.size() != KeySize)
        qCWarning(lcCrypto) << "SecretBox: a master key of" << m_key.size() << "bytes is unusable";
}

bool SecretBox::isValid() const
{
    return m_key.size() == KeySize;
}

QByteArray SecretBox::seal(QByteArrayView plaintext, QByteArrayView associatedData) const
{
    if (!isValid() || plaintext.size() > MaxInputSize || associatedData.size() > MaxInputSize)
        return {};

    // A fresh random nonce per seal: 96 bits keep collisions negligible for the number of
    // secrets a server ever seals under one key.
    QByteArray sealed(OverheadSize + plaintext.size(), Qt::Uninitialized);
    sealed[0] = Version;
    const QByteArray nonce = randomBytes(NonceSize);
    std::copy(nonce.cbegin(), nonce.cend(), sealed.begin() + 1);

    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    bool ok = ctx
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytesOf(m_key), bytesOf(nonce))
            == 1
        && addAssociatedData(ctx.get(), associatedData, true);
    if (ok && !plaintext.isEmpty()) {
        ok = EVP_EncryptUpdate(ctx.get(), writable(sealed, HeaderSize), &length, bytesOf(plaintext),
                               static_cast<int>(plaintext.size()))
            == 1;
    }
    int finalLength = 0;
    ok = ok
        && EVP_EncryptFinal_ex(ctx.get(), writable(sealed, HeaderSize + length), &finalLength) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, TagSize,
                               writable(sealed, HeaderSize + plaintext.size()))
            == 1;

    if (!ok) {
        discardOpenSslErrors();
        qCCritical(lcCrypto) << "AES-256-GCM sealing failed in OpenSSL";
        return {};
    }
    return sealed;
}

std::optional<QByteArray> SecretBox::open(QByteArrayView sealed,
                                          QByteArrayView associatedData) const
{
    if (!isValid() || sealed.size() < OverheadSize || sealed.size() > INT_MAX
        || associatedData.size() > MaxInputSize || sealed.front() != Version) {
        return std::nullopt;
    }

    const qsizetype cipherSize = sealed.size() - OverheadSize;
    const QByteArrayView nonce = sealed.sliced(1, NonceSize);
    const QByteArrayView ciphertext = sealed.sliced(HeaderSize, cipherSize);
    QByteArray tag = sealed.last(TagSize).toByteArray();
    QByteArray plaintext(cipherSize, Qt::Uninitialized);

    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    int length = 0;
    bool ok = ctx
        && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytesOf(m_key), bytesOf(nonce))
            == 1
        && addAssociatedData(ctx.get(), associatedData, false);
    if (ok && cipherSize > 0) {
        ok = EVP_DecryptUpdate(ctx.get(), writable(plaintext), &length, bytesOf(ciphertext),
                               static_cast<int>(cipherSize))
            == 1;
    }
    // The tag is checked in the final step; nothing is returned unless it matches.
    int finalLength = 0;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, TagSize, writable(tag)) == 1
        && EVP_DecryptFinal_ex(ctx.get(), writable(plaintext, length), &finalLength) == 1;

    if (!ok) {
        discardOpenSslErrors();
        OPENSSL_cleanse(plaintext.data(), size_t(plaintext.size()));
        return std::nullopt;
    }
    return plaintext;
}

QByteArray SecretBox::fingerprint() const
{
    if (!isValid())
        return {};
    return sha256(QByteArrayLiteral("quorum-master-key-fingerprint:") + m_key).first(16).toHex();
}

QByteArray SecretBox::deriveKey(QByteArrayView purpose) const
{
    if (!isValid())
        return {};
    return hmacSha256(m_key, QByteArrayLiteral("quorum-derive:").append(purpose));
}

} // namespace quorum::crypto
