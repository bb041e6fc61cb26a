#include "EmbeddedServer.h"

#include "server/QuorumServer.h"
#include "SecretStore.h"
#include "auth/AuditLog.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcEmbedded, "quorum.app.embedded")

namespace {

// Where the token is kept: its id (to revoke it when replaced) and its secret.
const QString kTokenKey = u"embedded-server-token"_s;
// The workspace and owner that the server's first start creates (backend/server/Bootstrap).
const QString kWorkspace = u"default"_s;
const QString kOwner = u"admin"_s;

} // namespace

EmbeddedServer::EmbeddedServer(SecretStore *secrets, QString dataDir, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_dataDir(std::move(dataDir))
{
    if (m_dataDir.isEmpty())
        m_dataDir = QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                        .filePath(u"server"_s);
}

EmbeddedServer::~EmbeddedServer()
{
    stop();
}

QUrl EmbeddedServer::url() const
{
    if (!m_server)
        return {};
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_server->port()));
}

void EmbeddedServer::setPort(int port)
{
    if (m_port == port)
        return;
    m_port = port;
    Q_EMIT portChanged();
}

void EmbeddedServer::start()
{
    if (m_server)
        return;

    Settings settings;
    settings.listenAddress = QHostAddress::LocalHost;
    settings.listenPort = quint16(m_port);
    settings.dataDir = m_dataDir;
    settings.database = u"sqlite:"_s;
    // The key stays a file (0600, created at the first start) as for quorumd: the server reads
    // it from Settings::masterKeyFile and takes no key bytes.
    settings.masterKeyFile = QDir(m_dataDir).filePath(u"master.key"_s);
    settings.media = u"builtin"_s;
    settings.publicUrlDefaulted = true;
    settings.advertiseUrlDefaulted = true;
    QDir().mkpath(m_dataDir);

    m_server = std::make_unique<QuorumServer>(settings);
    if (const Status started = m_server->start(); !started) {
        m_server.reset();
        return fail(tr("The built-in server did not start: %1").arg(started.error().detail));
    }
    m_initialAdminPassword = m_server->initialAdminPassword();
    qCInfo(lcEmbedded) << "built-in server on port" << m_server->port();

    m_secrets->read(kTokenKey, this, [this](const QString &stored) { obtainToken(stored); });
}

void EmbeddedServer::stop()
{
    if (!m_server)
        return;
    m_server.reset();
    m_token.clear();
    if (std::exchange(m_running, false))
        Q_EMIT runningChanged();
}

void EmbeddedServer::obtainToken(const QString &stored)
{
    if (!m_server)
        return;
    const QJsonObject saved = QJsonDocument::fromJson(stored.toUtf8()).object();
    const QString oldId = saved.value("id"_L1).toString();
    const QString oldSecret = saved.value("secret"_L1).toString();

    // A connection of our own to the server's database, as `quorumd token create` opens one.
    SystemClock clock;
    Database::Options options;
    options.sqlitePath = m_server->settings().sqlitePath();
    Database database(options);
    if (const Status opened = database.open(); !opened)
        return fail(
            tr("The built-in server's database cannot be read: %1").arg(opened.error().detail));
    AuditLog audit(database, clock);
    TokenService tokens(database, clock, audit);

    DirectoryRepository directory(database.connection());
    const auto workspace = directory.workspaceByName(kWorkspace);
    const auto owner = workspace ? directory.userByName(workspace->id, kOwner) : std::nullopt;
    if (!owner)
        return fail(tr("The built-in server has no owner account."));

    if (!oldSecret.isEmpty()) {
        const auto credential = tokens.authenticate(oldSecret.toUtf8());
        if (credential && credential->userId == owner->id) {
            m_token = oldSecret;
        } else if (!oldId.isEmpty()) {
            // Gone stale (expired, revoked, another data dir): make sure it stays dead.
            if (const Status revoked = tokens.revoke(owner->id, oldId, owner->id, QString());
                !revoked)
                qCDebug(lcEmbedded)
                    << "the stored token was not revoked:" << revoked.error().detail;
        }
    }

    if (m_token.isEmpty()) {
        auto created = tokens.createPersonal(owner->id, u"Quorum desktop app"_s, scopes::all(), 0,
                                             owner->id, QString());
        if (!created)
            return fail(tr("No token for the built-in server: %1").arg(created.error().detail));
        m_token = created->secret;
        const QJsonObject entry{{"id"_L1, created->record.id}, {"secret"_L1, m_token}};
        m_secrets->write(kTokenKey, QString::fromUtf8(QJsonDocument(entry).toJson()), this);
    }

    m_running = true;
    Q_EMIT runningChanged();
    Q_EMIT ready(url(), m_token);
}

void EmbeddedServer::fail(const QString &message)
{
    qCWarning(lcEmbedded) << message;
    m_error = message;
    Q_EMIT errorChanged();
    Q_EMIT failed(message);
}

} // namespace quorum
