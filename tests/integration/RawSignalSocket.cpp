#include "RawSignalSocket.h"

#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace quorum::testing {

RawSignalSocket::RawSignalSocket()
    : m_socket(std::make_unique<QTcpSocket>())
{ }

RawSignalSocket::~RawSignalSocket()
{
    m_socket->abort();
}

bool RawSignalSocket::open(quint16 port, int timeoutMs)
{
    m_socket->connectToHost(QHostAddress::LocalHost, port);
    if (!m_socket->waitForConnected(timeoutMs))
        return false;

    QByteArray nonce(16, Qt::Uninitialized);
    for (char &byte : nonce)
        byte = char(QRandomGenerator::global()->bounded(256));
    m_socket->write("GET /v1/signal HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port)
                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                    + nonce.toBase64()
                    + "\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: quorum.v1\r\n\r\n");
    m_socket->flush();

    // The answer's head ends with an empty line; frames may follow in the same read.
    QDeadlineTimer deadline(timeoutMs);
    while (!m_input.contains("\r\n\r\n")) {
        if (deadline.hasExpired() || !waitForInput(deadline))
            return false;
    }
    const qsizetype end = m_input.indexOf("\r\n\r\n") + 4;
    const QByteArray head = m_input.left(end);
    m_input.remove(0, end);
    parseFrames();
    return head.startsWith("HTTP/1.1 101");
}

bool RawSignalSocket::waitForInput(const QDeadlineTimer &deadline)
{
    // An event loop, not waitForReadyRead(): the test's other sockets must keep answering
    // pings meanwhile.
    if (m_socket->bytesAvailable() == 0) {
        QSignalSpy readable(m_socket.get(), &QTcpSocket::readyRead);
        QSignalSpy gone(m_socket.get(), &QTcpSocket::disconnected);
        while (readable.isEmpty() && gone.isEmpty() && !deadline.hasExpired())
            readable.wait(int(qBound(qint64(1), deadline.remainingTime(), qint64(50))));
    }
    const QByteArray bytes = m_socket->readAll();
    m_input += bytes;
    return !bytes.isEmpty();
}

void RawSignalSocket::sendText(const QByteArray &text, bool partial)
{
    QByteArray frame;
    frame.append(char(0x81)); // FIN, text
    if (text.size() < 126) {
        frame.append(char(0x80 | text.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((text.size() >> 8) & 0xff));
        frame.append(char(text.size() & 0xff));
    }
    const quint32 maskValue = QRandomGenerator::global()->generate();
    const char mask[4]
        = {char(maskValue >> 24), char(maskValue >> 16), char(maskValue >> 8), char(maskValue)};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < text.size(); ++i)
        frame.append(char(text[i] ^ mask[i % 4]));

    m_socket->write(partial ? frame.left(frame.size() / 2) : frame);
    m_socket->flush();
    m_socket->waitForBytesWritten(1000);
}

void RawSignalSocket::sendJson(const QJsonObject &frame)
{
    sendText(QJsonDocument(frame).toJson(QJsonDocument::Compact));
}

void RawSignalSocket::sendRaw(const QByteArray &bytes)
{
    m_socket->write(bytes);
    m_socket->flush();
}

void RawSignalSocket::parseFrames()
{
    for (;;) {
        if (m_input.size() < 2)
            return;
        const int opcode = quint8(m_input[0]) & 0x0f;
        qint64 length = quint8(m_input[1]) & 0x7f;
        qsizetype offset = 2;
        if (length == 126) {
            if (m_input.size() < 4)
                return;
            length = (qint64(quint8(m_input[2])) << 8) | quint8(m_input[3]);
            offset = 4;
        } else if (length == 127) {
            if (m_input.size() < 10)
                return;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | quint8(m_input[i]);
            offset = 10;
        }
        if (m_input.size() < offset + length)
            return;
        const QByteArray payload = m_input.mid(offset, length);
        m_input.remove(0, offset + length);

        // Server frames are unmasked and, from our server, unfragmented. Pings go unanswered
        // on purpose.
        if (opcode == 0x1)
            m_texts.append(QJsonDocument::fromJson(payload).object());
        else if (opcode == 0x8 && payload.size() >= 2)
            m_closeCode = (quint8(payload[0]) << 8) | quint8(payload[1]);
    }
}

QJsonObject RawSignalSocket::waitFor(const QString &type, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (qsizetype i = 0; i < m_texts.size(); ++i) {
            if (m_texts[i].value(u"type"_s).toString() == type)
                return m_texts.takeAt(i);
        }
        if (deadline.hasExpired() || m_socket->state() != QAbstractSocket::ConnectedState)
            return {};
        if (waitForInput(deadline))
            parseFrames();
    }
}

int RawSignalSocket::waitForCloseCode(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_closeCode < 0 && !deadline.hasExpired()
           && m_socket->state() == QAbstractSocket::ConnectedState) {
        if (waitForInput(deadline))
            parseFrames();
    }
    m_input += m_socket->readAll();
    parseFrames();
    return m_closeCode;
}

void RawSignalSocket::abort()
{
    m_socket->abort();
}

} // namespace quorum::testing
