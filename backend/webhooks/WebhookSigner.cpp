#include "WebhookSigner.h"

#include "crypto/Hashing.h"

namespace quorum {

WebhookSigner::WebhookSigner(QList<QByteArray> secrets)
    : m_secrets(std::move(secrets))
{ }

QByteArray WebhookSigner::v1(QByteArrayView secret, qint64 unixSeconds, QByteArrayView body)
{
    // The body is appended as raw bytes: never a QString, which would re-encode it.
    QByteArray signedBytes = "v1:" + QByteArray::number(unixSeconds) + ':';
    signedBytes.append(body);
    return crypto::hmacSha256(secret, signedBytes).toHex();
}

QByteArray WebhookSigner::signatureHeader(qint64 unixSeconds, QByteArrayView body) const
{
    QByteArray header = "t=" + QByteArray::number(unixSeconds);
    for (const QByteArray &secret : m_secrets)
        header += ",v1=" + v1(secret, unixSeconds, body);
    return header;
}

} // namespace quorum
