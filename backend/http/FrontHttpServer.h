#pragma once

#include "http/FrontContext.h"

#include <QAbstractHttpServer>
#include <QList>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

class QTcpServer;

namespace quorum {

class FrontConnection;

// The one thin wrapper over QHttpServer (a newer Qt changes this file): a QAbstractHttpServer
// that hands each request with its responder to the RequestHandler, and keeps the guarded
// connections of one worker thread, for a graceful stop.
class FrontHttpServer final : public QAbstractHttpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrontHttpServer)

public:
    // `index` names this worker's slot in the context.
    FrontHttpServer(std::shared_ptr<const FrontContext> context, int index,
                    QObject *parent = nullptr);
    ~FrontHttpServer() override;

    // Adopts a listening descriptor; false if it is not one.
    bool listenOn(qintptr descriptor, QString *errorMessage);

    // From our TCP servers, for each accepted descriptor: true when it went to a worker that
    // holds clearly fewer connections (the kernel spreads SO_REUSEPORT connections by hash,
    // often 37 to 27 of 64, and the busier worker's clients wait longer); false to keep it.
    bool handOff(qintptr descriptor);

    // From our TCP servers: guards the socket, then lets addPending() hand it to QHttpServer.
    void adopt(QTcpSocket *socket, const std::function<void()> &addPending);

    // Stops accepting and closes connections as they go idle; drained() when none is left or
    // after graceMs, when the rest are aborted.
    void drain(int graceMs);
    void abortAll();

Q_SIGNALS:
    void drained();

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    void forget(QObject *connection);

    FrontWorkerSlot &slot(int index) const { return m_context->workers[size_t(index)]; }
    // In this thread: a descriptor another worker handed over.
    void takeHandedOff(qintptr descriptor);

    std::shared_ptr<const FrontContext> m_context;
    int m_index = 0;
    QTcpServer *m_tcpServer = nullptr;
    std::function<void(qintptr)> m_accept; // the TCP server's own acceptance
    QList<QPointer<FrontConnection>> m_connections;
    QTimer m_graceTimer;
    // One sweep a second closes connections past their request deadline: cheaper than a
    // timer per connection restarted on every request.
    QTimer m_deadlineTimer;
    bool m_draining = false;
};

} // namespace quorum
