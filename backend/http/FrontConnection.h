#pragma once

#include "http/FrontContext.h"
#include "http/FrontResponseTracker.h"
#include "http/RequestGuard.h"

#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace quorum {

// The guard of one connection. Its first readyRead handler runs before QHttpServer's and feeds
// each new byte to a RequestGuard; its second runs after QHttpServer's. Comparing the
// socket's bytesAvailable() at those points tells how far QHttpServer has read, so a refused
// request is answered (and an upgrade handed over) exactly when QHttpServer has finished the
// requests before it and their answers are out, and before it reads a byte of the bad one.
class FrontConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrontConnection)

public:
    FrontConnection(QTcpSocket *socket, std::shared_ptr<const FrontContext> context);
    ~FrontConnection() override;
    // False when the connection cap was reached: the socket is being closed.
    bool admitted() const { return m_admitted; }
    // Closes the connection if it has not sent a whole request by its deadline (an answer
    // still being prepared does not count against it).
    void closeIfPastDeadline(qint64 nowMs);

    // Call before the socket is handed to QHttpServer, then after.
    void attachBefore();
    void attachAfter(QObject *httpServer);

    // Around each call of the request handler, from the QHttpServer subclass.
    void beginDispatch();
    void endDispatch();

    QByteArray observeWrite(QByteArrayView bytes);

    // Graceful stop: answer what is in flight with `Connection: close`, then close.
    void drain();
    void abort();

private:
    void beforeRead();
    void afterRead();
    void absorb();
    qint64 consumed() const;
    int outstanding() const;
    void checkPending();
    void scheduleCheck();
    void detachHttpServer();
    void rejectNow(const GuardRejection &rejection);
    void upgradeNow();
    void closeIfIdle();
    void restartDeadline();

    QTcpSocket *m_socket;
    std::shared_ptr<const FrontContext> m_context;
    QPointer<QObject> m_httpServer;
    RequestGuard m_guard;
    FrontResponseTracker m_tracker;
    QList<GuardEvent> m_pending; // 100-continue, rejection or upgrade awaiting its turn
    qint64 m_fed = 0; // bytes of the stream given to the guard
    qint64 m_known = 0; // bytesAvailable() when last looked at
    qint64 m_lastDispatchEnd = 0;
    int m_dispatched = 0;
    int m_requestsSeen = 0; // requests the guard let through
    int m_closeAfter = 0; // the first of them asking to close the connection, 0: none
    bool m_detached = false;
    bool m_finished = false; // rejected or upgraded: the guard has nothing left to do
    bool m_draining = false;
    bool m_checkScheduled = false;
    bool m_admitted = true;
    qint64 m_deadlineMs = 0;
};

} // namespace quorum
