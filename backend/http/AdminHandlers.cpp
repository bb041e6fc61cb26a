#include "AdminHandlers.h"

#include "HandlerSupport.h"
#include "Router.h"
#include "core/TimeRules.h"
#include "media/MediaPlane.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "store/Database.h"
#include "store/DeliveryQueue.h"
#include "store/SigningKeyRepository.h"

#include <QJsonArray>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(timerules::formatUtc(time)) : QJsonValue(QJsonValue::Null);
}

Result<QJsonObject> databaseStatus(Services &services)
{
    QSqlQuery query(services.database.connection());
    if (!query.exec(u"SELECT COALESCE(MAX(version), 0) FROM schema_migrations"_s) || !query.next())
        return sqlError(query, "reading the schema version");
    // The location never carries the password (it is not part of the URL).
    const bool postgres = services.database.options().engine == Database::Engine::Postgres;
    return QJsonObject{{u"engine"_s, postgres ? u"postgresql"_s : u"sqlite"_s},
                       {postgres ? u"url"_s : u"path"_s, services.database.location()},
                       {u"schema_version"_s, query.value(0).toLongLong()}};
}

Result<QJsonObject> keyStatus(Services &services)
{
    auto keys = SigningKeyRepository(services.database.connection()).all();
    if (!keys)
        return keys.error();
    QJsonArray list;
    QDateTime currentCreated;
    for (const StoredSigningKey &key : std::as_const(*keys)) {
        list.append(QJsonObject{{u"kid"_s, key.kid},
                                {u"algorithm"_s, key.algorithm},
                                {u"created_at"_s, timeOrNull(key.createdAt)},
                                {u"retired_at"_s, timeOrNull(key.retiredAt)},
                                {u"publish_until"_s, timeOrNull(key.publishUntil)}});
        if (!key.retiredAt.isValid()
            && (!currentCreated.isValid() || key.createdAt > currentCreated))
            currentCreated = key.createdAt;
    }
    const QDateTime next = currentCreated.isValid()
        ? currentCreated.addSecs(services.settings.keyRotationSeconds)
        : QDateTime();
    return QJsonObject{{u"signing_keys"_s, list}, {u"next_rotation_at"_s, timeOrNull(next)}};
}

ApiResponse status(ApiRequest &request, Services &services)
{
    if (!request.credential->isAdmin())
        return fromError({ErrorCode::Forbidden, u"Only workspace admins and owners."_s});

    auto database = databaseStatus(services);
    if (!database)
        return fromError(database.error());
    auto keys = keyStatus(services);
    if (!keys)
        return fromError(keys.error());
    auto pending = DeliveryQueue(services.database, {}).pendingCount();
    if (!pending)
        return fromError(pending.error());

    const Settings &settings = services.settings;
    const qint64 uptime = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::steady_clock::now() - services.startedAt)
                              .count();
    // `configured` is what was asked (auto, say); `adapter` what it became.
    QJsonObject media{{u"adapter"_s, services.media.name()},
                      {u"configured"_s, settings.media},
                      {u"nodes"_s,
                       QJsonArray{QJsonObject{{u"name"_s, settings.nodeName},
                                              {u"region"_s, settings.region},
                                              {u"url"_s, settings.advertiseUrl}}}}};
    // Janus nodes and whether each is reachable: a room cannot be made on one that is not.
    if (const QJsonArray servers = services.media.serverStatus(); !servers.isEmpty())
        media.insert(u"servers"_s, servers);
    return ApiResponse::json(200,
                             {{u"version"_s, QStringLiteral(QUORUM_VERSION)},
                              {u"uptime_seconds"_s, uptime},
                              {u"database"_s, *database},
                              {u"media"_s, media},
                              {u"signing_keys"_s, keys->value(u"signing_keys"_s)},
                              {u"next_rotation_at"_s, keys->value(u"next_rotation_at"_s)},
                              {u"webhooks"_s, QJsonObject{{u"queue_depth"_s, *pending}}}});
}

} // namespace

void AdminHandlers::registerRoutes(Router &router, Services &services)
{
    router.add({"GET", u"/v1/admin/status"_s, AuthMode::Bearer, QString(), true,
                [&services](ApiRequest &request) { return status(request, services); }});
}

} // namespace quorum
