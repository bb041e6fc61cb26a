#include "SigningKey.h"

#include "OpenSsl.h"

#include <openssl/pem.h>

namespace quorum::crypto {

namespace {

constexpr int Ed25519KeySize = 32;
constexpr int Ed25519SignatureSize = 64;

// Refuses encrypted PEM instead of letting OpenSSL prompt on the terminal for a passphrase.
int noPassphrase(char *, int, int, void *)
{
    return -1;
}

} // namespace

void SigningKey::PkeyDeleter::operator()(EVP_PKEY *key) const
{
    EVP_PKEY_free(key);
}

SigningKey::SigningKey() = default;

SigningKey::SigningKey(PkeyPtr key)
    : m_key(std::move(key))
{ }

SigningKey::SigningKey(const SigningKey &other)
{
    // Copies share the immutable key; OpenSSL counts the references.
    if (other.m_key && EVP_PKEY_up_ref(other.m_key.get()) == 1)
        m_key.reset(other.m_key.get());
}

SigningKey &SigningKey::operator=(const SigningKey &other)
{
    if (this != &other)
        *this = SigningKey(other);
    return *this;
}

SigningKey::SigningKey(SigningKey &&other) noexcept = default;
SigningKey &SigningKey::operator=(SigningKey &&other) noexcept = default;
SigningKey::~SigningKey() = default;

SigningKey SigningKey::generateEd25519()
{
    PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
    if (!key)
        qFatal("Ed25519 key generation failed in OpenSSL");
    return SigningKey(std::move(key));
}

std::optional<SigningKey> SigningKey::fromPrivatePem(QByteArrayView pem)
{
    // Only PKCS#8 ("PRIVATE KEY"); the traditional and encrypted forms are refused.
    if (!pem.trimmed().startsWith("-----BEGIN PRIVATE KEY-----") || pem.size() > 64 * 1024)
        return std::nullopt;

    BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, noPassphrase, nullptr) : nullptr);
    if (!key || EVP_PKEY_is_a(key.get(), "ED25519") != 1) {
        discardOpenSslErrors();
        return std::nullopt;
    }
    return SigningKey(SigningKey::PkeyPtr(key.release()));
}

std::optional<SigningKey> SigningKey::fromPrivateRaw(QByteArrayView seed)
{
    if (seed.size() != Ed25519KeySize)
        return std::nullopt;

    PkeyPtr key(EVP_PKEY_new_raw_private_key_ex(nullptr, "ED25519", nullptr, bytesOf(seed),
                                                size_t(seed.size())));
    if (!key) {
        discardOpenSslErrors();
        return std::nullopt;
    }
    return SigningKey(SigningKey::PkeyPtr(key.release()));
}

QByteArray SigningKey::privatePem() const
{
    if (!m_key)
        return {};

    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio
        || PEM_write_bio_PKCS8PrivateKey(bio.get(), m_key.get(), nullptr, nullptr, 0, nullptr,
                                         nullptr)
            != 1) {
        discardOpenSslErrors();
        return {};
    }

    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    QByteArray pem(data, size);
    // The BIO's buffer held the private key; wipe it before it is freed.
    OPENSSL_cleanse(data, size_t(size));
    return pem;
}

QByteArray SigningKey::publicRaw() const
{
    if (!m_key)
        return {};

    QByteArray raw(Ed25519KeySize, Qt::Uninitialized);
    size_t length = size_t(raw.size());
    if (EVP_PKEY_get_raw_public_key(m_key.get(), reinterpret_cast<unsigned char *>(raw.data()),
                                    &length)
            != 1
        || length != Ed25519KeySize) {
        discardOpenSslErrors();
        return {};
    }
    return raw;
}

QString SigningKey::algorithm() const
{
    return m_key ? QStringLiteral("EdDSA") : QString();
}

QByteArray SigningKey::sign(QByteArrayView data) const
{
    if (!m_key)
        return {};

    // Setting up a signing context costs more than a tenth of the signature, so each thread
    // keeps one for the key it last signed with (and a reference to that key, so that a new
    // key at the same address is never mistaken for it). The key itself is only read, so
    // threads may sign at once.
    struct ThreadContext
    {
        PkeyPtr key;
        MdCtxPtr ctx;
    };
    thread_local ThreadContext cached;
    auto prepare = [this] {
        cached.ctx.reset(EVP_MD_CTX_new());
        cached.key.reset();
        if (!cached.ctx
            || EVP_DigestSignInit(cached.ctx.get(), nullptr, nullptr, nullptr, m_key.get()) != 1
            || EVP_PKEY_up_ref(m_key.get()) != 1) {
            cached.ctx.reset();
            return false;
        }
        cached.key.reset(m_key.get());
        return true;
    };
    auto signOnce = [&data](QByteArray *signature) {
        size_t length = size_t(signature->size());
        return EVP_DigestSign(cached.ctx.get(),
                              reinterpret_cast<unsigned char *>(signature->data()), &length,
                              bytesOf(data), size_t(data.size()))
            == 1
            && length == Ed25519SignatureSize;
    };

    QByteArray signature(Ed25519SignatureSize, Qt::Uninitialized);
    const bool reused = cached.ctx && cached.key.get() == m_key.get();
    bool ok = (reused || prepare()) && signOnce(&signature);
    if (!ok && reused) // a library that does not let a context sign twice: start afresh
        ok = prepare() && signOnce(&signature);
    if (!ok) {
        cached.ctx.reset();
        cached.key.reset();
        discardOpenSslErrors();
        qCCritical(lcCrypto) << "Ed25519 signing failed in OpenSSL";
        return {};
    }
    return signature;
}

bool SigningKey::isNull() const
{
    return !m_key;
}

bool verifyEd25519(QByteArrayView publicRaw, QByteArrayView data, QByteArrayView signature)
{
    if (publicRaw.size() != Ed25519KeySize || signature.size() != Ed25519SignatureSize)
        return false;

    PkeyPtr key(EVP_PKEY_new_raw_public_key_ex(nullptr, "ED25519", nullptr, bytesOf(publicRaw),
                                               size_t(publicRaw.size())));
    MdCtxPtr ctx(EVP_MD_CTX_new());
    const bool ok = key && ctx
        && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1
        && EVP_DigestVerify(ctx.get(), bytesOf(signature), size_t(signature.size()), bytesOf(data),
                            size_t(data.size()))
            == 1;
    if (!ok)
        discardOpenSslErrors();
    return ok;
}

} // namespace quorum::crypto
