#include "WebSocketConnection.h"

#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QSslSocket>
#include <QTimer>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <vector>

Q_LOGGING_CATEGORY(lcWebSocket, "quorum.signal.socket")

namespace quorum {

namespace {

enum Opcode : int {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

// One read is parsed in place from this per-thread buffer; only a partial frame is copied
// into the connection.
constexpr qsizetype kReadChunk = 64 * 1024;
// A closing handshake the peer does not finish is cut off after this.
constexpr int kCloseLingerMs = 5000;
// Reads per readiness event, so one busy peer cannot starve the others of its thread.
constexpr int kReadsPerEvent = 4;

char *readBuffer()
{
    thread_local std::vector<char> buffer(kReadChunk);
    return buffer.data();
}

bool isValidUtf8(const char *text, qsizetype size)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(text);
    qsizetype i = 0;
    while (i < size) {
        // Signalling is mostly ASCII: skip it eight bytes at a time.
        if (size - i >= 8) {
            quint64 word;
            std::memcpy(&word, bytes + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }

        const unsigned char lead = bytes[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }

        int continuation = 0;
        quint32 codePoint = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuation = 1;
            codePoint = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            continuation = 2;
            codePoint = lead & 0x0F;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            continuation = 3;
            codePoint = lead & 0x07;
        } else {
            return false;
        }
        if (size - i <= continuation)
            return false;
        for (int k = 1; k <= continuation; ++k) {
            const unsigned char next = bytes[i + k];
            if ((next & 0xC0) != 0x80)
                return false;
            codePoint = (codePoint << 6) | (next & 0x3F);
        }

        // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
        if (continuation == 2
            && (codePoint < 0x800 || (codePoint >= 0xD800 && codePoint <= 0xDFFF)))
            return false;
        if (continuation == 3 && (codePoint < 0x10000 || codePoint > 0x10FFFF))
            return false;
        i += continuation + 1;
    }
    return true;
}

// RFC 6455 section 7.4: the codes a peer may send in a close frame.
bool isValidCloseCode(int code)
{
    if (code >= 3000 && code <= 4999)
        return true;
    return code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006;
}

QByteArray frameHead(int opcode, qsizetype length)
{
    QByteArray head;
    head.reserve(10);
    head.append(char(0x80 | opcode));
    if (length < 126) {
        head.append(char(length));
    } else if (length <= 0xFFFF) {
        head.append(char(126));
        head.append(char(length >> 8));
        head.append(char(length & 0xFF));
    } else {
        head.append(char(127));
        for (int shift = 56; shift >= 0; shift -= 8)
            head.append(char((quint64(length) >> shift) & 0xFF));
    }
    return head;
}

} // namespace

WebSocketConnection::WebSocketConnection(quint64 id, Listener &listener, qint64 maxMessageBytes,
                                         QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_listener(listener)
    , m_maxMessageBytes(maxMessageBytes)
{ }

WebSocketConnection::~WebSocketConnection()
{
    if (m_state == State::Open) {
        const QByteArray goingAway("\x03\xe9", 2); // 1001
        sendFrame(Close, goingAway);
    }
    if (m_descriptor >= 0)
        ::close(m_descriptor);
}

void WebSocketConnection::start(QTcpSocket *socket, const QByteArray &handshakeAnswer,
                                const QByteArray &pending)
{
    m_peerAddress = socket->peerAddress();

    // A plain socket with nothing left to write is given up for a copy of its descriptor:
    // its 16 KiB read and 32 KiB write buffers would stay with every connection otherwise.
    if (!qobject_cast<QSslSocket *>(socket) && socket->bytesToWrite() == 0)
        m_descriptor = ::fcntl(int(socket->socketDescriptor()), F_DUPFD_CLOEXEC, 0);

    if (m_descriptor >= 0) {
        socket->abort(); // closes Qt's copy; the connection lives on in ours
        socket->deleteLater();
        m_readNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Read, this);
        connect(m_readNotifier, &QSocketNotifier::activated, this,
                &WebSocketConnection::readDescriptor);
    } else {
        m_device = socket;
        socket->setParent(this);
        connect(socket, &QIODevice::readyRead, this, &WebSocketConnection::readDevice);
        connect(socket, &QAbstractSocket::disconnected, this, &WebSocketConnection::finish);
    }

    writeOut(handshakeAnswer, {});
    if (!pending.isEmpty()) {
        QByteArray bytes = pending;
        consume(bytes.data(), bytes.size());
    }
}

void WebSocketConnection::sendText(QByteArrayView utf8)
{
    if (m_state == State::Open)
        sendFrame(Text, utf8);
}

void WebSocketConnection::ping()
{
    if (m_state == State::Open)
        sendFrame(Ping, {});
}

void WebSocketConnection::close(int code, QByteArrayView reason)
{
    if (m_state != State::Open)
        return;

    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    payload.append(reason.first(std::min<qsizetype>(reason.size(), 123)));
    sendFrame(Close, payload);
    m_weClosed = true;
    m_state = State::Closing;
    QTimer::singleShot(kCloseLingerMs, this, &WebSocketConnection::abort);

    // Our FIN follows the close frame, so even a peer that has stopped listening sees the
    // connection end; its close frame and end of stream are still read.
    endAfterFlush();
}

void WebSocketConnection::abort()
{
    finish();
}

void WebSocketConnection::readDescriptor()
{
    char *buffer = readBuffer();
    for (int round = 0; round < kReadsPerEvent && m_state != State::Closed; ++round) {
        const ssize_t received = ::recv(m_descriptor, buffer, kReadChunk, 0);
        if (received > 0) {
            if (!m_inputDone)
                consume(buffer, received);
            if (received < kReadChunk)
                return;
            continue;
        }
        if (received < 0 && errno == EINTR)
            continue;
        if (received < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;

        // The peer's end of the stream, or a reset.
        finish();
        return;
    }
}

void WebSocketConnection::readDevice()
{
    char *buffer = readBuffer();
    while (m_device && m_state != State::Closed && m_device->bytesAvailable() > 0) {
        const qint64 received = m_device->read(buffer, kReadChunk);
        if (received <= 0)
            return;
        if (!m_inputDone)
            consume(buffer, received);
    }
}

void WebSocketConnection::consume(char *data, qsizetype size)
{
    if (m_partialIn.isEmpty()) {
        const qsizetype used = parseFrames(data, size);
        if (used < size && m_state != State::Closed && !m_inputDone)
            m_partialIn = QByteArray(data + used, size - used);
        return;
    }

    m_partialIn.append(data, size);
    const qsizetype used = parseFrames(m_partialIn.data(), m_partialIn.size());
    if (m_state == State::Closed || m_inputDone || used == m_partialIn.size())
        m_partialIn = QByteArray();
    else
        m_partialIn.remove(0, used);
}

qsizetype WebSocketConnection::parseFrames(char *data, qsizetype size)
{
    qsizetype at = 0;
    while (m_state != State::Closed && !m_inputDone) {
        const qsizetype available = size - at;
        if (available < 2)
            break;

        const auto *bytes = reinterpret_cast<const unsigned char *>(data + at);
        const bool final = bytes[0] & 0x80;
        const int opcode = bytes[0] & 0x0F;
        qint64 length = bytes[1] & 0x7F;
        qsizetype headLength = 2;
        if (length == 126) {
            if (available < 4)
                break;
            length = (qint64(bytes[2]) << 8) | bytes[3];
            headLength = 4;
        } else if (length == 127) {
            if (available < 10)
                break;
            quint64 wide = 0;
            for (int i = 2; i < 10; ++i)
                wide = (wide << 8) | bytes[i];
            if (wide >> 63) {
                fail(1002, "invalid frame length");
                break;
            }
            length = qint64(wide);
            headLength = 10;
        }

        const bool control = opcode & 0x8;
        if (bytes[0] & 0x70) {
            fail(1002, "reserved bits set");
            break;
        }
        if (!(bytes[1] & 0x80)) {
            fail(1002, "client frames must be masked");
            break;
        }
        if (opcode != Continuation && opcode != Text && opcode != Binary && opcode != Close
            && opcode != Ping && opcode != Pong) {
            fail(1002, "unknown opcode");
            break;
        }
        if (control && (!final || length > 125)) {
            fail(1002, "control frames are short and whole");
            break;
        }
        if (!control && length > m_maxMessageBytes) {
            fail(1009, "frame too big");
            break;
        }

        headLength += 4;
        if (available - headLength < length)
            break;

        const unsigned char *mask = bytes + headLength - 4;
        char *payload = data + at + headLength;
        for (qint64 i = 0; i < length; ++i)
            payload[i] = char(payload[i] ^ mask[i & 3]);
        at += headLength + length;

        if (!handleFrame(opcode, final, payload, length))
            break;
    }
    return at;
}

bool WebSocketConnection::handleFrame(int opcode, bool final, char *payload, qint64 length)
{
    switch (opcode) {
    case Ping:
        if (m_state == State::Open)
            sendFrame(Pong, QByteArrayView(payload, length));
        return true;
    case Pong:
        if (m_state == State::Open)
            m_listener.webSocketPong(m_id);
        return true;
    case Close:
        handleClose(payload, length);
        return false;
    default:
        break;
    }

    if (opcode == Continuation && !m_inMessage) {
        fail(1002, "continuation without a message");
        return false;
    }
    if (opcode != Continuation) {
        if (m_inMessage) {
            fail(1002, "a message inside a fragmented one");
            return false;
        }
        m_inMessage = true;
        m_messageIsBinary = opcode == Binary;
        if (m_messageIsBinary && m_state == State::Open)
            m_listener.webSocketBinary(m_id);
    }

    // Once closing, and for binary messages (refused by the listener), data is dropped.
    if (m_state != State::Open || m_messageIsBinary) {
        if (final) {
            m_inMessage = false;
            m_message = QByteArray();
        }
        return true;
    }

    if (m_message.size() + length > m_maxMessageBytes) {
        fail(1009, "message too big");
        return false;
    }

    QByteArray message;
    if (final && m_message.isEmpty()) {
        message = QByteArray(payload, length);
    } else {
        m_message.append(payload, length);
        if (!final)
            return true;
        message = std::exchange(m_message, QByteArray());
    }
    m_inMessage = false;

    if (!isValidUtf8(message.constData(), message.size())) {
        fail(1007, "text must be UTF-8");
        return false;
    }
    m_listener.webSocketText(m_id, message);
    return true;
}

void WebSocketConnection::handleClose(const char *payload, qint64 length)
{
    int code = 1005; // no code given
    if (length == 1) {
        fail(1002, "invalid close frame");
        return;
    }
    if (length >= 2) {
        code = (int(uchar(payload[0])) << 8) | uchar(payload[1]);
        if (!isValidCloseCode(code)) {
            fail(1002, "invalid close code");
            return;
        }
        if (!isValidUtf8(payload + 2, length - 2)) {
            fail(1007, "close reason must be UTF-8");
            return;
        }
    }

    m_inputDone = true;
    if (!m_weClosed) {
        m_listener.webSocketClosing(m_id, code);
        if (m_state == State::Closed)
            return;
        // Echo the code, as RFC 6455 section 5.5.1 asks.
        sendFrame(Close, code == 1005 ? QByteArrayView() : QByteArrayView(payload, 2));
        m_state = State::Closing;
        QTimer::singleShot(kCloseLingerMs, this, &WebSocketConnection::abort);
    }
    endAfterFlush();
}

void WebSocketConnection::fail(int code, QByteArrayView reason)
{
    if (m_state != State::Open) {
        finish();
        return;
    }

    m_listener.webSocketClosing(m_id, code);
    if (m_state != State::Open)
        return;
    m_inputDone = true;
    close(code, reason);
}

void WebSocketConnection::sendFrame(int opcode, QByteArrayView payload)
{
    writeOut(frameHead(opcode, payload.size()), payload);
}

void WebSocketConnection::writeOut(QByteArrayView head, QByteArrayView payload)
{
    if (m_state == State::Closed)
        return;

    if (m_device) {
        m_device->write(head.constData(), head.size());
        m_device->write(payload.constData(), payload.size());
        if (m_device->bytesToWrite() > kMaxPendingOutBytes) {
            qCDebug(lcWebSocket) << "connection" << m_id << "does not read; cutting it off";
            finish();
        }
        return;
    }

    qsizetype sent = 0;
    if (m_pendingOut.size() == m_pendingOutSent) {
        iovec parts[2] = {{const_cast<char *>(head.constData()), size_t(head.size())},
                          {const_cast<char *>(payload.constData()), size_t(payload.size())}};
        msghdr message{};
        message.msg_iov = parts;
        message.msg_iovlen = payload.isEmpty() ? 1 : 2;
        ssize_t written;
        do {
            written = ::sendmsg(m_descriptor, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
        } while (written < 0 && errno == EINTR);

        if (written < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            finish();
            return;
        }
        sent = std::max<ssize_t>(written, 0);
        if (sent == head.size() + payload.size())
            return;
    } else if (m_pendingOut.size() - m_pendingOutSent > kMaxPendingOutBytes) {
        qCDebug(lcWebSocket) << "connection" << m_id << "does not read; cutting it off";
        finish();
        return;
    }

    // Keep what the kernel did not take, and write it when the socket can take more.
    if (sent < head.size()) {
        m_pendingOut.append(head.sliced(sent));
        m_pendingOut.append(payload);
    } else {
        m_pendingOut.append(payload.sliced(sent - head.size()));
    }
    if (!m_writeNotifier) {
        m_writeNotifier = new QSocketNotifier(m_descriptor, QSocketNotifier::Write, this);
        connect(m_writeNotifier, &QSocketNotifier::activated, this,
                &WebSocketConnection::flushPending);
    }
    m_writeNotifier->setEnabled(true);
}

void WebSocketConnection::flushPending()
{
    while (m_state != State::Closed && m_pendingOutSent < m_pendingOut.size()) {
        const ssize_t written
            = ::send(m_descriptor, m_pendingOut.constData() + m_pendingOutSent,
                     size_t(m_pendingOut.size() - m_pendingOutSent), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (written > 0) {
            m_pendingOutSent += written;
            continue;
        }
        if (written < 0 && errno == EINTR)
            continue;
        if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        finish();
        return;
    }
    if (m_state == State::Closed)
        return;

    m_pendingOut = QByteArray();
    m_pendingOutSent = 0;
    m_writeNotifier->setEnabled(false);
    if (m_endAfterFlush)
        endGracefully();
}

void WebSocketConnection::endAfterFlush()
{
    m_endAfterFlush = true;
    if (m_device || m_pendingOutSent == m_pendingOut.size())
        endGracefully();
}

void WebSocketConnection::endGracefully()
{
    if (m_state == State::Closed)
        return;

    // Our half ends with a FIN after the close frame; the peer's end of stream, or the linger
    // timer, ends the connection. Closing outright could reset it and lose the close frame.
    if (m_device) {
        m_device->disconnectFromHost();
        return;
    }
    ::shutdown(m_descriptor, SHUT_WR);
}

void WebSocketConnection::finish()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;

    if (m_readNotifier) {
        m_readNotifier->setEnabled(false);
        m_readNotifier->deleteLater();
        m_readNotifier = nullptr;
    }
    if (m_writeNotifier) {
        m_writeNotifier->setEnabled(false);
        m_writeNotifier->deleteLater();
        m_writeNotifier = nullptr;
    }
    if (m_descriptor >= 0) {
        ::close(m_descriptor);
        m_descriptor = -1;
    }
    if (m_device) {
        m_device->disconnect(this);
        m_device->abort();
        m_device->deleteLater();
    }
    m_partialIn = QByteArray();
    m_message = QByteArray();
    m_pendingOut = QByteArray();
    m_pendingOutSent = 0;

    QMetaObject::invokeMethod(
        this, [this] { m_listener.webSocketDisconnected(m_id); }, Qt::QueuedConnection);
}

} // namespace quorum
