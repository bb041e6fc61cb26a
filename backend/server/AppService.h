#pragma once

#include "auth/Credential.h"
#include "core/Result.h"
#include "store/AppRepository.h"
#include "store/Keyset.h"

#include <optional>

namespace quorum {

class AuditLog;
class Clock;
class Database;
class TokenService;
class WebhookService;

// What registering an app asks for.
struct AppDraft
{
    QString name;
    QString description;
    QString clientType; // "confidential" or "public"
    QStringList redirectUris;
    QStringList scopes;
    bool listed = false;
};

// What a PATCH may change; each field is absent when the patch leaves it alone.
struct AppPatch
{
    std::optional<QString> name;
    std::optional<QString> description;
    std::optional<QStringList> redirectUris;
    std::optional<QStringList> scopes;
    std::optional<bool> listed;
};

// A new app with, for a confidential client, its secret: shown once, never stored.
struct NewApp
{
    App app;
    QString clientSecret;
};

// An app as the marketplace shows it to one workspace.
struct MarketplaceEntry
{
    App app;
    std::optional<AppInstallation> installation; // in the caller's workspace
};

// Apps, the marketplace and installations (DESIGN.md *OAuth 2 and the app marketplace*).
// Apps belong to the workspace whose admin registered them; only that workspace's admins see
// and manage them, and any other app is NotFound. Installing and uninstalling are for the
// installing workspace's admins. Uninstalling revokes the app's tokens in that workspace and
// removes its webhook subscriptions there; deleting an app does so everywhere. The callers are
// first-party credentials (the routes say so) or the command line.
class AppService final
{
public:
    AppService(Database &database, const Clock &clock, AuditLog &audit, TokenService &tokens,
               WebhookService &webhooks);

    Result<NewApp> create(const Credential &caller, const AppDraft &draft,
                          const QString &clientAddress);
    Result<App> get(const Credential &caller, const QString &id);
    Result<Page<App>> list(const Credential &caller, const PageRequest &page);
    Result<App> update(const Credential &caller, const QString &id, const AppPatch &patch,
                       std::optional<qint64> ifMatchVersion, const QString &clientAddress);
    Status remove(const Credential &caller, const QString &id, std::optional<qint64> ifMatchVersion,
                  const QString &clientAddress);

    Result<Page<MarketplaceEntry>> marketplace(const Credential &caller, const PageRequest &page);
    // Installs the app in the caller's workspace with `scopes` (all of the app's when absent);
    // the second member is true when the installation is new.
    Result<std::pair<AppInstallation, bool>> install(const Credential &caller, const QString &appId,
                                                     const std::optional<QStringList> &scopes,
                                                     const QString &clientAddress);
    Status uninstall(const Credential &caller, const QString &appId, const QString &clientAddress);

    // Why a redirect URI is refused, or nothing: absolute https, or http on a loopback host,
    // with no fragment (RFC 6749 section 3.1.2, RFC 8252 section 7.3).
    static std::optional<QString> redirectUriProblem(const QString &uri);

private:
    Result<App> loadOwn(QSqlDatabase db, const Credential &caller, const QString &id);
    // Revokes the app's tokens in the workspace and removes its installation there, then its
    // webhook subscriptions.
    Status removeInstallation(const Credential &caller, const App &app, const QString &workspaceId,
                              const QString &clientAddress);
    void audit(const Credential &caller, const QString &action, const QString &workspaceId,
               const App &app, const QString &clientAddress, QJsonObject detail, QSqlDatabase db);

    Database &m_database;
    const Clock &m_clock;
    AuditLog &m_audit;
    TokenService &m_tokens;
    WebhookService &m_webhooks;
};

} // namespace quorum
