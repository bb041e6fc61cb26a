#include "Jwt.h"

#include "Hashing.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <optional>

namespace quorum::crypto::jwt {

namespace {

const QString EdDsa = QStringLiteral("EdDSA");

// Join tokens are a few hundred bytes; refuse to parse megabytes from a stranger.
constexpr qsizetype MaxTokenSize = 16 * 1024;

QByteArray compactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

std::optional<QJsonObject> decodeJsonSegment(QByteArrayView segment)
{
    const std::optional<QByteArray> json = base64UrlDecode(segment);
    if (!json)
        return std::nullopt;

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(*json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

bool audienceMatches(const QJsonValue &audience, const QString &expected)
{
    if (audience.isString())
        return audience.toString() == expected;

    if (audience.isArray()) {
        const QJsonArray audiences = audience.toArray();
        for (const QJsonValue &entry : audiences) {
            if (entry.isString() && entry.toString() == expected)
                return true;
        }
    }
    return false;
}

// A NumericDate claim: absent is allowed where `required` is false, any other type is not.
bool readTime(const QJsonObject &claims, const QString &name, bool required,
              std::optional<double> *value)
{
    const QJsonValue claim = claims.value(name);
    if (claim.isUndefined())
        return !required;
    if (!claim.isDouble())
        return false;
    *value = claim.toDouble();
    return true;
}

} // namespace

QByteArray sign(const QJsonObject &claims, const QString &kid, const SigningKey &key)
{
    return signPayload(compactJson(claims), kid, key);
}

QByteArray jsonString(QStringView text)
{
    QByteArray out;
    out.reserve(text.size() + 2);
    out += '"';
    qsizetype i = 0;
    while (i < text.size()) {
        const char16_t u = text[i].unicode();
        if (u >= 0x80) {
            // A run of non-ASCII characters is encoded whole, so surrogate pairs stay paired.
            const qsizetype start = i;
            while (i < text.size() && text[i].unicode() >= 0x80)
                ++i;
            out += text.sliced(start, i - start).toUtf8();
            continue;
        }
        if (u == u'"' || u == u'\\') {
            out += '\\';
            out += char(u);
        } else if (u < 0x20) {
            out += "\\u00";
            out += "0123456789abcdef"[u >> 4];
            out += "0123456789abcdef"[u & 0xf];
        } else {
            // A run of characters that need no escape goes in at once: appending them one by
            // one cost more than the rest of a join token's payload.
            const qsizetype start = i;
            while (i < text.size() && text[i].unicode() >= 0x20 && text[i].unicode() < 0x80
                   && text[i].unicode() != u'"' && text[i].unicode() != u'\\')
                ++i;
            const qsizetype at = out.size();
            out.resize(at + (i - start));
            char *plain = out.data() + at;
            for (qsizetype k = start; k < i; ++k)
                *plain++ = char(text[k].unicode());
            continue;
        }
        ++i;
    }
    out += '"';
    return out;
}

QByteArray signPayload(QByteArrayView claimsJson, const QString &kid, const SigningKey &key)
{
    if (key.isNull())
        return {};

    // The header as QJsonDocument would write it (keys sorted), without its cost per token.
    const QByteArray header = "{\"alg\":" + jsonString(key.algorithm())
        + ",\"kid\":" + jsonString(kid) + ",\"typ\":\"JWT\"}";
    const QByteArray signingInput = base64UrlEncode(header) + '.' + base64UrlEncode(claimsJson);
    const QByteArray signature = key.sign(signingInput);
    if (signature.isEmpty())
        return {};

    return signingInput + '.' + base64UrlEncode(signature);
}

QJsonObject publicJwk(const QString &kid, const SigningKey &key)
{
    if (key.isNull())
        return {};

    return QJsonObject{
        {QStringLiteral("kty"), QStringLiteral("OKP")},
        {QStringLiteral("crv"), QStringLiteral("Ed25519")},
        {QStringLiteral("x"), QString::fromLatin1(base64UrlEncode(key.publicRaw()))},
        {QStringLiteral("kid"), kid},
        {QStringLiteral("alg"), key.algorithm()},
        {QStringLiteral("use"), QStringLiteral("sig")},
    };
}

std::variant<Verified, VerifyError>
verify(QByteArrayView token, const std::function<QByteArray(const QString &kid)> &publicKeyForKid,
       qint64 nowSeconds, const QString &expectedAudience)
{
    // Shape: three base64url segments, the first two JSON objects. Decoding is all that is
    // done with unauthenticated bytes before the signature is checked.
    if (token.size() > MaxTokenSize || token.count('.') != 2)
        return VerifyError::Malformed;
    const qsizetype firstDot = token.indexOf('.');
    const qsizetype secondDot = token.lastIndexOf('.');
    const QByteArrayView signingInput = token.first(secondDot);
    const std::optional<QJsonObject> header = decodeJsonSegment(token.first(firstDot));
    const std::optional<QJsonObject> claims
        = decodeJsonSegment(token.sliced(firstDot + 1, secondDot - firstDot - 1));
    const std::optional<QByteArray> signature = base64UrlDecode(token.sliced(secondDot + 1));
    if (!header || !claims || !signature)
        return VerifyError::Malformed;

    // The algorithm is ours to choose, never the token's: only EdDSA, so "none" and HS256
    // with the public key as an HMAC secret go nowhere.
    if (header->value(QStringLiteral("alg")) != QJsonValue(EdDsa))
        return VerifyError::BadAlgorithm;
    // No extension is understood, so a critical one must be refused (RFC 7515, 4.1.11).
    if (header->contains(QStringLiteral("crit")))
        return VerifyError::Malformed;

    const QJsonValue kid = header->value(QStringLiteral("kid"));
    if (!kid.isUndefined() && !kid.isString())
        return VerifyError::Malformed;
    const QByteArray publicKey
        = kid.toString().isEmpty() ? QByteArray() : publicKeyForKid(kid.toString());
    if (publicKey.isEmpty())
        return VerifyError::UnknownKey;

    if (!verifyEd25519(publicKey, signingInput, *signature))
        return VerifyError::BadSignature;

    // Times with no leeway: every node keeps its clock in sync.
    std::optional<double> expires;
    std::optional<double> notBefore;
    if (!readTime(*claims, QStringLiteral("exp"), true, &expires)
        || !readTime(*claims, QStringLiteral("nbf"), false, &notBefore)) {
        return VerifyError::Malformed;
    }
    if (*expires <= double(nowSeconds))
        return VerifyError::Expired;
    if (notBefore && *notBefore > double(nowSeconds))
        return VerifyError::NotYetValid;

    if (!expectedAudience.isEmpty()
        && !audienceMatches(claims->value(QStringLiteral("aud")), expectedAudience)) {
        return VerifyError::WrongAudience;
    }

    return Verified{*header, *claims};
}

const char *toString(VerifyError error)
{
    switch (error) {
    case VerifyError::Malformed:
        return "Malformed";
    case VerifyError::UnknownKey:
        return "UnknownKey";
    case VerifyError::BadAlgorithm:
        return "BadAlgorithm";
    case VerifyError::BadSignature:
        return "BadSignature";
    case VerifyError::Expired:
        return "Expired";
    case VerifyError::NotYetValid:
        return "NotYetValid";
    case VerifyError::WrongAudience:
        return "WrongAudience";
    }
    return "Unknown";
}

} // namespace quorum::crypto::jwt
