#include "WebhookReceiver.h"

#include <QDateTime>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

namespace quorum::test {

WebhookReceiver::WebhookReceiver(QObject *parent)
    : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &WebhookReceiver::accept);
}

WebhookReceiver::~WebhookReceiver()
{
    m_server.close();
}

bool WebhookReceiver::listen(quint16 port)
{
    if (!m_server.listen(QHostAddress::LocalHost, port))
        return false;
    m_port = m_server.serverPort();
    return true;
}

void WebhookReceiver::close()
{
    m_server.close();
    for (QTcpSocket *socket : findChildren<QTcpSocket *>())
        socket->abort();
}

QList<WebhookReceiver::Request> WebhookReceiver::requestsWith(const QByteArray &header,
                                                              const QByteArray &value) const
{
    QList<Request> matching;
    for (const Request &request : m_requests) {
        if (request.header(header) == value)
            matching << request;
    }
    return matching;
}

QByteArray WebhookReceiver::url(const QByteArray &path) const
{
    return "http://127.0.0.1:" + QByteArray::number(port()) + path;
}

void WebhookReceiver::accept()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
        connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
            m_buffers.remove(socket);
            socket->deleteLater();
        });
    }
}

void WebhookReceiver::read(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();

    // Every complete request in the buffer, in order.
    for (;;) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        Request request;
        const QList<QByteArray> lines = buffer.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request.method = requestLine.value(0);
        request.target = requestLine.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                       lines[i].mid(colon + 1).trimmed());
        }
        const qsizetype length = request.header("content-length").toLongLong();
        if (buffer.size() < headEnd + 4 + length)
            return;
        request.raw = buffer.left(headEnd + 4 + length);
        request.body = buffer.mid(headEnd + 4, length);
        buffer.remove(0, headEnd + 4 + length);
        request.receivedAtMs = QDateTime::currentMSecsSinceEpoch();

        m_requests << request;
        const Answer next = m_answers.isEmpty() ? m_default : m_answers.takeFirst();
        Q_EMIT requestReceived();
        if (next.drop) {
            // The buffer goes with the socket; abort() may delete nothing yet, so stop here.
            m_buffers.remove(socket);
            socket->abort();
            return;
        }
        answer(socket, next);
    }
}

void WebhookReceiver::answer(QTcpSocket *socket, const Answer &answer)
{
    if (answer.status == 0)
        return;

    QByteArray response = "HTTP/1.1 " + QByteArray::number(answer.status) + " Test\r\n";
    if (answer.status >= 300 && answer.status < 400)
        response += "Location: "
            + (answer.location.isEmpty() ? url("/redirected") : answer.location) + "\r\n";
    response += "Content-Length: 2\r\n\r\nok";
    QPointer<QTcpSocket> target(socket);
    QTimer::singleShot(answer.delayMs, this, [target, response] {
        if (target)
            target->write(response);
    });
}

} // namespace quorum::test
