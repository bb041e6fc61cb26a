#include "AppService.h"

#include "WebhookService.h"
#include "auth/AuditLog.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/Random.h"
#include "store/Database.h"
#include "store/OAuthRepository.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcApps, "quorum.apps")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

Error notFound()
{
    return {ErrorCode::NotFound, u"No app with this id."_s};
}

Status requireAdmin(const Credential &caller)
{
    if (!caller.isAdmin())
        return Error{ErrorCode::Forbidden, u"Only workspace admins manage apps."_s};
    return success();
}

Status checkVersion(const App &app, std::optional<qint64> ifMatchVersion)
{
    if (ifMatchVersion && *ifMatchVersion != app.version)
        return Error{ErrorCode::PreconditionFailed,
                     u"The app changed since you read it; read it again."_s};
    return success();
}

QStringList intersect(const QStringList &a, const QStringList &b)
{
    QStringList both;
    for (const QString &item : a) {
        if (b.contains(item))
            both << item;
    }
    return both;
}

// The credential an app's own webhook subscriptions answer to, so that removing them goes
// through WebhookService's rules; the acting admin stays the audited actor.
Credential appCredential(const Credential &actor, const App &app, const QString &workspaceId)
{
    Credential credential;
    credential.tokenId = actor.tokenId;
    credential.kind = u"oauth"_s;
    credential.workspaceId = workspaceId;
    credential.userId = actor.userId;
    credential.role = Role::Admin;
    credential.firstParty = false;
    credential.clientId = app.clientId;
    return credential;
}

} // namespace

AppService::AppService(Database &database, const Clock &clock, AuditLog &audit,
                       TokenService &tokens, WebhookService &webhooks)
    : m_database(database)
    , m_clock(clock)
    , m_audit(audit)
    , m_tokens(tokens)
    , m_webhooks(webhooks)
{ }

std::optional<QString> AppService::redirectUriProblem(const QString &uri)
{
    const QUrl url(uri, QUrl::StrictMode);
    if (!url.isValid() || url.isRelative() || url.host().isEmpty())
        return u"%1 is not an absolute URL"_s.arg(uri);
    if (url.hasFragment() || uri.contains(u'#'))
        return u"%1 has a fragment"_s.arg(uri);
    if (!url.userInfo().isEmpty())
        return u"%1 has user information"_s.arg(uri);
    const QString host = url.host();
    const bool loopback = host == u"127.0.0.1" || host == u"::1" || host == u"localhost";
    if (url.scheme() == u"https" || (url.scheme() == u"http" && loopback))
        return std::nullopt;
    return u"%1 must use https (http only on 127.0.0.1, [::1] or localhost)"_s.arg(uri);
}

void AppService::audit(const Credential &caller, const QString &action, const QString &workspaceId,
                       const App &app, const QString &clientAddress, QJsonObject detail,
                       QSqlDatabase db)
{
    AuditEntry entry;
    entry.workspaceId = workspaceId;
    entry.action = action;
    entry.actorId = caller.userId;
    entry.targetId = app.id;
    entry.clientAddress = clientAddress;
    detail.insert(u"client_id"_s, app.clientId);
    detail.insert(u"name"_s, app.name);
    entry.detail = detail;
    m_audit.record(entry, std::move(db));
}

Result<App> AppService::loadOwn(QSqlDatabase db, const Credential &caller, const QString &id)
{
    auto app = AppRepository(std::move(db)).byId(id);
    if (!app || app->workspaceId != caller.workspaceId)
        return notFound();
    if (const Status admin = requireAdmin(caller); !admin)
        return admin.error();
    return *app;
}

Result<NewApp> AppService::create(const Credential &caller, const AppDraft &draft,
                                  const QString &clientAddress)
{
    if (const Status admin = requireAdmin(caller); !admin)
        return admin.error();

    NewApp created;
    App &app = created.app;
    const QDateTime now = m_clock.now();
    app.id = ids::generate(u"app");
    app.workspaceId = caller.workspaceId;
    app.clientId = crypto::randomToken(u"qcid_", 16);
    app.name = draft.name;
    app.description = draft.description;
    app.clientType = draft.clientType;
    if (app.isConfidential()) {
        created.clientSecret = crypto::randomToken(u"qcs_", 32);
        app.clientSecretHash = TokenService::hashSecret(created.clientSecret.toLatin1());
    }
    app.redirectUris = draft.redirectUris;
    app.scopes = draft.scopes;
    app.scopes.removeDuplicates();
    app.listed = draft.listed;
    app.createdBy = caller.userId;
    app.version = 1;
    app.createdAt = now;
    app.updatedAt = now;

    Database::WriteTransaction transaction(m_database);
    if (const Status inserted = AppRepository(transaction.db()).insert(app); !inserted)
        return inserted.error();
    audit(caller, u"app.created"_s, caller.workspaceId, app, clientAddress,
          {{u"scopes"_s, QJsonArray::fromStringList(app.scopes)}}, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return created;
}

Result<App> AppService::get(const Credential &caller, const QString &id)
{
    return loadOwn(m_database.connection(), caller, id);
}

Result<Page<App>> AppService::list(const Credential &caller, const PageRequest &page)
{
    if (const Status admin = requireAdmin(caller); !admin)
        return admin.error();
    return AppRepository(m_database.connection()).listForWorkspace(caller.workspaceId, page);
}

Result<App> AppService::update(const Credential &caller, const QString &id, const AppPatch &patch,
                               std::optional<qint64> ifMatchVersion, const QString &clientAddress)
{
    Database::WriteTransaction transaction(m_database);
    auto current = loadOwn(transaction.db(), caller, id);
    if (!current)
        return current.error();
    if (const Status fresh = checkVersion(*current, ifMatchVersion); !fresh)
        return fresh.error();

    App app = *current;
    if (patch.name)
        app.name = *patch.name;
    if (patch.description)
        app.description = *patch.description;
    if (patch.redirectUris)
        app.redirectUris = *patch.redirectUris;
    if (patch.scopes) {
        app.scopes = *patch.scopes;
        app.scopes.removeDuplicates();
    }
    if (patch.listed)
        app.listed = *patch.listed;
    app.version = current->version + 1;
    app.updatedAt = m_clock.now();
    AppRepository apps(transaction.db());
    if (const Status updated = apps.update(app, current->version); !updated)
        return updated.error();

    // Narrower scopes narrow every installation's grant; a wider set grants nothing new.
    if (patch.scopes) {
        for (AppInstallation installation : apps.installations(app.id)) {
            installation.grantedScopes = intersect(installation.grantedScopes, app.scopes);
            if (const auto stored = apps.install(installation); !stored)
                return stored.error();
        }
    }
    audit(caller, u"app.updated"_s, caller.workspaceId, app, clientAddress, {}, transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return app;
}

Status AppService::remove(const Credential &caller, const QString &id,
                          std::optional<qint64> ifMatchVersion, const QString &clientAddress)
{
    QList<AppInstallation> installations;
    App app;
    {
        Database::WriteTransaction transaction(m_database);
        auto current = loadOwn(transaction.db(), caller, id);
        if (!current)
            return current.error();
        if (const Status fresh = checkVersion(*current, ifMatchVersion); !fresh)
            return fresh;
        app = *current;

        const QDateTime now = m_clock.now();
        AppRepository apps(transaction.db());
        installations = apps.installations(app.id);
        if (const Status deleted = apps.markDeleted(app.id, now); !deleted)
            return deleted;
        auto revoked = OAuthRepository(transaction.db()).revokeClient(app.clientId, {}, now);
        if (!revoked)
            return revoked.error();
        audit(caller, u"app.deleted"_s, caller.workspaceId, app, clientAddress, {},
              transaction.db());
        if (const Status committed = transaction.commit(); !committed)
            return committed;
        m_tokens.dropCached(*revoked);
    }

    for (const AppInstallation &installation : std::as_const(installations)) {
        if (const Status removed
            = removeInstallation(caller, app, installation.workspaceId, clientAddress);
            !removed)
            return removed;
    }
    return success();
}

Result<Page<MarketplaceEntry>> AppService::marketplace(const Credential &caller,
                                                       const PageRequest &page)
{
    if (const Status admin = requireAdmin(caller); !admin)
        return admin.error();
    AppRepository apps(m_database.connection());
    auto listed = apps.listMarketplace(caller.workspaceId, page);
    if (!listed)
        return listed.error();
    Page<MarketplaceEntry> entries;
    entries.next = listed->next;
    for (const App &app : std::as_const(listed->items))
        entries.items << MarketplaceEntry{app, apps.installation(app.id, caller.workspaceId)};
    return entries;
}

Result<std::pair<AppInstallation, bool>>
AppService::install(const Credential &caller, const QString &appId,
                    const std::optional<QStringList> &scopes, const QString &clientAddress)
{
    if (const Status admin = requireAdmin(caller); !admin)
        return admin.error();

    Database::WriteTransaction transaction(m_database);
    AppRepository apps(transaction.db());
    const auto app = apps.byId(appId);
    // An unlisted app is installable only where it was registered; elsewhere it does not exist.
    if (!app || (!app->listed && app->workspaceId != caller.workspaceId))
        return notFound();

    AppInstallation installation;
    installation.appId = app->id;
    installation.workspaceId = caller.workspaceId;
    installation.grantedScopes = scopes.value_or(app->scopes);
    installation.grantedScopes.removeDuplicates();
    for (const QString &scope : std::as_const(installation.grantedScopes)) {
        if (!app->scopes.contains(scope))
            return Error::validation(u"scopes"_s,
                                     u"%1 is not among the scopes the app asks for (%2)"_s.arg(
                                         scope, app->scopes.join(u", ")));
    }
    installation.installedBy = caller.userId;
    installation.installedAt = m_clock.now();
    const auto fresh = apps.install(installation);
    if (!fresh)
        return fresh.error();
    if (!*fresh)
        installation = *apps.installation(app->id, caller.workspaceId);
    audit(caller, *fresh ? u"app.installed"_s : u"app.installation_updated"_s, caller.workspaceId,
          *app, clientAddress,
          {{u"scopes"_s, QJsonArray::fromStringList(installation.grantedScopes)}},
          transaction.db());
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return std::pair{installation, *fresh};
}

Status AppService::uninstall(const Credential &caller, const QString &appId,
                             const QString &clientAddress)
{
    if (const Status admin = requireAdmin(caller); !admin)
        return admin;
    const auto app = AppRepository(m_database.connection()).byId(appId);
    if (!app || (!app->listed && app->workspaceId != caller.workspaceId))
        return notFound();
    return removeInstallation(caller, *app, caller.workspaceId, clientAddress);
}

Status AppService::removeInstallation(const Credential &caller, const App &app,
                                      const QString &workspaceId, const QString &clientAddress)
{
    {
        Database::WriteTransaction transaction(m_database);
        if (const Status removed = AppRepository(transaction.db()).uninstall(app.id, workspaceId);
            !removed)
            return removed;
        auto revoked = OAuthRepository(transaction.db())
                           .revokeClient(app.clientId, workspaceId, m_clock.now());
        if (!revoked)
            return revoked.error();
        audit(caller, u"app.uninstalled"_s, workspaceId, app, clientAddress,
              {{u"revoked_access_tokens"_s, revoked->size()}}, transaction.db());
        if (const Status committed = transaction.commit(); !committed)
            return committed;
        m_tokens.dropCached(*revoked);
    }

    // The app's subscriptions there go the way any deleted subscription goes, page by page
    // (each removal leaves the list, so the first page is read until it is empty).
    const Credential asApp = appCredential(caller, app, workspaceId);
    for (;;) {
        PageRequest first;
        first.size = 100;
        auto subscriptions = m_webhooks.list(asApp, first);
        if (!subscriptions)
            return subscriptions.error();
        if (subscriptions->items.isEmpty())
            break;
        for (const Webhook &webhook : std::as_const(subscriptions->items)) {
            if (const Status removed = m_webhooks.remove(asApp, webhook.id, std::nullopt);
                !removed) {
                qCWarning(lcApps) << "could not remove webhook" << webhook.id
                                  << "of an uninstalled app:" << removed.error().detail;
                return removed;
            }
        }
    }
    return success();
}

} // namespace quorum
