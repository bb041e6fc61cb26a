#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace quorum::testing {

// Checks a webhook's X-Quorum-Signature with verify_webhook.py, Python's hmac, so that the
// tests do not share the server's signer.
namespace WebhookSignatureCheck {

// Where verify_webhook.py is: below QUORUM_SOURCE_DIR when ctest sets it, else next to this
// file. Empty when it cannot be found.
QString verifierScript();

// What verify_webhook.py says of a body and a signature header.
struct Verification
{
    bool ran = false;
    qint64 t = 0;
    int v1Count = 0;
    QList<bool> verified; // one per secret, in the order given
};

Verification verify(const QByteArray &body, const QByteArray &signatureHeader,
                    const QStringList &secrets);

// Whether the header signs these exact bytes with `secret`.
bool signatureVerifies(const QByteArray &body, const QByteArray &signatureHeader,
                       const QString &secret);

} // namespace WebhookSignatureCheck

} // namespace quorum::testing
