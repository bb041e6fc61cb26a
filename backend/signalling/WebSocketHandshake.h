#pragma once

#include "http/RequestGuard.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace quorum {

// The server's half of RFC 6455's opening handshake, read from a complete request head (the
// request line and header fields through the blank line). The HTTP front has already checked
// the head's syntax and sizes and that it asks for `Upgrade: websocket` on our path.
class WebSocketHandshake final
{
public:
    explicit WebSocketHandshake(QByteArrayView head);

    // Why the request cannot be upgraded (bad method, version, key or headers); nothing when
    // it can. The answer is a problem response (see response()).
    const std::optional<GuardRejection> &refusal() const { return m_refusal; }

    const QByteArray &origin() const { return m_origin; } // empty when absent
    bool offersSubprotocol(QByteArrayView name) const;

    // The whole answer: 101 with `subprotocol` (when not empty), or the refusal's problem.
    QByteArray acceptance(QByteArrayView subprotocol) const;
    static QByteArray refusalResponse(const GuardRejection &refusal, const QByteArray &requestId);

    // RFC 6455 section 4.2.2: base64(SHA-1(key + the protocol's GUID)).
    static QByteArray acceptKey(QByteArrayView key);

private:
    void refuse(int status, QByteArray code, QByteArray title, QByteArray detail);

    std::optional<GuardRejection> m_refusal;
    QByteArray m_key;
    QByteArray m_origin;
    QList<QByteArray> m_subprotocols;
};

} // namespace quorum
