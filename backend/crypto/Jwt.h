#pragma once

#include "crypto/SigningKey.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <variant>

// Compact JWS tokens signed with EdDSA (Ed25519), as the media plane's join tokens need.
namespace quorum::crypto::jwt {

// Header {"alg":"EdDSA","typ":"JWT","kid":kid}; compact JSON, UTF-8, base64url segments.
QByteArray sign(const QJsonObject &claims, const QString &kid, const SigningKey &key);
// The same for claims already serialised as a compact JSON object (a hot path that builds its
// payload without QJsonDocument).
QByteArray signPayload(QByteArrayView claimsJson, const QString &kid, const SigningKey &key);
// `text` as a JSON string literal (quoted, escaped, UTF-8).
QByteArray jsonString(QStringView text);

// {"kty":"OKP","crv":"Ed25519","x":...,"kid":kid,"alg":"EdDSA","use":"sig"} for the JWKS.
QJsonObject publicJwk(const QString &kid, const SigningKey &key);

enum class VerifyError {
    Malformed,
    UnknownKey,
    BadAlgorithm,
    BadSignature,
    Expired,
    NotYetValid,
    WrongAudience
};

struct Verified
{
    QJsonObject header;
    QJsonObject claims;
};

// Checks, in order: shape (Malformed), algorithm (only "EdDSA", else BadAlgorithm), key
// (publicKeyForKid returns the 32-byte public key or an empty array: UnknownKey), signature
// (BadSignature), then the times with no leeway: `exp` is required (missing: Malformed) and
// exp <= now is Expired, nbf > now is NotYetValid. If expectedAudience is set, `aud` (a
// string or an array of strings) must contain it, else WrongAudience.
std::variant<Verified, VerifyError>
verify(QByteArrayView token, const std::function<QByteArray(const QString &kid)> &publicKeyForKid,
       qint64 nowSeconds, const QString &expectedAudience = {});

const char *toString(VerifyError error);

} // namespace quorum::crypto::jwt
