#include "SignalClient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QJsonDocument>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

using namespace Qt::StringLiterals;

namespace quorum::testing {

SignalClient::SignalClient(QObject *parent)
    : QObject(parent)
    , m_socket(std::make_unique<QWebSocket>())
{
    connect(m_socket.get(), &QWebSocket::textMessageReceived, this, &SignalClient::received);
    connect(m_socket.get(), &QWebSocket::disconnected, this, [this] { m_closed = true; });
}

SignalClient::~SignalClient()
{
    // Tests leave nothing behind: a socket still open is dropped.
    if (m_socket->state() != QAbstractSocket::UnconnectedState)
        m_socket->abort();
}

bool SignalClient::open(quint16 port, int timeoutMs, const QStringList &subprotocols)
{
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(subprotocols);
    QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1/v1/signal"_s.arg(port)));

    QSignalSpy connected(m_socket.get(), &QWebSocket::connected);
    m_closed = false;
    m_socket->open(request, options);
    if (connected.isEmpty() && !connected.wait(timeoutMs))
        return false;
    return m_socket->state() == QAbstractSocket::ConnectedState;
}

QString SignalClient::subprotocol() const
{
    return m_socket->subprotocol();
}

bool SignalClient::isOpen() const
{
    return m_socket->state() == QAbstractSocket::ConnectedState && !m_closed;
}

void SignalClient::send(const QJsonObject &frame)
{
    sendText(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void SignalClient::sendText(const QString &text)
{
    m_socket->sendTextMessage(text);
    m_socket->flush();
}

void SignalClient::received(const QString &message)
{
    const QJsonObject frame = QJsonDocument::fromJson(message.toUtf8()).object();
    m_history.append(frame);
    m_buffer.append(frame);

    if (m_ackDelayMs >= 0 && frame.value(u"type"_s).toString() == u"mute_request") {
        const QString ref = frame.value(u"ref"_s).toString();
        QTimer::singleShot(m_ackDelayMs, this, [this, ref] {
            if (isOpen())
                send({{u"type"_s, u"ack"_s}, {u"ref"_s, ref}});
        });
    }
}

QJsonObject SignalClient::waitFor(const QString &type, int timeoutMs)
{
    return waitForAny({type}, timeoutMs);
}

QJsonObject SignalClient::waitForAny(const QStringList &types, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QSignalSpy messages(m_socket.get(), &QWebSocket::textMessageReceived);
    for (;;) {
        for (qsizetype i = 0; i < m_buffer.size(); ++i) {
            if (types.contains(m_buffer[i].value(u"type"_s).toString()))
                return m_buffer.takeAt(i);
        }
        if (deadline.hasExpired())
            return {};
        // Frames also arrive while the socket closes; a closed socket brings no more.
        if (m_closed && m_socket->state() == QAbstractSocket::UnconnectedState) {
            QCoreApplication::processEvents();
            for (qsizetype i = 0; i < m_buffer.size(); ++i) {
                if (types.contains(m_buffer[i].value(u"type"_s).toString()))
                    return m_buffer.takeAt(i);
            }
            return {};
        }
        messages.wait(int(qMax<qint64>(1, qMin<qint64>(deadline.remainingTime(), 100))));
    }
}

bool SignalClient::has(const QString &type)
{
    QCoreApplication::processEvents();
    for (const QJsonObject &frame : std::as_const(m_buffer)) {
        if (frame.value(u"type"_s).toString() == type)
            return true;
    }
    return false;
}

QJsonObject SignalClient::join(const QString &token, const QString &meetingId)
{
    QJsonObject frame{{u"type"_s, u"join"_s}, {u"id"_s, u"j"_s}, {u"token"_s, token}};
    if (!meetingId.isEmpty())
        frame.insert(u"meeting_id"_s, meetingId);
    send(frame);
    return waitForAny({u"joined"_s, u"waiting"_s, u"error"_s});
}

QJsonObject SignalClient::resume(const QString &resumeToken)
{
    send({{u"type"_s, u"resume"_s}, {u"id"_s, u"r"_s}, {u"resume_token"_s, resumeToken}});
    return waitForAny({u"resumed"_s, u"error"_s});
}

QJsonObject SignalClient::observe(const QString &accessToken, const QString &meetingId)
{
    send({{u"type"_s, u"observe"_s},
          {u"id"_s, u"o"_s},
          {u"access_token"_s, accessToken},
          {u"meeting_id"_s, meetingId}});
    return waitForAny({u"observing"_s, u"error"_s});
}

bool SignalClient::waitForClosed(int timeoutMs)
{
    if (m_closed)
        return true;
    QSignalSpy disconnected(m_socket.get(), &QWebSocket::disconnected);
    return m_closed || disconnected.wait(timeoutMs) || m_closed;
}

int SignalClient::closeCode() const
{
    return m_closed ? int(m_socket->closeCode()) : -1;
}

QString SignalClient::closeReason() const
{
    return m_socket->closeReason();
}

void SignalClient::close(int code)
{
    m_socket->close(QWebSocketProtocol::CloseCode(code));
}

void SignalClient::abort()
{
    m_socket->abort();
    m_closed = true;
}

} // namespace quorum::testing
