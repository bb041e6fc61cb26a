#include "EmbeddedServer.h"

#include "ApiClient.h"
#include "SecretStore.h"
#include "auth/AuditLog.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "server/QuorumServer.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QLoggingCategory>
#include <QStandardPaths>
#include <QThread>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcEmbedded, "quorum.app.embedded")

namespace {

// Where the token is kept: its id (to revoke it when replaced) and its secret.
const QString kTokenKey = u"embedded-server-token"_s;
// The workspace and owner that the server's first start creates (backend/server/Bootstrap).
const QString kWorkspace = u"default"_s;
const QString kOwner = u"admin"_s;

// Whether a running server (another copy of the app, or a quorumd) holds the data directory's
// lock, which the server takes at its start.
bool anotherServerHolds(const QString &dataDir)
{
    QLockFile probe(QDir(dataDir).filePath(u"quorumd.lock"_s));
    probe.setStaleLockTime(0);
    return !probe.tryLock(0) && probe.error() == QLockFile::LockFailedError;
}

} // namespace

// What a start on the server's thread hands back to the app's thread.
struct EmbeddedServer::Outcome
{
    QString error;
    QString token;
    // The token entry to keep in the SecretStore when the token is new.
    QString entryToStore;
    QString initialAdminPassword;
    quint16 port = 0;
};

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
    if (m_listeningPort == 0)
        return {};
    return QUrl(u"http://127.0.0.1:%1"_s.arg(m_listeningPort));
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
    if (m_thread)
        return;

    if (!std::exchange(m_error, QString()).isEmpty())
        Q_EMIT errorChanged();
    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(u"embedded-server"_s);
    m_thread->start();
    m_secrets->read(kTokenKey, this,
                    [this](const QString &stored) { startOnServerThread(stored); });
}

void EmbeddedServer::startOnServerThread(const QString &storedToken)
{
    if (!m_thread)
        return; // stopped while the keychain answered

    Settings settings;
    settings.listenAddress = QHostAddress::LocalHost;
    settings.listenPort = quint16(m_port);
    settings.dataDir = m_dataDir;
    settings.database = u"sqlite:"_s;
    // The key stays a file (0600, created at the first start) as for quorumd: the server reads
    // it from Settings::masterKeyFile and takes no key bytes.
    settings.masterKeyFile = QDir(m_dataDir).filePath(u"master.key"_s);
    // Janus when it is installed (the SFU, cloud recording), else the builtin mesh.
    settings.media = u"auto"_s;
    settings.publicUrlDefaulted = true;
    settings.advertiseUrlDefaulted = true;
    // The app's own requests are short; closing it should not wait long for them.
    settings.shutdownGraceSeconds = 2;

    // The server belongs to its thread from here on: that thread runs it and, when it
    // finishes, deletes it.
    m_server = new QuorumServer(settings);
    m_server->moveToThread(m_thread.get());
    connect(m_thread.get(), &QThread::finished, m_server, &QObject::deleteLater);

    QuorumServer *server = m_server;
    QMetaObject::invokeMethod(server, [this, server, storedToken] {
        Outcome outcome;
        if (anotherServerHolds(server->settings().dataDir)) {
            outcome.error = tr("Quorum is already open: another Quorum window (or a quorumd) "
                               "uses %1. Close it first, or start this one with its own "
                               "--data-dir.")
                                .arg(server->settings().dataDir);
        } else if (const Status started = server->start(); !started) {
            outcome.error = tr("The built-in server did not start: %1").arg(started.error().detail);
            // A first start creates the owner before it listens: its password must not be
            // lost because the port was taken.
            outcome.initialAdminPassword = server->initialAdminPassword();
        } else {
            outcome = obtainToken(*server, storedToken);
            outcome.port = server->port();
            outcome.initialAdminPassword = server->initialAdminPassword();
        }
        QMetaObject::invokeMethod(this, [this, outcome] { finishStart(outcome); });
    });
}

void EmbeddedServer::finishStart(const Outcome &outcome)
{
    if (!m_thread)
        return;
    if (!outcome.error.isEmpty()) {
        stop();
        if (!outcome.initialAdminPassword.isEmpty()) {
            m_initialAdminPassword = outcome.initialAdminPassword;
            Q_EMIT runningChanged();
        }
        return fail(outcome.error);
    }

    if (!outcome.entryToStore.isEmpty())
        m_secrets->write(kTokenKey, outcome.entryToStore, this);
    m_listeningPort = outcome.port;
    m_token = outcome.token;
    m_initialAdminPassword = outcome.initialAdminPassword;
    m_running = true;
    qCInfo(lcEmbedded) << "built-in server on port" << m_listeningPort;
    Q_EMIT runningChanged();
    Q_EMIT ready(url(), m_token);
}

bool EmbeddedServer::connectClient(ApiClient *client) const
{
    if (!client || !m_running)
        return false;
    client->setBaseUrl(url());
    client->setToken(m_token);
    return true;
}

void EmbeddedServer::stop()
{
    if (!m_thread)
        return;

    if (QuorumServer *server = std::exchange(m_server, nullptr)) {
        QThread *thread = m_thread.get();
        QMetaObject::invokeMethod(server, [server, thread] {
            connect(server, &QuorumServer::stopped, thread, &QThread::quit, Qt::DirectConnection);
            server->stop();
        });
    } else {
        m_thread->quit();
    }
    // Bounded by the server's grace period (2 s).
    if (m_thread->wait(QDeadlineTimer(5000))) {
        m_thread.reset();
    } else {
        // Destroying a running QThread aborts the process: this one is left to the exit.
        qCWarning(lcEmbedded) << "the built-in server did not stop within 5 s";
        (void)m_thread.release();
    }
    m_listeningPort = 0;
    m_token.clear();
    if (std::exchange(m_running, false))
        Q_EMIT runningChanged();
}

EmbeddedServer::Outcome EmbeddedServer::obtainToken(const QuorumServer &server,
                                                    const QString &stored)
{
    const QJsonObject saved = QJsonDocument::fromJson(stored.toUtf8()).object();
    const QString oldId = saved.value("id"_L1).toString();
    const QString oldSecret = saved.value("secret"_L1).toString();
    Outcome outcome;

    // A connection of our own to the server's database, as `quorumd token create` opens one.
    SystemClock clock;
    Database::Options options;
    options.sqlitePath = server.settings().sqlitePath();
    Database database(options);
    if (const Status opened = database.open(); !opened) {
        outcome.error
            = tr("The built-in server's database cannot be read: %1").arg(opened.error().detail);
        return outcome;
    }
    AuditLog audit(database, clock);
    TokenService tokens(database, clock, audit);

    DirectoryRepository directory(database.connection());
    const auto workspace = directory.workspaceByName(kWorkspace);
    const auto owner = workspace ? directory.userByName(workspace->id, kOwner) : std::nullopt;
    if (!owner) {
        outcome.error = tr("The built-in server has no owner account.");
        return outcome;
    }

    if (!oldSecret.isEmpty()) {
        const auto credential = tokens.authenticate(oldSecret.toUtf8());
        if (credential && credential->userId == owner->id) {
            outcome.token = oldSecret;
            return outcome;
        }
        // Gone stale (expired, revoked, another data dir): make sure it stays dead.
        if (!oldId.isEmpty()) {
            if (const Status revoked = tokens.revoke(owner->id, oldId, owner->id, QString());
                !revoked)
                qCDebug(lcEmbedded)
                    << "the stored token was not revoked:" << revoked.error().detail;
        }
    }

    auto created = tokens.createPersonal(owner->id, u"Quorum desktop app"_s, scopes::all(), 0,
                                         owner->id, QString());
    if (!created) {
        outcome.error = tr("No token for the built-in server: %1").arg(created.error().detail);
        return outcome;
    }
    outcome.token = created->secret;
    const QJsonObject entry{{"id"_L1, created->record.id}, {"secret"_L1, outcome.token}};
    outcome.entryToStore = QString::fromUtf8(QJsonDocument(entry).toJson());
    return outcome;
}

void EmbeddedServer::fail(const QString &message)
{
    qCWarning(lcEmbedded) << message;
    m_error = message;
    Q_EMIT errorChanged();
    Q_EMIT failed(message);
}

} // namespace quorum
