#pragma once

#include "MediaAdapters.h"
#include "Settings.h"
#include "core/Result.h"

#include <QObject>

#include <atomic>
#include <memory>

class QLockFile;
class QTimer;

namespace quorum {

class ApiDispatcher;
class AppService;
class AuditLog;
class BanCache;
class BrowserSessions;
class Clock;
class ClusterBus;
class CursorCodec;
class Database;
class HttpFront;
class JoinTokenService;
class MeetingCache;
class MeetingService;
class Metrics;
class NodeRegistry;
class OAuthService;
class RateLimiter;
class RecordingProcessor;
class RecordingService;
class ResponseBodyCache;
class SignalHub;
class SigningKeyRing;
class TokenService;
class UserService;
class WebhookDispatcher;
class WebhookMetrics;
class WebhookService;
struct Services;
namespace crypto {
class SecretBox;
class SignedUrl;
} // namespace crypto
namespace media {
class JanusProcess;
class MediaPlane;
} // namespace media

// The whole server: storage, keys, services and the HTTP front, assembled from Settings.
// quorumd runs one; the desktop app embeds one; integration tests start quorumd itself.
class QuorumServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QuorumServer)

public:
    // The clock is injectable so that in-process tests can move time; the default is the
    // system clock.
    explicit QuorumServer(Settings settings, std::unique_ptr<Clock> clock = {},
                          QObject *parent = nullptr);
    ~QuorumServer() override;

    // Adapters beyond builtin (a test build's), chosen by --media; call before start().
    void setMediaAdapters(MediaAdapters adapters) { m_mediaAdapters = std::move(adapters); }

    // Opens the database (creating the workspace `default` and its owner on the first start),
    // loads the keys and starts listening.
    Status start();
    // Lets requests in flight finish, then emits stopped().
    void stop();

    quint16 port() const;
    // "METHOD /pattern" for every route, in registration order.
    QStringList routes() const;
    const Settings &settings() const { return m_settings; }
    // Set on the first start: the owner's initial password, to print once.
    QString initialAdminPassword() const { return m_initialAdminPassword; }

Q_SIGNALS:
    void stopped();

private:
    // Deletes the recordings older than --recording-retention-days.
    void applyRetention();
    // Several nodes: caches forget what another node changed.
    void shareCacheInvalidations();
    // --media: the adapter, and for janus without --janus-nodes a Janus of the server's own.
    Status chooseMediaPlane();

    Settings m_settings;
    MediaAdapters m_mediaAdapters;
    QString m_initialAdminPassword;
    std::atomic<bool> m_ready{false};

    std::unique_ptr<Clock> m_clock;
    std::unique_ptr<QLockFile> m_dataDirLock;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<crypto::SecretBox> m_box;
    std::unique_ptr<crypto::SignedUrl> m_fileUrls;
    std::unique_ptr<AuditLog> m_audit;
    std::unique_ptr<TokenService> m_tokens;
    std::unique_ptr<BrowserSessions> m_sessions;
    std::unique_ptr<UserService> m_users;
    std::unique_ptr<SigningKeyRing> m_keys;
    std::unique_ptr<RateLimiter> m_requestLimiter;
    std::unique_ptr<RateLimiter> m_joinLimiter;
    std::unique_ptr<MeetingCache> m_meetingCache;
    std::unique_ptr<BanCache> m_banCache;
    std::unique_ptr<MeetingService> m_meetings;
    std::unique_ptr<WebhookService> m_webhookService;
    std::unique_ptr<AppService> m_apps;
    std::unique_ptr<OAuthService> m_oauth;
    std::unique_ptr<JoinTokenService> m_joinTokens;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<WebhookMetrics> m_webhookMetrics;
    std::unique_ptr<WebhookDispatcher> m_webhookDispatcher; // after everything it uses
    std::unique_ptr<RecordingService> m_recordings;
    std::unique_ptr<RecordingProcessor> m_recordingProcessor;
    std::unique_ptr<CursorCodec> m_cursors;
    std::unique_ptr<ResponseBodyCache> m_bodies;
    std::unique_ptr<media::JanusProcess> m_janus; // the Janus this server runs, if any
    std::unique_ptr<media::MediaPlane> m_media;
    std::unique_ptr<ClusterBus> m_bus; // stopped before the hub and caches its handlers use
    std::unique_ptr<NodeRegistry> m_nodes;
    std::unique_ptr<SignalHub> m_hub;
    std::unique_ptr<Services> m_services;
    std::unique_ptr<ApiDispatcher> m_dispatcher;
    std::unique_ptr<HttpFront> m_front;
    QTimer *m_keyTimer = nullptr;
    QTimer *m_checkpointTimer = nullptr;
    QTimer *m_retentionTimer = nullptr;
};

} // namespace quorum
