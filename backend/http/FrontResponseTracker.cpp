#include "http/FrontResponseTracker.h"

namespace quorum {

QByteArray FrontResponseTracker::observe(QByteArrayView bytes)
{
    QByteArray rewritten;
    bool injected = false;
    qsizetype copiedUpTo = 0;
    qsizetype i = 0;

    while (i < bytes.size()) {
        if (m_state == State::Unbounded)
            break;

        if (m_state == State::Body) {
            const qint64 take = qMin<qint64>(m_bodyLeft, bytes.size() - i);
            m_bodyLeft -= take;
            i += take;
            if (m_bodyLeft == 0) {
                ++m_completed;
                m_state = State::Head;
            }
            continue;
        }

        const char c = bytes[i];
        if (m_lineStart && !m_statusLine && (c == '\r' || c == '\n') && m_closeConnection) {
            // The blank line that ends the head: the extra header goes right before it.
            rewritten += bytes.sliced(copiedUpTo, i - copiedUpTo);
            rewritten += "Connection: close\r\n";
            copiedUpTo = i;
            injected = true;
        }
        m_lineStart = false;
        ++i;
        if (c == '\n') {
            endHeadLine();
            m_lineStart = true;
        } else if (c != '\r' && m_line.size() < 256) {
            m_line.append(c);
        }
    }

    if (!injected)
        return {};
    rewritten += bytes.sliced(copiedUpTo);
    return rewritten;
}

void FrontResponseTracker::endHeadLine()
{
    const QByteArray line = std::exchange(m_line, {});

    if (m_statusLine) {
        // "HTTP/1.1 200 OK"
        m_statusLine = false;
        m_status = line.mid(9, 3).toInt();
        m_contentLength = -1;
        return;
    }

    if (line.isEmpty()) {
        endHead();
        return;
    }

    const qsizetype colon = line.indexOf(':');
    if (colon > 0 && line.first(colon).compare("content-length", Qt::CaseInsensitive) == 0) {
        bool ok = false;
        const qint64 length = line.sliced(colon + 1).trimmed().toLongLong(&ok);
        m_contentLength = ok ? length : -1;
    }
}

void FrontResponseTracker::endHead()
{
    m_statusLine = true;

    // An interim answer (100 Continue) is followed by the real one.
    if (m_status >= 100 && m_status < 200)
        return;

    const bool bodyless = m_status == 204 || m_status == 304;
    if (bodyless || m_contentLength == 0) {
        ++m_completed;
        return;
    }

    if (m_contentLength < 0) {
        m_state = State::Unbounded;
        return;
    }

    m_bodyLeft = m_contentLength;
    m_state = State::Body;
}

} // namespace quorum
