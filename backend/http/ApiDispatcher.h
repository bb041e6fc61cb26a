#pragma once

#include "Router.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QPair>

class QHttpServerRequest;
class QObject;
class QHttpServerResponder;

namespace quorum {

struct Services;

// The one layer in front of every handler: request id, CORS, routing (404/405), rate limits,
// bearer authentication, first-party and scope checks, content type (415), the JSON body,
// Idempotency-Key, problem+json errors, metrics and the access log. Runs in the worker
// thread that owns the connection.
class ApiDispatcher final
{
public:
    ApiDispatcher(Services &services, Router router);

    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    const Router &router() const { return m_router; }

private:
    ApiResponse dispatch(ApiRequest &request);
    ApiResponse runWithIdempotency(ApiRequest &request, const Route &route);
    void seal(const QString &scope, const QString &idempotencyKey, const QByteArray &key,
              const ApiResponse &response);
    // Runs `step` on the answer now, or when a deferred answer comes.
    template<typename Step>
    static void then(ApiResponse &response, Step step);
    static ApiResponse delayed(const ApiResponse &response, QObject *context);
    std::optional<ApiResponse> authenticate(ApiRequest &request, const Route &route);
    std::optional<ApiResponse> readBody(ApiRequest &request, const Route &route);
    std::optional<Error> readForm(ApiRequest &request);
    std::optional<ApiResponse> applyRateLimit(ApiRequest &request, const QString &key, int limit,
                                              ApiResponse *headersFor);
    QString clientAddressOf(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    struct AnswerContext
    {
        QString requestId;
        QString clientAddress;
        QByteArray method;
        QString path;
        QString route;
        QByteArray origin;
        QElapsedTimer timer;
    };
    // Request id, CORS, Cache-Control, metrics and the access log of one answer.
    void finish(const AnswerContext &context, ApiResponse &answer) const;
    void addCors(const QByteArray &origin, ApiResponse &response) const;

    Services &m_services;
    Router m_router;
    QList<QPair<QHostAddress, int>> m_trustedProxies;
};

} // namespace quorum
