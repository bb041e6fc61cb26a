#pragma once

#include "SessionPort.h"

#include <QObject>

#include <functional>

class QTcpSocket;

namespace quorum {

class SignalHub;
struct Settings;

// The signalling side of one serving thread: a QWebSocketServer of ours that takes the
// upgrades the HTTP front hands over (negotiating `quorum.v1`, checking Origin, capping
// message and frame sizes), the socket sessions of this thread, and the server-sent-event
// streams of this thread. It is the SessionPort through which the hub answers them.
// Created in its serving thread when that thread starts and destroyed there when it stops.
class SignalEndpoint final
    : public QObject
    , public SessionPort
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
};

} // namespace quorum
