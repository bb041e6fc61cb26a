#pragma once

#include "SessionPort.h"
#include "WebSocketConnection.h"

#include <QHash>
#include <QObject>

#include <functional>

class QJsonObject;
class QTcpSocket;
class QTimer;

namespace quorum {

class SignalHub;
struct Settings;

// The signalling side of one serving thread: it completes the WebSocket handshakes the HTTP
// front hands over (negotiating `quorum.v1`, checking Origin), holds the socket sessions of
// this thread and its server-sent-event streams, and is the SessionPort through which the hub
// answers them.
// Created in its serving thread when that thread starts and destroyed there when it stops.
class SignalEndpoint final
    : public QObject
    , public SessionPort
    , private WebSocketConnection::Listener
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalEndpoint)

public:
    SignalEndpoint(SignalHub &hub, const Settings &settings, QObject *parent = nullptr);
    ~SignalEndpoint() override;

    // The endpoint of the calling serving thread, or nullptr in any other thread.
    static SignalEndpoint *forCurrentThread();
    // Sockets open on every endpoint (for /metrics).
    static qint64 openSockets();

    // Takes a socket whose WebSocket handshake is still unread (from the HTTP front).
    void takeUpgrade(QTcpSocket *socket);

    // A server-sent-event stream of this thread: the hub's frames for `id` go to `writer`
    // (in this thread). Use the id in SessionRef{this, id} with SignalHub::watch().
    quint64 addStream(std::function<void(const Outgoing &)> writer);
    void removeStream(quint64 id);

    // SessionPort
    void deliver(quint64 sessionId, QList<Outgoing> frames) override;
    void post(std::function<void()> task) override;

private:
    // One socket of this thread. Kept small: thousands of them share one sweep timer.
    struct Session
    {
        WebSocketConnection *socket = nullptr;
        qint64 acceptedMs = 0; // the first frame is due firstFrameTimeoutSeconds after this
        qint64 heardMs = 0; // the last message or pong
        qint64 pingedMs = 0;
        qint64 windowStartMs = 0; // the one-second window of the 1008 rule
        qint64 refilledMs = 0; // the token bucket's last refill
        double tokens = 0;
        int windowCount = 0;
        int peerCloseCode = 0; // the code of a close that did not come from us
        bool started = false; // join, resume or observe received: the hub knows the session
        bool answered = false; // the hub's first frames (joined, waiting, ...) went out
        QList<QByteArray> heldErrors; // our errors for frames sent before that answer
        bool closedByUs = false; // a close we started (its code says why; never "left")
        bool hubClosed = false; // the hub asked for the close or was told of it already
    };

    bool originAllowed(const QByteArray &origin) const;

    // WebSocketConnection::Listener
    void webSocketText(quint64 id, const QByteArray &utf8) override;
    void webSocketBinary(quint64 id) override;
    void webSocketPong(quint64 id) override;
    void webSocketClosing(quint64 id, int code) override;
    void webSocketDisconnected(quint64 id) override;
    void dispatchFirstFrame(quint64 id, Session &session, const QJsonObject &frame);
    bool admitMessage(quint64 id, Session &session, qint64 nowMs);
    void sendError(Session &session, const QString &code, const QString &message,
                   const QString &requestId = {});
    void closeSession(Session &session, int code, const QString &reason);
    void sweep();
    void updateSweepTimer();

    SignalHub &m_hub;
    const Settings &m_settings;
    QTimer *m_sweepTimer = nullptr;
    QHash<quint64, Session> m_sessions;
    QHash<quint64, std::function<void(const Outgoing &)>> m_streams;
};

} // namespace quorum
