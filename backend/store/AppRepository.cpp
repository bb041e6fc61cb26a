#include "AppRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = u"id, workspace_id, client_id, name, description, client_type, "
                      "client_secret_hash, redirect_uris, scopes, listed, created_by, version, "
                      "created_at, updated_at"_s;

// Redirect URIs are stored as a JSON array: a URI may hold any character a space-separated
// list would need to escape.
QString urisToText(const QStringList &uris)
{
    return QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(uris)).toJson(QJsonDocument::Compact));
}

QStringList urisFromText(const QString &text)
{
    QStringList uris;
    const QJsonArray array = QJsonDocument::fromJson(text.toUtf8()).array();
    for (const QJsonValue &uri : array)
        uris << uri.toString();
    return uris;
}

// A NOT NULL text column: an absent value is stored as the empty string.
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(u""_s) : QVariant(value);
}

App readApp(const QSqlQuery &query)
{
    App app;
    app.id = query.value(0).toString();
    app.workspaceId = query.value(1).toString();
    app.clientId = query.value(2).toString();
    app.name = query.value(3).toString();
    app.description = query.value(4).toString();
    app.clientType = query.value(5).toString();
    app.clientSecretHash = query.value(6).toString();
    app.redirectUris = urisFromText(query.value(7).toString());
    app.scopes = query.value(8).toString().split(u' ', Qt::SkipEmptyParts);
    app.listed = query.value(9).toInt() != 0;
    app.createdBy = query.value(10).toString();
    app.version = query.value(11).toLongLong();
    app.createdAt = toTime(query.value(12));
    app.updatedAt = toTime(query.value(13));
    return app;
}

AppInstallation readInstallation(const QSqlQuery &query)
{
    AppInstallation installation;
    installation.appId = query.value(0).toString();
    installation.workspaceId = query.value(1).toString();
    installation.grantedScopes = query.value(2).toString().split(u' ', Qt::SkipEmptyParts);
    installation.installedBy = query.value(3).toString();
    installation.installedAt = toTime(query.value(4));
    return installation;
}

const auto kInstallationColumns
    = u"app_id, workspace_id, granted_scopes, installed_by, installed_at"_s;

} // namespace

Status AppRepository::insert(const App &app)
{
    QSqlQuery query(m_db);
    query.prepare(
        u"INSERT INTO apps (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s.arg(kColumns));
    query.addBindValue(app.id);
    query.addBindValue(app.workspaceId);
    query.addBindValue(app.clientId);
    query.addBindValue(text(app.name));
    query.addBindValue(text(app.description));
    query.addBindValue(app.clientType);
    query.addBindValue(app.clientSecretHash.isEmpty() ? fromText(QString())
                                                      : QVariant(app.clientSecretHash));
    query.addBindValue(urisToText(app.redirectUris));
    query.addBindValue(app.scopes.join(u' '));
    query.addBindValue(app.listed ? 1 : 0);
    query.addBindValue(text(app.createdBy));
    query.addBindValue(app.version);
    query.addBindValue(fromTime(app.createdAt));
    query.addBindValue(fromTime(app.updatedAt));
    if (!query.exec())
        return sqlError(query, "inserting an app");
    return success();
}

std::optional<App> AppRepository::byId(const QString &id)
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT %1 FROM apps WHERE id = ? AND deleted_at IS NULL"_s.arg(kColumns));
    query.addBindValue(id);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readApp(query);
}

std::optional<App> AppRepository::byClientId(const QString &clientId)
{
    // Every POST /oauth/token looks its client up: a cached statement skips SQLite's compiler.
    static const QString sql
        = u"SELECT %1 FROM apps WHERE client_id = ? AND deleted_at IS NULL"_s.arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, clientId);
    if (!query->exec() || !query->next())
        return std::nullopt;
    return readApp(*query);
}

Status AppRepository::update(const App &app, qint64 expectedVersion)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE apps SET name = ?, description = ?, redirect_uris = ?, scopes = ?, "
                  "listed = ?, version = ?, updated_at = ? WHERE id = ? AND version = ? AND "
                  "deleted_at IS NULL"_s);
    query.addBindValue(text(app.name));
    query.addBindValue(text(app.description));
    query.addBindValue(urisToText(app.redirectUris));
    query.addBindValue(app.scopes.join(u' '));
    query.addBindValue(app.listed ? 1 : 0);
    query.addBindValue(app.version);
    query.addBindValue(fromTime(app.updatedAt));
    query.addBindValue(app.id);
    query.addBindValue(expectedVersion);
    if (!query.exec())
        return sqlError(query, "updating an app");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::PreconditionFailed,
                     u"The app changed since you read it; read it again."_s};
    return success();
}

Status AppRepository::markDeleted(const QString &id, const QDateTime &when)
{
    QSqlQuery query(m_db);
    query.prepare(u"UPDATE apps SET deleted_at = ?, version = version + 1 WHERE id = ? AND "
                  "deleted_at IS NULL"_s);
    query.addBindValue(fromTime(when));
    query.addBindValue(id);
    if (!query.exec())
        return sqlError(query, "deleting an app");
    return success();
}

Result<Page<App>> AppRepository::listForWorkspace(const QString &workspaceId,
                                                  const PageRequest &page)
{
    return fetchPage<App>(
        m_db, u"SELECT %1 FROM apps WHERE workspace_id = ? AND deleted_at IS NULL"_s.arg(kColumns),
        {workspaceId}, u"created_at"_s, false, page, readApp,
        [](const App &app) { return app.createdAt.toMSecsSinceEpoch(); }, "listing apps");
}

Result<Page<App>> AppRepository::listMarketplace(const QString &workspaceId,
                                                 const PageRequest &page)
{
    return fetchPage<App>(
        m_db,
        u"SELECT %1 FROM apps WHERE (listed = 1 OR workspace_id = ?) AND deleted_at IS NULL"_s.arg(
            kColumns),
        {workspaceId}, u"created_at"_s, false, page, readApp,
        [](const App &app) { return app.createdAt.toMSecsSinceEpoch(); },
        "listing the marketplace");
}

Result<bool> AppRepository::install(const AppInstallation &installation)
{
    const bool fresh = !this->installation(installation.appId, installation.workspaceId);
    QSqlQuery query(m_db);
    if (fresh) {
        query.prepare(u"INSERT INTO app_installations (%1) VALUES (?, ?, ?, ?, ?)"_s.arg(
            kInstallationColumns));
        query.addBindValue(installation.appId);
        query.addBindValue(installation.workspaceId);
        query.addBindValue(installation.grantedScopes.join(u' '));
        query.addBindValue(text(installation.installedBy));
        query.addBindValue(fromTime(installation.installedAt));
    } else {
        query.prepare(u"UPDATE app_installations SET granted_scopes = ? WHERE app_id = ? AND "
                      "workspace_id = ?"_s);
        query.addBindValue(installation.grantedScopes.join(u' '));
        query.addBindValue(installation.appId);
        query.addBindValue(installation.workspaceId);
    }
    if (!query.exec())
        return sqlError(query, "installing an app");
    return fresh;
}

std::optional<AppInstallation> AppRepository::installation(const QString &appId,
                                                           const QString &workspaceId)
{
    QSqlQuery query(m_db);
    query.prepare(u"SELECT %1 FROM app_installations WHERE app_id = ? AND workspace_id = ?"_s.arg(
        kInstallationColumns));
    query.addBindValue(appId);
    query.addBindValue(workspaceId);
    if (!query.exec() || !query.next())
        return std::nullopt;
    return readInstallation(query);
}

QList<AppInstallation> AppRepository::installations(const QString &appId)
{
    // On every client_credentials grant, like byClientId.
    static const QString sql
        = u"SELECT %1 FROM app_installations WHERE app_id = ? ORDER BY installed_at, "
          "workspace_id"_s.arg(kInstallationColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, appId);
    QList<AppInstallation> list;
    if (!query->exec())
        return list;
    while (query->next())
        list << readInstallation(*query);
    return list;
}

Status AppRepository::uninstall(const QString &appId, const QString &workspaceId)
{
    QSqlQuery query(m_db);
    query.prepare(u"DELETE FROM app_installations WHERE app_id = ? AND workspace_id = ?"_s);
    query.addBindValue(appId);
    query.addBindValue(workspaceId);
    if (!query.exec())
        return sqlError(query, "uninstalling an app");
    if (query.numRowsAffected() != 1)
        return Error{ErrorCode::NotFound, u"The app is not installed in this workspace."_s};
    return success();
}

} // namespace quorum
