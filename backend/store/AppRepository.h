#pragma once

#include "Keyset.h"
#include "core/Result.h"

#include <QDateTime>
#include <QSqlDatabase>
#include <QStringList>

#include <optional>

namespace quorum {

// An OAuth client registered by a workspace admin (resources/migrations/004): only the SHA-256
// of a confidential client's secret is kept.
struct App
{
    QString id; // app_
    QString workspaceId;
    QString clientId;
    QString name;
    QString description;
    QString clientType; // "confidential" or "public"
    QString clientSecretHash; // empty for a public client
    QStringList redirectUris;
    QStringList scopes;
    bool listed = false;
    QString createdBy;
    qint64 version = 1;
    QDateTime createdAt;
    QDateTime updatedAt;

    bool isConfidential() const { return clientType == u"confidential"; }
};

// An app installed in a workspace, with the scopes that workspace's admin granted it.
struct AppInstallation
{
    QString appId;
    QString workspaceId;
    QStringList grantedScopes;
    QString installedBy;
    QDateTime installedAt;
};

// The apps and app_installations tables. Deleted apps stay as rows with deleted_at set (their
// client id is never reused); every read here skips them.
class AppRepository final
{
public:
    explicit AppRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insert(const App &app);
    std::optional<App> byId(const QString &id);
    std::optional<App> byClientId(const QString &clientId);
    // Stores every field if the stored version is still `expectedVersion`.
    Status update(const App &app, qint64 expectedVersion);
    Status markDeleted(const QString &id, const QDateTime &when);
    // The workspace's own apps, oldest first.
    Result<Page<App>> listForWorkspace(const QString &workspaceId, const PageRequest &page);
    // Listed apps of every workspace, and the unlisted ones of `workspaceId`, oldest first.
    Result<Page<App>> listMarketplace(const QString &workspaceId, const PageRequest &page);

    // Inserts or replaces the installation; true when it is new.
    Result<bool> install(const AppInstallation &installation);
    std::optional<AppInstallation> installation(const QString &appId, const QString &workspaceId);
    QList<AppInstallation> installations(const QString &appId);
    Status uninstall(const QString &appId, const QString &workspaceId);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
