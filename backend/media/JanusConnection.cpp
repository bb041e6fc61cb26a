#include "JanusConnection.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace quorum::media {

Q_LOGGING_CATEGORY(lcJanusApi, "quorum.media.janus.api")

namespace {

// Janus ends a session that is silent for its session_timeout (60 s by default).
constexpr int kKeepAliveMs = 20'000;
// Janus answers on loopback or a private network within milliseconds; an answer this late means
// the node is stuck, and the caller hears so rather than waiting for ever.
constexpr qint64 kRequestTimeoutMs = 10'000;
constexpr int kReopenMs = 1'000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

JanusConnection::JanusConnection(JanusNode node, QObject *parent)
    : QObject(parent)
    , m_node(std::move(node))
{
    connect(&m_socket, &QWebSocket::connected, this, &JanusConnection::onConnected);
    connect(&m_socket, &QWebSocket::disconnected, this, &JanusConnection::onDisconnected);
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &JanusConnection::onMessage);
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            &JanusConnection::onSocketError);

    m_keepAlive.setInterval(kKeepAliveMs);
    connect(&m_keepAlive, &QTimer::timeout, this, [this] {
        if (m_sessionId != 0)
            send({{u"janus"_s, u"keepalive"_s}}, {});
    });
    m_requestTimeouts.setInterval(1000);
    connect(&m_requestTimeouts, &QTimer::timeout, this, &JanusConnection::expireRequests);
    m_reopen.setSingleShot(true);
    connect(&m_reopen, &QTimer::timeout, this, &JanusConnection::open);
}

JanusConnection::~JanusConnection()
{
    m_closing = true;
    m_socket.disconnect(this);
    m_socket.abort();
}

void JanusConnection::open()
{
    if (m_socket.state() != QAbstractSocket::UnconnectedState)
        return;

    QNetworkRequest request(m_node.url);
    // Janus's WebSocket transport speaks its API only under this subprotocol.
    request.setRawHeader("Sec-WebSocket-Protocol", "janus-protocol");
    m_socket.open(request);
}

void JanusConnection::onConnected()
{
    send({{u"janus"_s, u"create"_s}}, [this](const QJsonObject &answer, const QString &error) {
        if (!error.isEmpty()) {
            qCWarning(lcJanusApi) << "Janus" << m_node.name << "refused a session:" << error;
            m_socket.abort();
            return;
        }
        m_sessionId = answer.value(u"data"_s).toObject().value(u"id"_s).toInteger();
        m_failedOpens = 0;
        m_keepAlive.start();
        qCInfo(lcJanusApi) << "session open on Janus" << m_node.name << m_node.url.toString();
        Q_EMIT ready();
    });
    m_requestTimeouts.start();
}

void JanusConnection::onSocketError(QAbstractSocket::SocketError)
{
    if (m_closing || m_sessionId != 0)
        return; // a session that breaks is reported by onDisconnected
    // An open that failed emits no disconnected(): try again from here. The first failure and
    // then one a minute are logged, so an unreachable node is plain in the log.
    if (m_failedOpens++ % 60 == 0)
        qCWarning(lcJanusApi).noquote()
            << "cannot reach Janus" << m_node.name << "at" << m_node.url.toString() << ":"
            << m_socket.errorString() << "(trying again every second)";
    if (m_socket.state() == QAbstractSocket::UnconnectedState)
        scheduleReopen();
}

void JanusConnection::onDisconnected()
{
    if (m_closing)
        return;
    dropSession(u"the connection to Janus closed"_s);
    scheduleReopen();
}

void JanusConnection::scheduleReopen()
{
    if (!m_reopen.isActive())
        m_reopen.start(kReopenMs);
}

void JanusConnection::dropSession(const QString &why)
{
    const bool hadSession = m_sessionId != 0;
    m_sessionId = 0;
    m_keepAlive.stop();
    m_requestTimeouts.stop();

    // Whoever waits for an answer hears now, not after the timeout.
    const auto pending = std::exchange(m_pending, {});
    for (const Pending &request : pending)
        if (request.done)
            request.done({}, why);
    if (hadSession) {
        qCWarning(lcJanusApi) << "lost the session on Janus" << m_node.name << ":" << why;
        Q_EMIT lost();
    }
}

void JanusConnection::attach(Reply done)
{
    send({{u"janus"_s, u"attach"_s}, {u"plugin"_s, u"janus.plugin.videoroom"_s}}, std::move(done));
}

void JanusConnection::detach(qint64 handle)
{
    if (m_sessionId == 0 || handle == 0)
        return;
    send({{u"janus"_s, u"detach"_s}, {u"handle_id"_s, handle}}, {});
}

void JanusConnection::message(qint64 handle, const QJsonObject &body, const QJsonObject &jsep,
                              Reply done)
{
    QJsonObject request{{u"janus"_s, u"message"_s}, {u"handle_id"_s, handle}, {u"body"_s, body}};
    if (!jsep.isEmpty())
        request.insert(u"jsep"_s, jsep);
    send(request, std::move(done));
}

void JanusConnection::trickle(qint64 handle, const QJsonValue &candidate)
{
    QJsonObject request{{u"janus"_s, u"trickle"_s}, {u"handle_id"_s, handle}};
    if (candidate.isObject())
        request.insert(u"candidate"_s, candidate);
    else
        request.insert(u"candidate"_s, QJsonObject{{u"completed"_s, true}});
    send(request, {});
}

void JanusConnection::send(QJsonObject request, Reply done)
{
    const bool creating = request.value(u"janus"_s).toString() == u"create";
    if (m_socket.state() != QAbstractSocket::ConnectedState || (!creating && m_sessionId == 0)) {
        if (done)
            done({}, u"Janus %1 is not connected"_s.arg(m_node.name));
        return;
    }

    const QString transaction = QString::number(++m_nextTransaction);
    request.insert(u"transaction"_s, transaction);
    if (!creating)
        request.insert(u"session_id"_s, m_sessionId);
    if (!m_node.apiSecret.isEmpty())
        request.insert(u"apisecret"_s, m_node.apiSecret);
    // Keep-alives and trickles are answered with an ack only; nobody waits for them.
    if (done)
        m_pending.insert(transaction, Pending{std::move(done), nowMs()});
    const QByteArray text = QJsonDocument(request).toJson(QJsonDocument::Compact);
    m_socket.sendTextMessage(QString::fromUtf8(text));
}

void JanusConnection::onMessage(const QString &text)
{
    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString kind = message.value(u"janus"_s).toString();
    const QString transaction = message.value(u"transaction"_s).toString();

    // An ack says a plugin request was taken; its answer follows as an event with the same
    // transaction.
    if (kind == u"ack")
        return;
    if (const auto it = m_pending.find(transaction); it != m_pending.end()) {
        const Reply done = std::move(it->done);
        m_pending.erase(it);
        if (kind == u"error") {
            const QJsonObject error = message.value(u"error"_s).toObject();
            done({},
                 u"Janus error %1: %2"_s.arg(error.value(u"code"_s).toInt())
                     .arg(error.value(u"reason"_s).toString()));
        } else if (const QString refused = pluginError(message); !refused.isEmpty()) {
            done({}, refused);
        } else {
            done(message, {});
        }
        return;
    }

    if (kind == u"timeout") {
        dropSession(u"Janus timed the session out"_s);
        m_socket.abort();
        scheduleReopen();
        return;
    }
    const qint64 handle = message.value(u"sender"_s).toInteger();
    if (handle != 0)
        Q_EMIT handleEvent(handle, message);
}

void JanusConnection::expireRequests()
{
    const qint64 now = nowMs();
    QList<Reply> expired;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (now - it->sentAtMs > kRequestTimeoutMs) {
            expired.append(std::move(it->done));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    for (const Reply &done : std::as_const(expired))
        done({},
             u"Janus %1 did not answer within %2 s"_s.arg(m_node.name)
                 .arg(kRequestTimeoutMs / 1000));
}

QJsonObject JanusConnection::pluginData(const QJsonObject &answer)
{
    return answer.value(u"plugindata"_s).toObject().value(u"data"_s).toObject();
}

QString JanusConnection::pluginError(const QJsonObject &answer)
{
    const QJsonObject data = pluginData(answer);
    if (!data.contains(u"error_code"_s))
        return {};
    return u"VideoRoom error %1: %2"_s.arg(data.value(u"error_code"_s).toInt())
        .arg(data.value(u"error"_s).toString());
}

} // namespace quorum::media
