#include "SignalObserver.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkRequest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcObserver, "quorum.app.signal")

namespace {

constexpr int kFirstRetryMs = 1000;
constexpr int kLongestRetryMs = 30000;
// Close codes after which opening again cannot help (resources/signalling.md).
constexpr int kRefused = 4003;
constexpr int kBadFirstFrame = 4001;
constexpr int kMeetingEnded = 4005;

} // namespace

SignalObserver::SignalObserver(QObject *parent)
    : QObject(parent)
    , m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    connect(m_retry, &QTimer::timeout, this, &SignalObserver::open);
}

SignalObserver::~SignalObserver()
{
    stop();
}

void SignalObserver::start(const QUrl &signalUrl, const QString &accessToken,
                           const QString &meetingId)
{
    stop();
    m_url = signalUrl;
    m_token = accessToken;
    m_meetingId = meetingId;
    m_wanted = true;
    m_retryDelayMs = kFirstRetryMs;
    setError({});
    open();
}

void SignalObserver::stop()
{
    m_wanted = false;
    m_retry->stop();
    if (m_socket) {
        QWebSocket *socket = std::exchange(m_socket, nullptr);
        socket->disconnect(this);
        socket->close();
        socket->deleteLater();
    }
    setObserving(false);
}

bool SignalObserver::sendCommand(const QString &type, const QJsonObject &fields)
{
    if (!m_observing)
        return false;
    QJsonObject frame = fields;
    frame.insert("type"_L1, type);
    frame.insert("id"_L1, QString::number(m_nextId++));
    m_socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    return true;
}

void SignalObserver::open()
{
    if (m_socket)
        m_socket->deleteLater();
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        // The token travels in the first frame, never in the URL.
        const QJsonObject observe{{"type"_L1, "observe"_L1},
                                  {"id"_L1, "observe"_L1},
                                  {"access_token"_L1, m_token},
                                  {"meeting_id"_L1, m_meetingId}};
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(observe).toJson(QJsonDocument::Compact)));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &SignalObserver::received);
    connect(m_socket, &QWebSocket::disconnected, this, &SignalObserver::closed);

    QWebSocketHandshakeOptions options;
    options.setSubprotocols({u"quorum.v1"_s});
    m_socket->open(QNetworkRequest(m_url), options);
}

void SignalObserver::received(const QString &text)
{
    const QJsonObject frame = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString type = frame.value("type"_L1).toString();
    if (type == u"observing") {
        m_retryDelayMs = kFirstRetryMs;
        m_mayAct = frame.value("may_act"_L1).toBool();
        m_mayRecord = frame.value("may_record"_L1).toBool();
        m_meetingState = frame.value("state"_L1).toString();
        Q_EMIT meetingStateChanged();
        setError({});
        setObserving(true);
        Q_EMIT roster(frame.value("participants"_L1).toArray());
    } else if (type == u"participant_joined") {
        if (m_meetingState != u"LIVE") {
            m_meetingState = u"LIVE"_s;
            Q_EMIT meetingStateChanged();
        }
        Q_EMIT participantJoined(frame.value("participant"_L1).toObject());
    } else if (type == u"participant_updated") {
        Q_EMIT participantUpdated(frame.value("participant"_L1).toObject());
    } else if (type == u"participant_left") {
        Q_EMIT participantLeft(frame.value("participant_id"_L1).toString(),
                               frame.value("reason"_L1).toString());
    } else if (type == u"meeting_ended") {
        m_wanted = false;
        m_meetingState = u"ENDED"_s;
        Q_EMIT meetingStateChanged();
        Q_EMIT meetingEnded(frame.value("reason"_L1).toString());
    } else if (type == u"recording_started") {
        Q_EMIT recordingStarted(frame.value("recording_id"_L1).toString());
    } else if (type == u"recording_stopped") {
        Q_EMIT recordingStopped(frame.value("recording_id"_L1).toString(),
                                frame.value("reason"_L1).toString());
    } else if (type == u"error") {
        const QString code = frame.value("code"_L1).toString();
        const QString message = frame.value("message"_L1).toString();
        if (frame.value("id"_L1).toString() == u"observe") {
            m_wanted = false;
            setError(message.isEmpty() ? code : message);
        }
        Q_EMIT commandFailed(code, message);
    }
}

void SignalObserver::closed()
{
    const int code = m_socket ? int(m_socket->closeCode()) : 0;
    qCDebug(lcObserver) << "socket closed with" << code;
    setObserving(false);
    if (code == kRefused || code == kBadFirstFrame || code == kMeetingEnded)
        m_wanted = false;
    if (!m_wanted)
        return;

    // Polite: a server that restarts is not hammered by every app at once.
    m_retry->start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, kLongestRetryMs);
}

void SignalObserver::setObserving(bool observing)
{
    if (m_observing == observing)
        return;
    m_observing = observing;
    Q_EMIT observingChanged();
}

void SignalObserver::setError(const QString &error)
{
    if (m_error == error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

} // namespace quorum
