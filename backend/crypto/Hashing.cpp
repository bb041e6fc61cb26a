#include "Hashing.h"

#include "OpenSsl.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

namespace quorum::crypto {

namespace {

constexpr int Sha256Size = 32;

bool isBase64UrlCharacter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
        || c == '_';
}

} // namespace

QByteArray sha256(QByteArrayView data)
{
    QByteArray digest(Sha256Size, Qt::Uninitialized);
    size_t length = 0;

    // Fetched once: looking the algorithm up by name costs more than hashing a token.
    static EVP_MD *const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    unsigned int written = 0;
    const int ok = algorithm
        && EVP_Digest(bytesOf(data), size_t(data.size()),
                      reinterpret_cast<unsigned char *>(digest.data()), &written, algorithm,
                      nullptr);
    length = written;
    if (ok != 1 || length != Sha256Size)
        qFatal("SHA-256 is unavailable in this OpenSSL");
    return digest;
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView data)
{
    // Fetched once: the algorithm object is immutable and may be shared between threads.
    static const MacPtr hmac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    MacCtxPtr ctx(hmac ? EVP_MAC_CTX_new(hmac.get()) : nullptr);
    if (!ctx)
        qFatal("HMAC is unavailable in this OpenSSL");

    char digestName[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0),
        OSSL_PARAM_construct_end(),
    };
    QByteArray mac(Sha256Size, Qt::Uninitialized);
    size_t length = 0;

    const bool ok = EVP_MAC_init(ctx.get(), bytesOf(key), size_t(key.size()), params) == 1
        && EVP_MAC_update(ctx.get(), bytesOf(data), size_t(data.size())) == 1
        && EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char *>(mac.data()), &length,
                         size_t(mac.size()))
            == 1;
    if (!ok || length != Sha256Size)
        qFatal("HMAC-SHA256 failed in OpenSSL");
    return mac;
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    return CRYPTO_memcmp(bytesOf(a), bytesOf(b), size_t(a.size())) == 0;
}

QByteArray base64UrlEncode(QByteArrayView data)
{
    return data.toByteArray().toBase64(QByteArray::Base64UrlEncoding
                                       | QByteArray::OmitTrailingEquals);
}

std::optional<QByteArray> base64UrlDecode(QByteArrayView text)
{
    // A length of 4k+1 cannot come from any input.
    if (text.size() % 4 == 1)
        return std::nullopt;
    for (const char c : text) {
        if (!isBase64UrlCharacter(c))
            return std::nullopt;
    }

    auto decoded = QByteArray::fromBase64Encoding(text.toByteArray(),
                                                  QByteArray::Base64UrlEncoding
                                                      | QByteArray::OmitTrailingEquals
                                                      | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;

    // Unused low bits in the last character must be zero: one value, one spelling.
    if (base64UrlEncode(*decoded) != text)
        return std::nullopt;
    return std::move(*decoded);
}

} // namespace quorum::crypto
