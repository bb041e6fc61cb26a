#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace quorum {

// Signs one delivery attempt (DESIGN.md *Webhooks*): the X-Quorum-Signature value
// "t=<unix seconds>,v1=<hex>[,v1=<hex>]", each v1 being HMAC-SHA256(secret, "v1:" + t + ":" +
// body) over the exact bytes sent. During a rotation's grace both secrets sign, so a receiver
// holding either one verifies.
class WebhookSigner final
{
public:
    // The live secrets, newest first; at most two are ever live.
    explicit WebhookSigner(QList<QByteArray> secrets);

    QByteArray signatureHeader(qint64 unixSeconds, QByteArrayView body) const;

    // The hex HMAC of one secret, for tests and receivers of our own.
    static QByteArray v1(QByteArrayView secret, qint64 unixSeconds, QByteArrayView body);

private:
    QList<QByteArray> m_secrets;
};

} // namespace quorum
