#include "WebSocketHandshake.h"

#include <QCryptographicHash>

namespace quorum {

namespace {

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// Whether a comma-separated header value lists `token` (case-insensitively).
bool listsToken(QByteArrayView value, QByteArrayView token)
{
    for (const QByteArrayView item : QByteArray(value.toByteArray()).split(',')) {
        if (equalsIgnoringCase(item.trimmed(), token))
            return true;
    }
    return false;
}

} // namespace

WebSocketHandshake::WebSocketHandshake(QByteArrayView head)
{
    const qsizetype lineEnd = head.indexOf("\r\n");
    const QByteArrayView requestLine = lineEnd < 0 ? head : head.first(lineEnd);
    if (!requestLine.startsWith("GET ")) {
        refuse(405, "method_not_allowed", "Method Not Allowed",
               "A WebSocket handshake is a GET request.");
        return;
    }

    bool upgrade = false;
    bool connectionUpgrade = false;
    QByteArray version;
    qsizetype at = lineEnd < 0 ? head.size() : lineEnd + 2;
    while (at < head.size()) {
        qsizetype end = head.indexOf("\r\n", at);
        if (end < 0)
            end = head.size();
        const QByteArrayView line = head.sliced(at, end - at);
        at = end + 2;

        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = line.sliced(colon + 1).trimmed();
        if (equalsIgnoringCase(name, "upgrade"))
            upgrade = upgrade || listsToken(value, "websocket");
        else if (equalsIgnoringCase(name, "connection"))
            connectionUpgrade = connectionUpgrade || listsToken(value, "upgrade");
        else if (equalsIgnoringCase(name, "sec-websocket-key"))
            m_key = value.toByteArray();
        else if (equalsIgnoringCase(name, "sec-websocket-version"))
            version = value.toByteArray();
        else if (equalsIgnoringCase(name, "origin"))
            m_origin = value.toByteArray();
        else if (equalsIgnoringCase(name, "sec-websocket-protocol")) {
            for (const QByteArray &offered : value.toByteArray().split(','))
                m_subprotocols.append(offered.trimmed());
        }
    }

    if (!upgrade || !connectionUpgrade) {
        refuse(400, "invalid_request", "Bad Request",
               "A WebSocket handshake needs Upgrade: websocket and Connection: Upgrade.");
        return;
    }
    if (version != "13") {
        refuse(426, "upgrade_required", "Upgrade Required",
               "Only version 13 of the WebSocket protocol is spoken here.");
        return;
    }
    if (QByteArray::fromBase64(m_key, QByteArray::AbortOnBase64DecodingErrors).size() != 16) {
        refuse(400, "invalid_request", "Bad Request",
               "Sec-WebSocket-Key must be 16 bytes in base64.");
        return;
    }
}

bool WebSocketHandshake::offersSubprotocol(QByteArrayView name) const
{
    return m_subprotocols.contains(name);
}

QByteArray WebSocketHandshake::acceptance(QByteArrayView subprotocol) const
{
    QByteArray response = "HTTP/1.1 101 Switching Protocols\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: "
        + acceptKey(m_key) + "\r\n";
    if (!subprotocol.isEmpty())
        response += "Sec-WebSocket-Protocol: " + subprotocol.toByteArray() + "\r\n";
    response += "\r\n";
    return response;
}

QByteArray WebSocketHandshake::refusalResponse(const GuardRejection &refusal,
                                               const QByteArray &requestId)
{
    QByteArray response = refusal.toResponse(requestId);

    // RFC 6455 section 4.4: a version we do not speak is answered with the one we do.
    if (refusal.status == 426) {
        const qsizetype statusEnd = response.indexOf("\r\n") + 2;
        response.insert(statusEnd, "Sec-WebSocket-Version: 13\r\n");
    }
    return response;
}

QByteArray WebSocketHandshake::acceptKey(QByteArrayView key)
{
    static constexpr QByteArrayView kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(kGuid);
    return sha1.result().toBase64();
}

void WebSocketHandshake::refuse(int status, QByteArray code, QByteArray title, QByteArray detail)
{
    m_refusal = GuardRejection{status, std::move(code), std::move(title), std::move(detail)};
}

} // namespace quorum
