#include "http/RequestGuard.h"

#include <QRandomGenerator>

#include <QtCore/qstringview.h>

#include <limits>

namespace quorum {

namespace {

// Qt 6.4's QHttpHeaderParser gives up on a request with more header fields than this, or with
// a field longer than 100 KiB, and then drops every field of it; our caps stay below both.
constexpr int kQtMaxHeaderFields = 100;
constexpr int kMaxHeadBytesCap = 96 * 1024;

bool isTokenChar(char c)
{
    static constexpr QByteArrayView others("!#$%&'*+-.^_`|~");
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || others.contains(c);
}

bool isToken(QByteArrayView text)
{
    if (text.isEmpty())
        return false;

    for (char c : text) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// The bytes QHttpServer skips before a request line; skipping the same ones keeps our idea of
// where a request starts equal to Qt's.
bool isSkippedBeforeRequest(char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\r' || c == '\n';
}

bool isControl(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

QByteArrayView trimmedOws(QByteArrayView value)
{
    while (!value.isEmpty() && (value.front() == ' ' || value.front() == '\t'))
        value = value.sliced(1);
    while (!value.isEmpty() && (value.back() == ' ' || value.back() == '\t'))
        value.chop(1);
    return value;
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

const char *reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 426:
        return "Upgrade Required";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

QByteArray jsonString(const QByteArray &text)
{
    QByteArray out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (isControl(c)) {
            out += "\\u00";
            out += QByteArray::number(static_cast<unsigned char>(c), 16).rightJustified(2, '0');
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

} // namespace

QByteArray newRequestId()
{
    return QByteArray::number(QRandomGenerator::global()->generate64(), 16).rightJustified(16, '0');
}

QByteArray GuardRejection::toResponse(const QByteArray &requestId) const
{
    const QByteArray body = "{\"type\":" + jsonString("urn:quorum:problem:" + code)
        + ",\"code\":" + jsonString(code) + ",\"title\":" + jsonString(title)
        + ",\"status\":" + QByteArray::number(status) + ",\"detail\":" + jsonString(detail) + "}";

    QByteArray response
        = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    response += "Content-Type: application/problem+json\r\n";
    response += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    response += "Connection: close\r\n";
    response += "X-Request-Id: " + requestId + "\r\n\r\n";
    response += body;
    return response;
}

RequestGuard::RequestGuard(const HttpLimits &limits)
    : m_limits(limits)
{
    m_limits.maxHeaderCount = qBound(0, m_limits.maxHeaderCount, kQtMaxHeaderFields);
    m_limits.maxHeaderBytes = qBound(16, m_limits.maxHeaderBytes, kMaxHeadBytesCap);
    m_limits.maxBodyBytes = qMax<qint64>(0, m_limits.maxBodyBytes);
}

void RequestGuard::setUpgradePaths(QList<QByteArray> paths)
{
    m_upgradePaths = std::move(paths);
}

QList<GuardEvent> RequestGuard::takeEvents()
{
    return std::exchange(m_events, {});
}

void RequestGuard::feed(QByteArrayView bytes)
{
    qsizetype i = 0;
    const qsizetype size = bytes.size();

    while (i < size && m_state != State::Stopped) {
        switch (m_state) {
        case State::Body: {
            // Body bytes are only counted: the guard never keeps them.
            const qint64 take = qMin<qint64>(m_bodyLeft, size - i);
            m_bodyLeft -= take;
            i += take;
            m_fed += take;
            if (m_bodyLeft == 0) {
                m_state = State::Idle;
                m_readyAt = m_fed;
            }
            break;
        }
        case State::Idle:
            if (isSkippedBeforeRequest(bytes[i])) {
                ++i;
                ++m_fed;
                break;
            }
            startRequest();
            [[fallthrough]];
        case State::RequestLine:
        case State::Headers: {
            // Ordinary bytes go in one run: only CR, LF and NUL need a decision of their own,
            // and a run stops at the head's byte budget, so the byte past it is judged alone.
            if (!m_lineHasCr) {
                const qsizetype budget
                    = qMin<qsizetype>(size - i, qMax(0, m_limits.maxHeaderBytes - m_headBytes));
                qsizetype run = 0;
                while (run < budget) {
                    const char c = bytes[i + run];
                    if (c == '\r' || c == '\n' || c == '\0')
                        break;
                    ++run;
                }
                if (run > 0) {
                    m_line.append(bytes.data() + i, run);
                    m_headBytes += run;
                    i += run;
                    m_fed += run;
                    if (m_state == State::RequestLine
                        && m_line.size() > m_limits.maxRequestLineBytes)
                        reject(414, "uri_too_long", "URI Too Long",
                               "The request line exceeds "
                                   + QByteArray::number(m_limits.maxRequestLineBytes) + " bytes.");
                    break;
                }
            }
            feedHeadByte(bytes[i]);
            ++i;
            ++m_fed;
            break;
        }
        case State::Stopped:
            break;
        }
    }
}

void RequestGuard::startRequest()
{
    m_state = State::RequestLine;
    m_line.clear();
    m_headBytes = 0;
    m_headerCount = 0;
    m_lineHasCr = false;
    m_method.clear();
    m_target.clear();
    m_contentLength = -1;
    m_transferEncoding = false;
    m_expectContinue = false;
    m_closeConnection = false;
    m_upgradeWebSocket = false;
}

void RequestGuard::feedHeadByte(char c)
{
    if (++m_headBytes > m_limits.maxHeaderBytes) {
        reject(431, "headers_too_large", "Request Header Fields Too Large",
               "The request head exceeds " + QByteArray::number(m_limits.maxHeaderBytes)
                   + " bytes.");
        return;
    }

    if (c == '\n') {
        if (!m_lineHasCr) {
            reject(400, "invalid_request", "Invalid request",
                   "Lines of the request head must end with CRLF.");
            return;
        }
        endLine();
        return;
    }

    if (m_lineHasCr || c == '\0') {
        reject(400, "invalid_request", "Invalid request",
               "The request head contains a stray CR or NUL byte.");
        return;
    }

    if (c == '\r') {
        m_lineHasCr = true;
        return;
    }

    m_line.append(c);
    if (m_state == State::RequestLine && m_line.size() > m_limits.maxRequestLineBytes) {
        reject(414, "uri_too_long", "URI Too Long",
               "The request line exceeds " + QByteArray::number(m_limits.maxRequestLineBytes)
                   + " bytes.");
    }
}

void RequestGuard::endLine()
{
    if (m_state == State::RequestLine) {
        parseRequestLine();
        if (m_state == State::Stopped)
            return;
        m_state = State::Headers;
    } else if (m_line.isEmpty()) {
        endHead();
    } else {
        parseHeaderLine();
    }

    m_line.clear();
    m_lineHasCr = false;
}

void RequestGuard::parseRequestLine()
{
    const qsizetype sp1 = m_line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : m_line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 <= sp1 + 1 || m_line.indexOf(' ', sp2 + 1) >= 0) {
        reject(400, "invalid_request", "Invalid request",
               "The request line must be: method SP target SP version.");
        return;
    }

    m_method = m_line.first(sp1);
    m_target = m_line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArray version = m_line.sliced(sp2 + 1);

    if (!isToken(m_method) || (version != "HTTP/1.1" && version != "HTTP/1.0")) {
        reject(400, "invalid_request", "Invalid request",
               "Unsupported method syntax or HTTP version.");
        return;
    }
    // QHttpServer answers HTTP/1.0 with HTTP/1.1 and no keep-alive header, so such a client
    // expects the connection to end after the answer.
    m_closeConnection = version == "HTTP/1.0";

    const bool controls = std::any_of(m_target.cbegin(), m_target.cend(), isControl);
    if (controls || !(m_target.startsWith('/') || m_target == "*")) {
        reject(400, "invalid_request", "Invalid request",
               "The request target must be an absolute path.");
        return;
    }

    // QHttpServer routes on the decoded path, so an encoded slash would change which
    // segments a route sees.
    const qsizetype queryAt = m_target.indexOf('?');
    const QByteArray path = queryAt < 0 ? m_target : m_target.first(queryAt);
    if (path.contains("%2F") || path.contains("%2f")) {
        reject(404, "not_found", "Not Found", "No resource has an encoded slash in its path.");
    }
}

void RequestGuard::parseHeaderLine()
{
    if (++m_headerCount > m_limits.maxHeaderCount) {
        reject(431, "headers_too_large", "Request Header Fields Too Large",
               "The request has more than " + QByteArray::number(m_limits.maxHeaderCount)
                   + " header fields.");
        return;
    }

    // Obsolete line folding is refused rather than unfolded (RFC 9112, section 5.2).
    const qsizetype colon = m_line.indexOf(':');
    if (m_line.front() == ' ' || m_line.front() == '\t' || colon <= 0
        || !isToken(QByteArrayView(m_line).first(colon))) {
        reject(400, "invalid_request", "Invalid request", "Malformed header field.");
        return;
    }

    const QByteArrayView name = QByteArrayView(m_line).first(colon);
    const QByteArrayView value = trimmedOws(QByteArrayView(m_line).sliced(colon + 1));
    for (char c : value) {
        if (isControl(c) && c != '\t') {
            reject(400, "invalid_request", "Invalid request",
                   "A header value contains a control character.");
            return;
        }
    }

    if (equalsIgnoringCase(name, "content-length"))
        parseContentLength(value);
    else if (equalsIgnoringCase(name, "transfer-encoding"))
        m_transferEncoding = true;
    else if (equalsIgnoringCase(name, "expect"))
        m_expectContinue = m_expectContinue || equalsIgnoringCase(value, "100-continue");
    else if (equalsIgnoringCase(name, "connection")) {
        for (const QByteArray &option : value.toByteArray().split(','))
            m_closeConnection = m_closeConnection || equalsIgnoringCase(option.trimmed(), "close");
    } else if (equalsIgnoringCase(name, "upgrade"))
        m_upgradeWebSocket
            = m_upgradeWebSocket || value.toByteArray().toLower().contains("websocket");
}

void RequestGuard::parseContentLength(QByteArrayView value)
{
    // Only 1*DIGIT: Qt reads the first Content-Length as unsigned and stores it signed, so
    // anything it could read differently from us is refused here.
    qint64 length = 0;
    bool valid = !value.isEmpty();
    for (char c : value) {
        if (c < '0' || c > '9') {
            valid = false;
            break;
        }
        const int digit = c - '0';
        if (length > (std::numeric_limits<qint64>::max() - digit) / 10) {
            valid = false;
            break;
        }
        length = length * 10 + digit;
    }

    if (!valid || (m_contentLength >= 0 && m_contentLength != length)) {
        reject(400, "invalid_request", "Invalid request",
               "Content-Length must be one decimal number within range.");
        return;
    }

    m_contentLength = length;
}

void RequestGuard::endHead()
{
    if (m_transferEncoding) {
        reject(411, "length_required", "Length Required",
               "Request bodies must carry a Content-Length, not a Transfer-Encoding.");
        return;
    }

    if (m_contentLength > m_limits.maxBodyBytes) {
        reject(413, "payload_too_large", "Payload Too Large",
               "The request body exceeds " + QByteArray::number(m_limits.maxBodyBytes) + " bytes.");
        return;
    }

    if (m_upgradeWebSocket) {
        const qsizetype queryAt = m_target.indexOf('?');
        const QByteArray path = queryAt < 0 ? m_target : m_target.first(queryAt);
        if (!m_upgradePaths.contains(path)) {
            reject(404, "not_found", "Not Found", "No WebSocket endpoint at this path.");
            return;
        }
        emitEvent(GuardEvent::Kind::Upgrade);
        m_state = State::Stopped;
        return;
    }

    emitEvent(GuardEvent::Kind::Request);
    m_bodyLeft = qMax<qint64>(0, m_contentLength);
    m_state = m_bodyLeft > 0 ? State::Body : State::Idle;
    if (m_state == State::Idle)
        m_readyAt = m_fed + 1; // the final LF is counted once this call returns
}

void RequestGuard::reject(int status, const char *code, const char *title, const QByteArray &detail)
{
    emitEvent(GuardEvent::Kind::Rejected);
    GuardRejection &rejection = m_events.last().rejection;
    rejection.status = status;
    rejection.code = code;
    rejection.title = title;
    rejection.detail = detail;
    m_state = State::Stopped;
}

void RequestGuard::emitEvent(GuardEvent::Kind kind)
{
    GuardEvent event;
    event.kind = kind;
    event.readyAt = m_readyAt;
    event.method = m_method;
    event.target = m_target;
    event.contentLength = qMax<qint64>(0, m_contentLength);
    event.expectContinue = m_expectContinue && m_contentLength > 0;
    event.closeConnection = m_closeConnection;
    m_events.append(std::move(event));
}

} // namespace quorum
