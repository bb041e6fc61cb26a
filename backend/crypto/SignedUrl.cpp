#include "SignedUrl.h"

#include "Hashing.h"

namespace quorum::crypto {

QByteArray SignedUrl::mac(const QString &path, qint64 expiresUnix) const
{
    const QByteArray message = "v1:" + path.toUtf8() + ':' + QByteArray::number(expiresUnix);
    return hmacSha256(m_key, message);
}

QString SignedUrl::sign(const QString &base, const QString &path, const QDateTime &expiresAt) const
{
    const qint64 expires = expiresAt.toSecsSinceEpoch();
    return base + path
        + QStringLiteral("?expires=%1&sig=%2")
              .arg(expires)
              .arg(QString::fromLatin1(base64UrlEncode(mac(path, expires))));
}

SignedUrl::Check SignedUrl::verify(const QString &path, const QString &expires,
                                   const QString &signature, const QDateTime &now) const
{
    bool numeric = false;
    const qint64 expiresUnix = expires.toLongLong(&numeric);
    // Only the canonical spelling of the number was signed: "0123" or "+123" is a forgery.
    if (!numeric || expiresUnix <= 0 || QString::number(expiresUnix) != expires)
        return Check::BadSignature;

    const std::optional<QByteArray> decoded = base64UrlDecode(signature.toLatin1());
    if (!decoded || !constantTimeEquals(*decoded, mac(path, expiresUnix)))
        return Check::BadSignature;

    // Checked after the signature, so a forged link learns nothing about expiry.
    if (now.toSecsSinceEpoch() >= expiresUnix)
        return Check::Expired;
    return Check::Valid;
}

} // namespace quorum::crypto
