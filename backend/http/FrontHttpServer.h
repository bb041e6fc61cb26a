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
    explicit FrontHttpServer(std::shared_ptr<const FrontContext> context,
                             QObject *parent = nullptr);
    ~FrontHttpServer() override;

    // Adopts a listening descriptor; false if it is not one.
    bool listenOn(qintptr descriptor, QString *errorMessage);

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

    std::shared_ptr<const FrontContext> m_context;
    QTcpServer *m_tcpServer = nullptr;
    QList<QPointer<FrontConnection>> m_connections;
    QTimer m_graceTimer;
    // One sweep a second closes connections past their request deadline: cheaper than a
    // timer per connection restarted on every request.
    QTimer m_deadlineTimer;
    bool m_draining = false;
};

} // namespace quorum
