#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace quorum::crypto {

// Raw 32-byte SHA-256 digest.
QByteArray sha256(QByteArrayView data);

// Raw 32-byte HMAC-SHA256 (OpenSSL 3 EVP_MAC).
QByteArray hmacSha256(QByteArrayView key, QByteArrayView data);

// Compares in time independent of the contents (CRYPTO_memcmp); false when the lengths differ.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

// Base64url (RFC 4648 section 5) without padding, as JWTs and JWKs spell it.
QByteArray base64UrlEncode(QByteArrayView data);

// Strict decoding: padding, '+', '/', whitespace, other characters and impossible lengths
// yield nullopt, so one token never has two spellings.
std::optional<QByteArray> base64UrlDecode(QByteArrayView text);

} // namespace quorum::crypto
