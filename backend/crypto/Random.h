#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace quorum::crypto {

// Bytes from OpenSSL's CSPRNG. A failing generator is not an error a caller could handle
// safely, so it stops the process (qFatal) instead of returning weak bytes.
QByteArray randomBytes(int count);

// A high-entropy token for humans and headers: prefix + base62 of `bytes` random bytes,
// e.g. randomToken(u"qpat_") -> "qpat_4f9Xk...". Base62 keeps it free of URL-unsafe characters.
QString randomToken(QStringView prefix, int bytes = 32);

} // namespace quorum::crypto
