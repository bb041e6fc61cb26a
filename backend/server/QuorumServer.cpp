#include "QuorumServer.h"

#include "SettingsLoader.h"

#include "AppService.h"
#include "BanCache.h"
#include "Bootstrap.h"
#include "BrowserSessions.h"
#include "JoinTokenService.h"
#include "MeetingCache.h"
#include "MeetingService.h"
#include "OAuthService.h"
#include "RecordingService.h"
#include "Services.h"
#include "UserService.h"
#include "WebhookService.h"
#include "auth/AuditLog.h"
#include "auth/TokenService.h"
#include "cluster/ClusterBus.h"
#include "cluster/NodeRegistry.h"
#include "core/Clock.h"
#include "crypto/MasterKey.h"
#include "crypto/SecretBox.h"
#include "crypto/SignedUrl.h"
#include "crypto/SigningKeyRing.h"
#include "http/AccountHandlers.h"
#include "http/AdminHandlers.h"
#include "http/ApiDispatcher.h"
#include "http/AppHandlers.h"
#include "http/CursorCodec.h"
#include "http/HttpFront.h"
#include "http/JoinPageHandlers.h"
#include "http/MeetingHandlers.h"
#include "http/Metrics.h"
#include "http/OAuthHandlers.h"
#include "http/PageHandlers.h"
#include "http/ParticipantHandlers.h"
#include "http/RateLimiter.h"
#include "http/RecordingFileHandlers.h"
#include "http/RecordingHandlers.h"
#include "http/ResponseBodyCache.h"
#include "http/SystemHandlers.h"
#include "http/UserHandlers.h"
#include "http/WebhookHandlers.h"
#include "media/BuiltinMediaPlane.h"
#include "media/JanusMediaPlane.h"
#include "media/JanusProcess.h"
#include "recording/RecordingProcessor.h"
#include "signalling/SignalEndpoint.h"
#include "signalling/SignalHub.h"
#include "store/Database.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookMetrics.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QLockFile>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpSocket>
#include <QTimer>

Q_LOGGING_CATEGORY(lcServer, "quorum.server")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

constexpr int kRetentionIntervalMs = 3600 * 1000;
// Several nodes: how often an idle worker looks for work a lost node left behind.
constexpr int kClusterIdleLookMs = 2000;

Result<QSslConfiguration> loadTls(const Settings &settings)
{
    QFile certFile(settings.tlsCertFile);
    QFile keyFile(settings.tlsKeyFile);
    if (!certFile.open(QIODevice::ReadOnly) || !keyFile.open(QIODevice::ReadOnly))
        return Error{ErrorCode::InvalidParameter,
                     QStringLiteral("Cannot read --tls-cert or --tls-key.")};
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Opaque, QSsl::Pem);
    if (chain.isEmpty() || key.isNull())
        return Error{
            ErrorCode::InvalidParameter,
            QStringLiteral("--tls-cert or --tls-key holds no usable PEM certificate or key.")};
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    return tls;
}

} // namespace

QuorumServer::QuorumServer(Settings settings, std::unique_ptr<Clock> clock, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_clock(std::move(clock))
{ }

QuorumServer::~QuorumServer()
{
    // Its handlers reach the hub and the caches: it stops hearing before they go.
    if (m_bus)
        m_bus->stop();
    // The hub answers through the serving threads' endpoints: it stops before they go.
    if (m_hub)
        m_hub->stop();
    m_front.reset();
}

Status QuorumServer::start()
{
    if (!m_clock)
        m_clock = std::make_unique<SystemClock>();

    if (!QDir().mkpath(m_settings.dataDir))
        return Error{
            ErrorCode::Unavailable,
            QStringLiteral("Cannot create the data directory %1.").arg(m_settings.dataDir)};
    QFile::setPermissions(m_settings.dataDir,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    // One server per data directory: a second one would share the database's writers and,
    // worse, its keys' rotation.
    m_dataDirLock
        = std::make_unique<QLockFile>(QDir(m_settings.dataDir).filePath(u"quorumd.lock"_s));
    m_dataDirLock->setStaleLockTime(0);
    if (!m_dataDirLock->tryLock(0))
        return Error{ErrorCode::Unavailable,
                     QStringLiteral("Another quorumd is using the data directory %1.")
                         .arg(m_settings.dataDir)};

    auto masterKey = crypto::masterkey::loadOrCreate(m_settings.effectiveMasterKeyFile());
    if (!masterKey)
        return masterKey.error();
    m_box = std::make_unique<crypto::SecretBox>(*masterKey);
    m_fileUrls = std::make_unique<crypto::SignedUrl>(m_box->deriveKey("recording-file-url"));

    Database::Options options = m_settings.databaseOptions();
    options.backgroundCheckpoints = true;
    m_database = std::make_unique<Database>(options);
    if (const Status opened = m_database->open(); !opened)
        return opened;
    if (const Status keyMatches
        = bootstrap::checkMasterKeyFingerprint(*m_database, m_box->fingerprint());
        !keyMatches)
        return keyMatches;

    auto password = bootstrap::ensureDefaultWorkspace(*m_database, *m_clock);
    if (!password)
        return password.error();
    m_initialAdminPassword = *password;

    m_audit = std::make_unique<AuditLog>(*m_database, *m_clock);
    m_tokens = std::make_unique<TokenService>(*m_database, *m_clock, *m_audit);
    m_keys = std::make_unique<SigningKeyRing>(*m_database, *m_box, *m_clock, *m_audit,
                                              m_settings.keyRotationSeconds,
                                              m_settings.joinTokenTtlSeconds);
    if (const Status loaded = m_keys->refresh(); !loaded)
        return loaded;

    m_requestLimiter = std::make_unique<RateLimiter>(*m_clock, m_settings.rateLimitWindowSeconds);
    m_joinLimiter = std::make_unique<RateLimiter>(*m_clock, m_settings.passcodeWindowSeconds);
    m_meetingCache = std::make_unique<MeetingCache>(*m_clock);
    m_banCache = std::make_unique<BanCache>(*m_clock);
    m_meetings = std::make_unique<MeetingService>(*m_database, *m_box, *m_clock, *m_meetingCache);
    m_joinTokens = std::make_unique<JoinTokenService>(*m_database, *m_box, *m_clock, m_settings,
                                                      *m_keys, *m_audit, *m_joinLimiter,
                                                      *m_meetingCache, *m_banCache);
    m_metrics = std::make_unique<Metrics>();
    m_webhookMetrics = std::make_unique<WebhookMetrics>();
    DispatchConfig webhookConfig;
    webhookConfig.retryWaitsMs = m_settings.webhookRetryScheduleMs;
    webhookConfig.timeoutMs = m_settings.webhookTimeoutMs;
    webhookConfig.maxInFlight = m_settings.webhookConcurrency;
    webhookConfig.maxInFlightPerSubscription = m_settings.webhookConcurrencyPerSubscription;
    webhookConfig.disabledAfterMs = m_settings.webhookDisabledAfterSeconds * 1000;
    webhookConfig.allowPrivateNetworks = m_settings.webhooksAllowPrivateNetworks;
    if (m_settings.usesPostgres())
        webhookConfig.idleLookMs = kClusterIdleLookMs;
    m_webhookDispatcher = std::make_unique<WebhookDispatcher>(
        DeliveryEngine::Context{*m_database, *m_clock, *m_box, *m_webhookMetrics}, webhookConfig);
    WebhookDispatcher *webhooks = m_webhookDispatcher.get();
    m_metrics->addSource([webhooks] { return webhooks->renderMetrics(); });
    m_cursors = std::make_unique<CursorCodec>(m_box->deriveKey("pagination-cursor"));
    m_bodies = std::make_unique<ResponseBodyCache>();
    if (const Status chosen = chooseMediaPlane(); !chosen)
        return chosen;
    m_recordings = std::make_unique<RecordingService>(*m_database, *m_audit,
                                                      m_settings.effectiveRecordingsDir());
    RecordingProcessor::Config processing;
    processing.recordingsDir = m_settings.effectiveRecordingsDir();
    processing.node = m_settings.nodeName;
    processing.maxAttempts = m_settings.recordingProcessingAttempts;
    processing.retryDelayMs = m_settings.recordingRetryDelaySeconds * 1000LL;
    processing.concurrency = m_settings.recordingProcessingConcurrency;
    processing.urlTtlSeconds = m_settings.recordingUrlTtlSeconds;
    processing.minFreeBytes = m_settings.recordingMinFreeBytes;
    // The public URL is final only once the port is bound (port 0): read it at each use.
    m_recordingProcessor = std::make_unique<RecordingProcessor>(
        *m_database, *m_clock, *m_fileUrls, processing, [this] { return m_settings.publicUrl; });
    m_bus = std::make_unique<ClusterBus>(*m_database, m_settings.nodeName);
    NodeRegistry::Config nodeConfig;
    nodeConfig.nodeName = m_settings.nodeName;
    nodeConfig.region = m_settings.region;
    nodeConfig.heartbeatMs = m_settings.nodeHeartbeatSeconds * 1000;
    nodeConfig.lostAfterMs = m_settings.nodeLostAfterSeconds * 1000;
    nodeConfig.watchOthers = m_settings.usesPostgres();
    m_nodes = std::make_unique<NodeRegistry>(*m_database, *m_clock, nodeConfig);
    NodeRegistry *nodes = m_nodes.get();
    m_joinTokens->setNodeAddresses(
        [nodes](const QString &node) { return nodes->advertiseUrl(node); });
    m_hub = std::make_unique<SignalHub>(
        SignalHub::Context{m_settings, *m_clock, *m_database, *m_box, *m_keys, *m_tokens, *m_audit,
                           *m_meetingCache, *m_banCache, *m_media, *m_bus, *m_nodes});
    RecordingProcessor *processor = m_recordingProcessor.get();
    ClusterBus *bus = m_bus.get();
    // A node that does not process (concurrency 0) leaves the job to the others: they hear it.
    m_hub->setRecordingQueuedHandler([processor, bus] {
        QMetaObject::invokeMethod(processor, &RecordingProcessor::wake, Qt::QueuedConnection);
        if (const Status sent = bus->publish(u"recording_queued"_s, {}); !sent)
            qCWarning(lcServer) << "could not tell the other nodes of a queued recording";
    });
    bus->subscribe(u"recording_queued"_s, [processor](const QJsonObject &) {
        QMetaObject::invokeMethod(processor, &RecordingProcessor::wake, Qt::QueuedConnection);
    });
    m_recordings->setRemovedHandler([processor](const QString &recordingId) {
        QMetaObject::invokeMethod(
            processor, [processor, recordingId] { processor->cancel(recordingId); },
            Qt::QueuedConnection);
    });
    shareCacheInvalidations();
    if (const Status listening = m_bus->start(); !listening)
        return listening;
    if (const Status started = m_hub->start(); !started)
        return started;
    SignalHub *lostNodeTaker = m_hub.get();
    m_nodes->setLostHandler(
        [lostNodeTaker](const QString &node) { lostNodeTaker->takeOverLostNode(node); });
    m_webhookService = std::make_unique<WebhookService>(*m_database, *m_box, *m_clock, *m_audit,
                                                        m_settings.webhookMaxSubscriptions);
    m_apps = std::make_unique<AppService>(*m_database, *m_clock, *m_audit, *m_tokens,
                                          *m_webhookService);
    m_oauth = std::make_unique<OAuthService>(*m_database, *m_clock, *m_audit, *m_tokens);
    m_sessions = std::make_unique<BrowserSessions>(*m_database, *m_clock, *m_audit, m_settings);
    m_users = std::make_unique<UserService>(*m_database, *m_clock, *m_audit, *m_tokens, *m_sessions,
                                            m_settings);
    m_services.reset(new Services{m_settings,
                                  *m_clock,
                                  *m_database,
                                  *m_box,
                                  *m_audit,
                                  *m_tokens,
                                  *m_keys,
                                  *m_meetings,
                                  *m_joinTokens,
                                  *m_requestLimiter,
                                  *m_metrics,
                                  *m_cursors,
                                  *m_bodies,
                                  *m_hub,
                                  m_ready,
                                  *m_webhookService,
                                  *m_sessions,
                                  *m_users,
                                  std::chrono::steady_clock::now(),
                                  *m_apps,
                                  *m_oauth,
                                  *m_fileUrls,
                                  *m_recordings,
                                  *m_media});

    Router router;
    SystemHandlers::registerRoutes(router, *m_services);
    MeetingHandlers::registerRoutes(router, *m_services);
    AccountHandlers::registerRoutes(router, *m_services);
    ParticipantHandlers::registerRoutes(router, *m_services);
    RecordingHandlers::registerRoutes(router, *m_services);
    WebhookHandlers::registerRoutes(router, *m_services);
    PageHandlers::registerRoutes(router, *m_services);
    JoinPageHandlers::registerRoutes(router, *m_services);
    UserHandlers::registerRoutes(router, *m_services);
    AdminHandlers::registerRoutes(router, *m_services);
    AppHandlers::registerRoutes(router, *m_services);
    OAuthHandlers::registerRoutes(router, *m_services);
    RecordingFileHandlers::registerRoutes(router, *m_services);
    m_dispatcher = std::make_unique<ApiDispatcher>(*m_services, std::move(router));

    HttpFrontConfig config;
    config.address = m_settings.listenAddress;
    config.port = m_settings.listenPort;
    config.workerThreads = m_settings.workerThreads;
    config.limits.requestTimeoutMs = m_settings.requestTimeoutSeconds * 1000;
    config.limits.maxConnections = m_settings.maxConnections;
    if (!m_settings.tlsCertFile.isEmpty()) {
        auto tls = loadTls(m_settings);
        if (!tls)
            return tls.error();
        config.tls = *tls;
    }
    ApiDispatcher *dispatcher = m_dispatcher.get();
    m_front = std::make_unique<HttpFront>(
        config, [dispatcher](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            dispatcher->handle(request, std::move(responder));
        });
    SignalHub *hub = m_hub.get();
    m_front->setWorkerAttachment([hub, this]() -> std::unique_ptr<QObject> {
        return std::make_unique<SignalEndpoint>(*hub, m_settings);
    });
    m_front->setUpgradeHandler(u"/v1/signal"_s, [](QTcpSocket *socket) {
        if (SignalEndpoint *endpoint = SignalEndpoint::forCurrentThread()) {
            endpoint->takeUpgrade(socket);
            return;
        }
        socket->abort();
        socket->deleteLater();
    });
    m_front->setBoundCallback([this](quint16 port) {
        if (m_settings.listenPort != 0)
            return;
        // The port is known only now: derive the default URLs from it, before any worker
        // serves a request that reads them.
        m_settings.listenPort = port;
        const QString base = listenBaseUrl(m_settings, !m_settings.tlsCertFile.isEmpty());
        if (m_settings.publicUrlDefaulted)
            m_settings.publicUrl = base;
        // Several nodes: each one's own address, not the public URL they share.
        if (m_settings.advertiseUrlDefaulted)
            m_settings.advertiseUrl = m_settings.usesPostgres() ? base : m_settings.publicUrl;
    });
    connect(m_front.get(), &HttpFront::stopped, this, &QuorumServer::stopped);
    QString error;
    if (!m_front->start(&error))
        return Error{ErrorCode::Unavailable, QStringLiteral("Cannot listen: %1").arg(error)};

    // The advertise URL is final now that the port is bound.
    if (const Status registered = m_nodes->start(m_settings.advertiseUrl, m_settings.publicUrl);
        !registered)
        return registered;

    m_keyTimer = new QTimer(this);
    m_keyTimer->setInterval(
        int(std::clamp<qint64>(m_settings.keyRotationSeconds * 1000 / 10, 1000, 60 * 1000)));
    connect(m_keyTimer, &QTimer::timeout, this, [this] {
        if (const Status refreshed = m_keys->refresh(); !refreshed)
            qCWarning(lcServer) << "signing key refresh failed:" << refreshed.error().detail;
    });
    m_keyTimer->start();

    // WAL checkpoints run here, off the request threads, so no request waits for an fsync.
    m_checkpointTimer = new QTimer(this);
    m_checkpointTimer->setInterval(200);
    connect(m_checkpointTimer, &QTimer::timeout, this, [this] { m_database->checkpoint(); });
    m_checkpointTimer->start();

    // Deliveries left pending by the previous run go out now, and new ones as they commit.
    m_webhookDispatcher->start();
    // So do the processing jobs; retention runs now and every hour.
    m_recordingProcessor->start();
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(kRetentionIntervalMs);
    connect(m_retentionTimer, &QTimer::timeout, this, &QuorumServer::applyRetention);
    m_retentionTimer->start();
    applyRetention();

    m_ready = true;
    return success();
}

void QuorumServer::stop()
{
    m_ready = false;
    if (m_keyTimer)
        m_keyTimer->stop();
    if (m_checkpointTimer)
        m_checkpointTimer->stop();
    // Attempts in flight are dropped unrecorded: the next start makes them again.
    if (m_webhookDispatcher)
        m_webhookDispatcher->stop();
    if (m_retentionTimer)
        m_retentionTimer->stop();
    // Runs in flight end with their children; the next start claims their jobs again.
    if (m_recordingProcessor)
        m_recordingProcessor->stop();
    // Closes every socket (1001) while the serving threads still run to send the closes.
    if (m_hub)
        m_hub->stop();
    if (m_janus)
        m_janus->stop();
    if (m_nodes)
        m_nodes->stop();
    if (m_front)
        m_front->stop(m_settings.shutdownGraceSeconds * 1000);
    else
        Q_EMIT stopped();
}

Status QuorumServer::chooseMediaPlane()
{
    if (const auto adapter = m_mediaAdapters.constFind(m_settings.media);
        adapter != m_mediaAdapters.constEnd()) {
        m_media = (*adapter)();
        qCInfo(lcServer) << "media plane:" << m_media->name();
        return success();
    }

    const bool automatic = m_settings.media == u"auto";
    const bool wantsJanus = m_settings.media == u"janus"
        || (automatic
            && (!m_settings.janusNodesFile.isEmpty()
                || !media::JanusProcess::locate(m_settings.janusProgram).isEmpty()));
    if (!wantsJanus) {
        m_media = std::make_unique<media::BuiltinMediaPlane>();
        if (automatic && m_settings.janusProgram.contains(u'/'))
            qCWarning(lcServer).noquote()
                << "media plane: builtin (a mesh, no cloud recording): no Janus at"
                << m_settings.janusProgram << "(--janus-binary)";
        else if (automatic)
            qCInfo(lcServer).noquote()
                << "media plane: builtin (a mesh for a few people, no cloud recording): Janus "
                   "is not installed; apt install janus janus-tools for the SFU and recordings";
        else
            qCInfo(lcServer) << "media plane: builtin";
        return success();
    }

    QList<media::JanusNode> nodes;
    if (!m_settings.janusNodesFile.isEmpty()) {
        auto read = media::readJanusNodes(m_settings.janusNodesFile);
        if (!read)
            return read.error();
        nodes = *read;
    } else {
        media::JanusProcess::Config config;
        config.program = m_settings.janusProgram;
        config.directory = QDir(m_settings.dataDir).filePath(u"janus"_s);
        config.region = m_settings.region;
        config.iceEnforceList = m_settings.janusIceInterfaces;
        config.nat11Mapping = m_settings.janusPublicIp;
        config.stunServer = m_settings.janusStunServer;
        config.rtpPortRange = m_settings.janusRtpPorts;
        m_janus = std::make_unique<media::JanusProcess>(config);
        auto started = m_janus->start();
        if (!started) {
            m_janus.reset();
            if (!automatic)
                return Error{ErrorCode::Unavailable,
                             u"--media janus: %1"_s.arg(started.error().detail)};
            // auto promised to work out of the box: the mesh still gets people talking.
            qCWarning(lcServer).noquote()
                << "media plane: builtin, because Janus did not start:" << started.error().detail;
            m_media = std::make_unique<media::BuiltinMediaPlane>();
            return success();
        }
        nodes = {*started};
    }
    QStringList names;
    for (const media::JanusNode &node : std::as_const(nodes))
        names << node.name + u" ("_s + node.region + u", "_s + node.url.toString() + u')';
    qCInfo(lcServer).noquote() << "media plane: janus on" << names.join(u", "_s);
    m_media = std::make_unique<media::JanusMediaPlane>(nodes, m_settings.region);
    return success();
}

void QuorumServer::shareCacheInvalidations()
{
    if (!m_settings.usesPostgres())
        return;
    ClusterBus *bus = m_bus.get();
    auto tell = [bus](const QString &cache, const QStringList &keys) {
        if (const Status sent = bus->publish(
                u"cache"_s, {{u"cache"_s, cache}, {u"keys"_s, QJsonArray::fromStringList(keys)}});
            !sent)
            qCWarning(lcServer) << "could not tell the other nodes to forget a" << cache;
    };
    m_meetingCache->setDropHook([tell](const QString &id) { tell(u"meeting"_s, {id}); });
    m_banCache->setDropHook([tell](const QString &id) { tell(u"ban"_s, {id}); });
    m_tokens->setInvalidationHook(tell);

    MeetingCache *meetings = m_meetingCache.get();
    BanCache *bans = m_banCache.get();
    TokenService *tokens = m_tokens.get();
    bus->subscribe(u"cache"_s, [meetings, bans, tokens](const QJsonObject &message) {
        const QString cache = message.value(u"cache"_s).toString();
        QStringList keys;
        for (const QJsonValue &key : message.value(u"keys"_s).toArray())
            keys << key.toString();
        for (const QString &key : std::as_const(keys)) {
            if (cache == u"meeting")
                meetings->forget(key);
            else if (cache == u"ban")
                bans->forget(key);
        }
        if (cache == u"token" || cache == u"user")
            tokens->forgetLocally(cache, keys);
    });
    SigningKeyRing *keys = m_keys.get();
    keys->setRotatedHook([bus] {
        if (const Status sent = bus->publish(u"keys"_s, {}); !sent)
            qCWarning(lcServer) << "could not tell the other nodes of the new signing key";
    });
    bus->subscribe(u"keys"_s, [keys](const QJsonObject &) {
        if (const Status refreshed = keys->refresh(); !refreshed)
            qCWarning(lcServer) << "signing key refresh failed:" << refreshed.error().detail;
    });
    bus->setResyncHandler([meetings, bans, tokens, keys] {
        meetings->clear();
        bans->clear();
        tokens->clearCache();
        if (const Status refreshed = keys->refresh(); !refreshed)
            qCWarning(lcServer) << "signing key refresh failed:" << refreshed.error().detail;
    });
}

void QuorumServer::applyRetention()
{
    const QDateTime cutoff = m_clock->now().addDays(-m_settings.recordingRetentionDays);
    if (const auto removed = m_recordings->removeStartedBefore(cutoff); !removed)
        qCWarning(lcServer) << "recording retention failed:" << removed.error().detail;
}

QStringList QuorumServer::routes() const
{
    QStringList list;
    if (m_dispatcher) {
        for (const Route &route : m_dispatcher->router().routes())
            list << QString::fromLatin1(route.method) + u' ' + route.pattern;
    }
    return list;
}

quint16 QuorumServer::port() const
{
    return m_front ? m_front->port() : 0;
}

} // namespace quorum
