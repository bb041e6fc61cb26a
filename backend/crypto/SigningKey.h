#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <memory>
#include <optional>

// Declared here so that users of SigningKey need no OpenSSL headers.
typedef struct evp_pkey_st EVP_PKEY;

namespace quorum::crypto {

// A private key that signs JWTs. Ed25519 today; algorithm() leaves room for RS256/ES256.
// Copies share the same OpenSSL key (reference-counted); sign() may run on several threads
// at once because each call uses its own digest context.
class SigningKey
{
public:
    SigningKey();
    SigningKey(const SigningKey &other);
    SigningKey &operator=(const SigningKey &other);
    SigningKey(SigningKey &&other) noexcept;
    SigningKey &operator=(SigningKey &&other) noexcept;
    ~SigningKey();

    static SigningKey generateEd25519();

    // PKCS#8 PEM ("BEGIN PRIVATE KEY"); nullopt for anything else or a non-Ed25519 key.
    static std::optional<SigningKey> fromPrivatePem(QByteArrayView pem);

    // The 32-byte Ed25519 seed (RFC 8032's private key); nullopt on a wrong length.
    static std::optional<SigningKey> fromPrivateRaw(QByteArrayView seed);

    QByteArray privatePem() const; // PKCS#8 PEM: seal it before storing it
    QByteArray publicRaw() const; // 32 bytes for Ed25519
    QString algorithm() const; // JOSE name: "EdDSA"; empty for a null key
    QByteArray sign(QByteArrayView data) const;
    bool isNull() const;

private:
    struct PkeyDeleter
    {
        void operator()(EVP_PKEY *key) const;
    };
    using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

    explicit SigningKey(PkeyPtr key);

    PkeyPtr m_key;
};

// Verifies an Ed25519 signature against a raw 32-byte public key.
bool verifyEd25519(QByteArrayView publicRaw, QByteArrayView data, QByteArrayView signature);

} // namespace quorum::crypto
