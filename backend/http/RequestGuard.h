#pragma once

#include "http/HttpLimits.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace quorum {

// Why the guard refused a request: the problem+json answer the front writes before closing.
struct GuardRejection
{
    int status = 400;
    QByteArray code; // "invalid_request", also the last part of the problem type URN
    QByteArray title;
    QByteArray detail;

    // The whole HTTP answer: status line, problem+json headers with `Connection: close` and
    // the given X-Request-Id, and the body.
    QByteArray toResponse(const QByteArray &requestId) const;
};

// A fresh X-Request-Id: 16 hex digits. Ids only need to be unique, not secret.
QByteArray newRequestId();

// What the guard learnt from the bytes fed to it, one event per request head.
struct GuardEvent
{
    enum class Kind {
        Request, // a head that passed every rule; QHttpServer may read it
        Rejected, // a request that must never reach QHttpServer; the connection ends here
        Upgrade, // a WebSocket upgrade to a registered path; the connection leaves HTTP here
    };

    Kind kind = Kind::Request;
    // Stream offset at which the previous request ends: the event applies once QHttpServer has
    // read that far, so that requests before it are answered first and in order.
    qint64 readyAt = 0;
    QByteArray method;
    QByteArray target;
    qint64 contentLength = 0;
    bool expectContinue = false; // `Expect: 100-continue` with a body to come
    bool closeConnection = false; // `Connection: close`, or HTTP/1.0: the last request
    GuardRejection rejection; // for Kind::Rejected
};

// An incremental HTTP/1.1 request parser over the bytes of one connection, fed exactly as they
// arrive (any split gives the same events). It keeps at most one head line in memory, counts
// body bytes without keeping them, and stops at the first rejected or upgraded request.
//
// Its framing is QHttpServer 6.4's, made strict wherever Qt's leniency could let the two
// disagree about where a request ends: a bare LF or CR, an obs-fold continuation line, a
// header line without a colon or with a name that is not a token are refused with 400
// (Qt's header parser would silently drop every header of such a request, Content-Length
// included). Blank lines and whitespace between requests are skipped, as Qt does.
class RequestGuard final
{
public:
    explicit RequestGuard(const HttpLimits &limits = {});

    // Paths whose `Upgrade: websocket` requests become Upgrade events; others get 404.
    void setUpgradePaths(QList<QByteArray> paths);

    void feed(QByteArrayView bytes);
    QList<GuardEvent> takeEvents();
    bool hasEvents() const { return !m_events.isEmpty(); }

    // After a Rejected or Upgrade event every further byte is ignored.
    bool stopped() const { return m_state == State::Stopped; }
    // True when no byte of an unfinished request has been seen (leading blank lines aside).
    bool atBoundary() const { return m_state == State::Idle; }
    qint64 fed() const { return m_fed; }

private:
    enum class State { Idle, RequestLine, Headers, Body, Stopped };

    void feedHeadByte(char c);
    void endLine();
    void parseRequestLine();
    void parseHeaderLine();
    void parseContentLength(QByteArrayView value);
    void endHead();
    void startRequest();
    void reject(int status, const char *code, const char *title, const QByteArray &detail);
    void emitEvent(GuardEvent::Kind kind);

    HttpLimits m_limits;
    QList<QByteArray> m_upgradePaths;
    QList<GuardEvent> m_events;
    State m_state = State::Idle;
    qint64 m_fed = 0;

    // The request being read.
    qint64 m_readyAt = 0;
    QByteArray m_line;
    qint64 m_headBytes = 0;
    int m_headerCount = 0;
    bool m_lineHasCr = false;
    QByteArray m_method;
    QByteArray m_target;
    qint64 m_contentLength = -1;
    bool m_transferEncoding = false;
    bool m_expectContinue = false;
    bool m_closeConnection = false;
    bool m_upgradeWebSocket = false;
    qint64 m_bodyLeft = 0;
};

} // namespace quorum
