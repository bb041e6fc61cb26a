#pragma once

#include "Router.h"

#include <QHostAddress>
#include <QList>
#include <QPair>

class QHttpServerRequest;
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
    std::optional<ApiResponse> authenticate(ApiRequest &request, const Route &route);
    std::optional<ApiResponse> readBody(ApiRequest &request);
    std::optional<ApiResponse> applyRateLimit(ApiRequest &request, const QString &key, int limit,
                                              ApiResponse *headersFor);
    QString clientAddressOf(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    void addCors(const ApiRequest &request, ApiResponse &response) const;

    Services &m_services;
    Router m_router;
    QList<QPair<QHostAddress, int>> m_trustedProxies;
};

} // namespace quorum
