#include "PasswordHash.h"

#include "Hashing.h"
#include "OpenSsl.h"
#include "Random.h"

#include <QList>

#include <cstdint>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

namespace quorum::crypto::password {

namespace {

constexpr quint64 DefaultN = 32768;
constexpr quint32 DefaultR = 8;
constexpr quint32 DefaultP = 1;
constexpr int SaltSize = 16;
constexpr int HashSize = 32;

// scrypt needs about 128 * r * (N + p) bytes. OpenSSL refuses more than maxmem, so this is
// a ceiling, not an allocation: it lets the default (32 MiB) and somewhat stronger
// parameters through, and stops a corrupt stored string from claiming gigabytes.
constexpr quint64 MaxMemory = 256ull * 1024 * 1024;

struct Parameters
{
    quint64 n = 0;
    quint32 r = 0;
    quint32 p = 0;
};

bool acceptable(const Parameters &params)
{
    const bool powerOfTwo = params.n > 1 && (params.n & (params.n - 1)) == 0;
    return powerOfTwo && params.n <= (1u << 22) && params.r >= 1 && params.r <= 64 && params.p >= 1
        && params.p <= 64 && 128ull * params.r * (params.n + params.p) <= MaxMemory;
}

// Passwords are compared as Unicode NFC in UTF-8 (the OpaqueString profile of RFC 8265),
// so the same password typed on two keyboards verifies.
QByteArray passwordBytes(const QString &password)
{
    return password.normalized(QString::NormalizationForm_C).toUtf8();
}

std::optional<QByteArray> derive(QByteArray passwordUtf8, QByteArrayView salt,
                                 const Parameters &params, int size)
{
    static const KdfPtr scrypt(EVP_KDF_fetch(nullptr, "SCRYPT", nullptr));
    KdfCtxPtr ctx(scrypt ? EVP_KDF_CTX_new(scrypt.get()) : nullptr);
    if (!ctx) {
        qCCritical(lcCrypto) << "scrypt is unavailable in this OpenSSL";
        return std::nullopt;
    }

    // OpenSSL takes the buffers as non-const; it only reads them.
    QByteArray saltBytes = salt.toByteArray();
    uint64_t n = params.n;
    uint32_t r = params.r;
    uint32_t p = params.p;
    uint64_t maxMemory = MaxMemory;
    const OSSL_PARAM settings[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, passwordUtf8.data(),
                                          size_t(passwordUtf8.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, saltBytes.data(),
                                          size_t(saltBytes.size())),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxMemory),
        OSSL_PARAM_construct_end(),
    };
    QByteArray output(size, Qt::Uninitialized);
    const int ok = EVP_KDF_derive(ctx.get(), reinterpret_cast<unsigned char *>(output.data()),
                                  size_t(output.size()), settings);
    OPENSSL_cleanse(passwordUtf8.data(), size_t(passwordUtf8.size()));

    if (ok != 1) {
        discardOpenSslErrors();
        qCWarning(lcCrypto) << "scrypt derivation failed in OpenSSL";
        return std::nullopt;
    }
    return output;
}

std::optional<quint64> parseNumber(QByteArrayView text, QByteArrayView name)
{
    if (!text.startsWith(name) || text.size() <= name.size() || text.size() > name.size() + 10)
        return std::nullopt;

    const QByteArrayView digits = text.sliced(name.size());
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    bool ok = false;
    const quint64 value = digits.toByteArray().toULongLong(&ok);
    return ok ? std::optional(value) : std::nullopt;
}

std::optional<Parameters> parseParameters(QByteArrayView text)
{
    const QList<QByteArray> parts = text.toByteArray().split(',');
    if (parts.size() != 3)
        return std::nullopt;

    const auto n = parseNumber(parts[0], "N=");
    const auto r = parseNumber(parts[1], "r=");
    const auto p = parseNumber(parts[2], "p=");
    if (!n || !r || !p || *r > UINT32_MAX || *p > UINT32_MAX)
        return std::nullopt;

    const Parameters params{*n, quint32(*r), quint32(*p)};
    return acceptable(params) ? std::optional(params) : std::nullopt;
}

std::optional<QByteArray> decodeBase64(QByteArrayView text)
{
    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return std::nullopt;
    return std::move(*decoded);
}

} // namespace

QByteArray hash(const QString &password)
{
    return hashWithParameters(password, DefaultN, DefaultR, DefaultP);
}

QByteArray hashWithParameters(const QString &password, quint64 n, quint32 r, quint32 p)
{
    const Parameters params{n, r, p};
    Q_ASSERT_X(acceptable(params), "password::hashWithParameters", "unusable scrypt parameters");
    if (!acceptable(params))
        return {};

    const QByteArray salt = randomBytes(SaltSize);
    const std::optional<QByteArray> derived
        = derive(passwordBytes(password), salt, params, HashSize);
    if (!derived)
        return {};

    return QByteArrayLiteral("scrypt$N=") + QByteArray::number(n) + ",r=" + QByteArray::number(r)
        + ",p=" + QByteArray::number(p) + '$' + salt.toBase64() + '$' + derived->toBase64();
}

bool verify(const QString &password, QByteArrayView stored)
{
    if (stored.size() > 1024)
        return false;
    const QList<QByteArray> fields = stored.toByteArray().split('$');
    if (fields.size() != 4 || fields[0] != "scrypt")
        return false;

    const std::optional<Parameters> params = parseParameters(fields[1]);
    const std::optional<QByteArray> salt = decodeBase64(fields[2]);
    const std::optional<QByteArray> expected = decodeBase64(fields[3]);
    if (!params || !salt || !expected || expected->size() < 16 || expected->size() > 64)
        return false;

    const std::optional<QByteArray> derived
        = derive(passwordBytes(password), *salt, *params, int(expected->size()));
    return derived && constantTimeEquals(*derived, *expected);
}

} // namespace quorum::crypto::password
