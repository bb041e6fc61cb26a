#pragma once

#include "http/FrontContext.h"
#include "http/FrontResponseTracker.h"
#include "http/RequestGuard.h"

#include <QMap>
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

    // Answers given after their handler returned (deferred answers, streams). Called while
    // the handler runs, deferAnswer() takes a ticket for the request being dispatched (0 when
    // none is): the answers of requests pipelined after it are held back until it is written,
    // since QHttpServer goes on reading and dispatching them meanwhile. The deferred answer's
    // own writes are bracketed by beginDeferredWrite() and endDeferredWrite(); `complete`
    // says it is whole, which releases what was held behind it.
    quint64 deferAnswer();
    void beginDeferredWrite(quint64 ticket);
    void endDeferredWrite(quint64 ticket, bool complete);
    // Whether the deferred answer `ticket` is the earliest one still open: its writes go out
    // at once rather than being held.
    bool isFirstDeferred(quint64 ticket) const;

    // From the socket, before bytes are written: true when they belong to an answer that must
    // wait for an earlier one (they are kept, and written in turn).
    bool holdWrite(QByteArrayView bytes);
    QByteArray observeWrite(QByteArrayView bytes);

    // Graceful stop: answer what is in flight with `Connection: close`, then close.
    void drain();
    void abort();

Q_SIGNALS:
    // A deferred answer became complete: a later one may now be first in line.
    void turnPassed();

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
    void releaseHeld();

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
    quint64 m_writingFor = 0; // the request whose answer is being written, 0: none known
    quint64 m_interruptedWriter = 0;
    QList<quint64> m_openDeferred; // tickets not yet answered in full, ascending
    QMap<quint64, QByteArray> m_held; // answers waiting for an earlier deferred one
    bool m_releasing = false;
};

} // namespace quorum
