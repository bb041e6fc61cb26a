#include "SystemHandlers.h"

#include "HandlerSupport.h"
#include "Metrics.h"
#include "Router.h"
#include "crypto/SigningKeyRing.h"
#include "server/Services.h"
#include "signalling/SignalEndpoint.h"
#include "signalling/SignalHub.h"
#include "store/Database.h"

#include <QFile>
#include <QSqlQuery>

namespace quorum {

void SystemHandlers::registerRoutes(Router &router, Services &services)
{
    router.add(
        {"GET", QStringLiteral("/healthz"), AuthMode::None, QString(), false, [](ApiRequest &) {
             return ApiResponse::json(200, {{QStringLiteral("status"), QStringLiteral("ok")}});
         }});
    router.add({"GET", QStringLiteral("/readyz"), AuthMode::None, QString(), false,
                [&services](ApiRequest &) {
                    QSqlQuery probe(services.database.connection());
                    const bool databaseUp = probe.exec(QStringLiteral("SELECT 1"));
                    const bool ready = services.ready.load() && databaseUp;
                    return ApiResponse::json(
                        ready ? 200 : 503,
                        {{QStringLiteral("status"),
                          ready ? QStringLiteral("ready") : QStringLiteral("not_ready")},
                         {QStringLiteral("database"), databaseUp}});
                }});
    // Upgrades to /v1/signal never reach the router (the HTTP front hands them to the
    // WebSocket gateway); a plain request does, and learns what the endpoint speaks.
    router.add(
        {"GET", QStringLiteral("/v1/signal"), AuthMode::None, QString(), false, [](ApiRequest &) {
             return handlers::fromError({ErrorCode::UpgradeRequired,
                                         QStringLiteral("Open a WebSocket with the subprotocol "
                                                        "quorum.v1; see signalling.md.")})
                 .withHeader("Upgrade", "websocket");
         }});
    router.add({"GET", QStringLiteral("/metrics"), AuthMode::None, QString(), false,
                [&services](ApiRequest &) {
                    const HubCounts live = services.hub.counts();
                    QByteArray text = services.metrics.render();
                    text += "# HELP quorum_signal_sockets Open signalling sockets.\n"
                            "# TYPE quorum_signal_sockets gauge\n"
                            "quorum_signal_sockets "
                        + QByteArray::number(SignalEndpoint::openSockets())
                        + "\n# HELP quorum_live_participants Participants present or waiting.\n"
                          "# TYPE quorum_live_participants gauge\n"
                          "quorum_live_participants "
                        + QByteArray::number(live.participants)
                        + "\n# HELP quorum_live_meetings Meetings with anyone in them.\n"
                          "# TYPE quorum_live_meetings gauge\n"
                          "quorum_live_meetings "
                        + QByteArray::number(live.meetings) + '\n';
                    return ApiResponse::text(200, "text/plain; version=0.0.4", text);
                }});
    router.add({"GET", QStringLiteral("/.well-known/jwks.json"), AuthMode::None, QString(), false,
                [&services](ApiRequest &) {
                    return ApiResponse::json(200, services.keys.jwks())
                        .withHeader("Cache-Control", "public, max-age=60");
                }});
    router.add({"GET", QStringLiteral("/v1/openapi.yaml"), AuthMode::None, QString(), false,
                [](ApiRequest &) {
                    QFile spec(QStringLiteral(":/quorum/openapi.yaml"));
                    spec.open(QIODevice::ReadOnly);
                    return ApiResponse::text(200, "application/yaml", spec.readAll());
                }});
}

} // namespace quorum
