#include "SignalEndpoint.h"

#include "SignalHub.h"
#include "WebSocketHandshake.h"
#include "core/WebOrigin.h"
#include "http/JsonText.h"
#include "server/Settings.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <atomic>

Q_LOGGING_CATEGORY(lcSignal, "quorum.signal")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

constexpr QByteArrayView kSubprotocol = "quorum.v1";
// A refused handshake's answer gets this long to leave before the socket is cut off.
constexpr int kRefusalLingerMs = 5000;

thread_local SignalEndpoint *t_endpoint = nullptr;
std::atomic<qint64> g_openSockets{0};
// Sessions and streams of every endpoint draw from one sequence: a SessionRef's id alone
// names its client for the life of the process.
std::atomic<quint64> g_nextSessionId{1};

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString requestIdOf(const QJsonObject &frame)
{
    const QJsonValue id = frame.value(u"id"_s);
    if (id.isString())
        return id.toString();
    if (id.isDouble())
        return QString::number(id.toInteger());
    return {};
}

bool isFirstFrameType(const QString &type)
{
    return type == u"join"_s || type == u"resume"_s || type == u"observe"_s;
}

} // namespace

SignalEndpoint::SignalEndpoint(SignalHub &hub, const Settings &settings, QObject *parent)
    : QObject(parent)
    , m_hub(hub)
    , m_settings(settings)
    , m_sweepTimer(new QTimer(this))
{
    t_endpoint = this;

    // A quarter of the shortest deadline keeps every close within 25% of its due time.
    const int shortest = std::min({m_settings.pingIntervalSeconds, m_settings.pingTimeoutSeconds,
                                   m_settings.firstFrameTimeoutSeconds});
    m_sweepTimer->setInterval(std::clamp(shortest * 1000 / 4, 100, 1000));
    connect(m_sweepTimer, &QTimer::timeout, this, &SignalEndpoint::sweep);
}

SignalEndpoint::~SignalEndpoint()
{
    if (t_endpoint == this)
        t_endpoint = nullptr;

    // The hub has stopped by now and closed its sessions; whatever is left goes away with
    // 1001 from the connection's destructor, unreported.
    const QList<quint64> ids = m_sessions.keys();
    for (const quint64 id : ids) {
        const auto it = m_sessions.find(id);
        if (it == m_sessions.end())
            continue;
        WebSocketConnection *socket = it->socket;
        m_sessions.erase(it);
        --g_openSockets;
        delete socket;
    }
}

SignalEndpoint *SignalEndpoint::forCurrentThread()
{
    return t_endpoint;
}

qint64 SignalEndpoint::openSockets()
{
    return g_openSockets.load();
}

void SignalEndpoint::takeUpgrade(QTcpSocket *socket)
{
    // The front rolled the handshake back into the socket's buffer; what follows it are the
    // client's first frames.
    socket->setParent(this);
    QByteArray bytes = socket->readAll();
    const qsizetype headEnd = bytes.indexOf("\r\n\r\n");
    const WebSocketHandshake handshake(
        QByteArrayView(bytes).first(headEnd < 0 ? bytes.size() : headEnd + 2));

    std::optional<GuardRejection> refusal = handshake.refusal();
    if (!refusal && !originAllowed(handshake.origin())) {
        qCWarning(lcSignal).noquote()
            << "refused a signalling socket from origin" << QString::fromUtf8(handshake.origin());
        refusal = GuardRejection{403, "forbidden", "Forbidden",
                                 "This origin may not open signalling sockets here."};
    }
    if (headEnd < 0 || refusal) {
        if (!refusal)
            refusal
                = GuardRejection{400, "invalid_request", "Bad Request", "Incomplete handshake."};
        socket->write(WebSocketHandshake::refusalResponse(*refusal, newRequestId()));
        connect(socket, &QAbstractSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        QTimer::singleShot(kRefusalLingerMs, socket, [socket] { socket->abort(); });
        return;
    }

    // Without quorum.v1 the client speaks something else: the handshake completes and the
    // close that follows says why.
    const bool speaksQuorum = handshake.offersSubprotocol(kSubprotocol);
    const quint64 id = g_nextSessionId++;
    auto *connection = new WebSocketConnection(id, *this, m_settings.signalMaxMessageBytes, this);
    const qint64 now = nowMs();
    Session session;
    session.socket = connection;
    session.acceptedMs = now;
    session.heardMs = now;
    session.pingedMs = now;
    session.windowStartMs = now;
    session.refilledMs = now;
    session.tokens = 2.0 * m_settings.signalMessagesPerSecond;
    m_sessions.insert(id, session);
    ++g_openSockets;
    updateSweepTimer();

    connection->start(socket, handshake.acceptance(speaksQuorum ? kSubprotocol : QByteArrayView()),
                      bytes.sliced(headEnd + 4));
    if (!speaksQuorum) {
        if (const auto it = m_sessions.find(id); it != m_sessions.end())
            closeSession(*it, SignalHub::CloseProtocol, u"the quorum.v1 subprotocol is required"_s);
    }
}

quint64 SignalEndpoint::addStream(std::function<void(const Outgoing &)> writer)
{
    const quint64 id = g_nextSessionId++;
    m_streams.insert(id, std::move(writer));
    return id;
}

void SignalEndpoint::removeStream(quint64 id)
{
    m_streams.remove(id);
}

void SignalEndpoint::deliver(quint64 sessionId, QList<Outgoing> frames)
{
    QMetaObject::invokeMethod(
        this,
        [this, sessionId, frames = std::move(frames)] {
            if (const auto stream = m_streams.constFind(sessionId); stream != m_streams.cend()) {
                // Copied: a writer may remove its own stream.
                const auto writer = *stream;
                for (const Outgoing &frame : frames)
                    writer(frame);
                return;
            }

            const auto it = m_sessions.find(sessionId);
            if (it == m_sessions.end() || it->closedByUs)
                return;

            for (const Outgoing &frame : frames) {
                if (!frame.text.isEmpty())
                    it->socket->sendText(frame.text);
                if (frame.closeCode != 0) {
                    it->hubClosed = true;
                    closeSession(*it, frame.closeCode, frame.closeReason);
                    return;
                }
            }
            if (!it->answered) {
                it->answered = true;
                for (const QByteArray &error : std::exchange(it->heldErrors, {}))
                    it->socket->sendText(error);
            }
        },
        Qt::QueuedConnection);
}

void SignalEndpoint::post(std::function<void()> task)
{
    QMetaObject::invokeMethod(this, std::move(task), Qt::QueuedConnection);
}

bool SignalEndpoint::originAllowed(const QByteArray &originBytes) const
{
    // Browsers always send Origin; other clients (the desktop app, tools) usually do not.
    if (originBytes.isEmpty())
        return true;

    const QString origin = QString::fromUtf8(originBytes);
    const QString normalized = webOrigin(QUrl(origin));
    return m_settings.corsOrigins.contains(origin)
        || (!normalized.isEmpty()
            && (normalized == webOrigin(QUrl(m_settings.publicUrl))
                || normalized == webOrigin(QUrl(m_settings.advertiseUrl))));
}

void SignalEndpoint::webSocketBinary(quint64 id)
{
    if (const auto found = m_sessions.find(id); found != m_sessions.end())
        closeSession(*found, 1003, u"binary frames are not supported"_s);
}

void SignalEndpoint::webSocketPong(quint64 id)
{
    if (const auto found = m_sessions.find(id); found != m_sessions.end())
        found->heardMs = nowMs();
}

void SignalEndpoint::webSocketText(quint64 id, const QByteArray &utf8)
{
    const auto it = m_sessions.find(id);
    if (it == m_sessions.end() || it->closedByUs)
        return;
    const qint64 now = nowMs();
    it->heardMs = now;
    if (!admitMessage(id, *it, now))
        return;

    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
    const QJsonObject frame = document.object();
    const bool loneSurrogate = jsontext::hasLoneSurrogateEscape(utf8);
    const bool valid = parseError.error == QJsonParseError::NoError && document.isObject()
        && frame.value(u"type"_s).isString() && !loneSurrogate;

    if (!it->started) {
        if (!valid || !isFirstFrameType(frame.value(u"type"_s).toString())) {
            sendError(*it, u"invalid_frame"_s,
                      u"The first frame must be join, resume or observe."_s,
                      valid ? requestIdOf(frame) : QString());
            closeSession(*it, SignalHub::CloseProtocol, u"bad first frame"_s);
            return;
        }
        dispatchFirstFrame(id, *it, frame);
        return;
    }

    if (!valid) {
        sendError(*it, u"invalid_frame"_s,
                  loneSurrogate ? u"The frame has a \\u escape of a lone UTF-16 surrogate."_s
                                : u"A frame is a JSON object with a string type."_s);
        return;
    }
    // Numeric ids travel as strings from here on, so every answer echoes them the same way.
    QJsonObject normalized = frame;
    if (normalized.value(u"id"_s).isDouble())
        normalized.insert(u"id"_s, requestIdOf(frame));
    if (isFirstFrameType(frame.value(u"type"_s).toString())) {
        sendError(*it, u"invalid_frame"_s,
                  u"This socket has already joined, resumed or observed."_s, requestIdOf(frame));
        return;
    }
    m_hub.frame(SessionRef{this, id}, normalized);
}

void SignalEndpoint::dispatchFirstFrame(quint64 id, Session &session, const QJsonObject &frame)
{
    session.started = true;
    const SessionRef ref{this, id};
    const QString type = frame.value(u"type"_s).toString();
    const QString requestId = requestIdOf(frame);

    if (type == u"join"_s) {
        JoinFrame join;
        join.requestId = requestId;
        join.token = frame.value(u"token"_s).toString();
        join.meetingId = frame.value(u"meeting_id"_s).toString();
        join.clientAddress = session.socket->peerAddress().toString();
        m_hub.join(ref, std::move(join));
    } else if (type == u"resume"_s) {
        m_hub.resume(ref, requestId, frame.value(u"resume_token"_s).toString());
    } else {
        m_hub.observe(ref, requestId, frame.value(u"access_token"_s).toString().toUtf8(),
                      frame.value(u"meeting_id"_s).toString());
    }
}

bool SignalEndpoint::admitMessage(quint64 id, Session &session, qint64 nowMs)
{
    const int rate = m_settings.signalMessagesPerSecond;

    // A fixed one-second window catches a flood that the bucket alone would only slow down.
    if (nowMs - session.windowStartMs >= 1000) {
        session.windowStartMs = nowMs;
        session.windowCount = 0;
    }
    if (++session.windowCount > 3 * rate) {
        qCDebug(lcSignal) << "session" << id << "exceeded the message rate; closing";
        closeSession(session, SignalHub::ClosePolicy, u"rate limit exceeded"_s);
        return false;
    }

    // The bucket: `rate` tokens a second, holding at most two seconds' worth.
    const double burst = 2.0 * rate;
    session.tokens
        = std::min(burst, session.tokens + double(nowMs - session.refilledMs) * rate / 1000.0);
    session.refilledMs = nowMs;
    if (session.tokens < 1.0) {
        sendError(session, u"rate_limited"_s, u"Too many messages; this one was dropped."_s);
        return false;
    }
    session.tokens -= 1.0;
    return true;
}

void SignalEndpoint::sendError(Session &session, const QString &code, const QString &message,
                               const QString &requestId)
{
    QJsonObject error{{u"type"_s, u"error"_s}, {u"code"_s, code}, {u"message"_s, message}};
    if (!requestId.isEmpty())
        error.insert(u"id"_s, requestId);
    const QByteArray text = QJsonDocument(error).toJson(QJsonDocument::Compact);

    // Frames sent after join, resume or observe are answered after it, in order: the hub's
    // answer is still on its way, so an error found here waits for it.
    if (session.started && !session.answered) {
        session.heldErrors.append(text);
        return;
    }
    session.socket->sendText(text);
}

void SignalEndpoint::closeSession(Session &session, int code, const QString &reason)
{
    if (session.closedByUs)
        return;

    // The join's answer will not come now: what was held for it goes out before the close.
    for (const QByteArray &error : std::exchange(session.heldErrors, {}))
        session.socket->sendText(error);
    session.closedByUs = true;
    session.socket->close(code, reason.toUtf8());

    // The client is gone for the hub once we close on it: one too dead to answer the close
    // must not keep its seat while the connection lingers.
    if (session.started && !session.hubClosed) {
        session.hubClosed = true;
        m_hub.sessionClosed(SessionRef{this, session.socket->id()}, false);
    }
}

void SignalEndpoint::webSocketClosing(quint64 id, int code)
{
    // A close we did not start: the client's close frame, or our answer to a protocol fault
    // or an oversized message (1002, 1007, 1009).
    const auto it = m_sessions.find(id);
    if (it != m_sessions.end() && !it->closedByUs && it->peerCloseCode == 0)
        it->peerCloseCode = code;
}

void SignalEndpoint::webSocketDisconnected(quint64 id)
{
    const auto it = m_sessions.find(id);
    if (it == m_sessions.end())
        return;

    const Session session = *it;
    m_sessions.erase(it);
    --g_openSockets;
    session.socket->deleteLater();
    updateSweepTimer();

    // Sockets that never sent a first frame are unknown to the hub, and a close the hub
    // asked for needs no report.
    if (!session.started || session.hubClosed)
        return;
    const bool left = !session.closedByUs && session.peerCloseCode == 1000;
    m_hub.sessionClosed(SessionRef{this, id}, left);
}

void SignalEndpoint::sweep()
{
    const qint64 now = nowMs();
    const qint64 firstFrameMs = qint64(m_settings.firstFrameTimeoutSeconds) * 1000;
    const qint64 silenceMs = qint64(m_settings.pingTimeoutSeconds) * 1000;
    const qint64 pingMs = qint64(m_settings.pingIntervalSeconds) * 1000;
    // Decide first and act afterwards: a close calls out to the hub.
    QList<QPair<quint64, int>> closes;
    for (auto it = m_sessions.begin(); it != m_sessions.end(); ++it) {
        Session &session = it.value();
        if (session.closedByUs) {
            continue; // the connection cuts off a peer that does not finish the close
        } else if (!session.started && now - session.acceptedMs >= firstFrameMs) {
            closes << qMakePair(it.key(), int(SignalHub::CloseNoFirstFrame));
        } else if (now - session.heardMs >= silenceMs) {
            closes << qMakePair(it.key(), int(SignalHub::CloseTimeout));
        } else if (now - session.pingedMs >= pingMs) {
            session.pingedMs = now;
            session.socket->ping();
        }
    }

    for (const auto &[id, code] : std::as_const(closes)) {
        if (const auto it = m_sessions.find(id); it != m_sessions.end()) {
            closeSession(*it, code,
                         code == SignalHub::CloseNoFirstFrame ? u"no first frame in time"_s
                                                              : u"ping timeout"_s);
        }
    }
}

void SignalEndpoint::updateSweepTimer()
{
    // No wake-ups for an idle thread.
    if (m_sessions.isEmpty())
        m_sweepTimer->stop();
    else if (!m_sweepTimer->isActive())
        m_sweepTimer->start();
}

} // namespace quorum
