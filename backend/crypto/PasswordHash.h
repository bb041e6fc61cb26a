#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// scrypt password hashes (OpenSSL 3 EVP_KDF "SCRYPT"), stored as
// "scrypt$N=<n>,r=<r>,p=<p>$<base64 salt>$<base64 hash>" so parameters can grow later
// while old hashes still verify.
namespace quorum::crypto::password {

// N=32768, r=8, p=1 (about 32 MiB and 50-100 ms), 16-byte random salt, 32-byte output.
QByteArray hash(const QString &password);

// Constant-time comparison of the derived hash; false for a malformed stored string.
bool verify(const QString &password, QByteArrayView stored);

// The same with chosen parameters, so tests can run fast.
QByteArray hashWithParameters(const QString &password, quint64 n, quint32 r, quint32 p);

} // namespace quorum::crypto::password
