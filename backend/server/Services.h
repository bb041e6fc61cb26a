#pragma once

#include <atomic>
#include <chrono>

namespace quorum {

class AppService;
class AuditLog;
class BrowserSessions;
class Clock;
class CursorCodec;
class Database;
class JoinTokenService;
class MeetingService;
class Metrics;
class OAuthService;
class RateLimiter;
class RecordingService;
class ResponseBodyCache;
class SignalHub;
class SigningKeyRing;
class TokenService;
class UserService;
class WebhookService;
struct Settings;
namespace crypto {
class SecretBox;
class SignedUrl;
} // namespace crypto
namespace media {
class MediaPlane;
} // namespace media

// The services a request may need, owned by QuorumServer and shared by every worker thread
// (each is thread-safe).
struct Services
{
    const Settings &settings;
    const Clock &clock;
    Database &database;
    const crypto::SecretBox &box;
    AuditLog &audit;
    TokenService &tokens;
    SigningKeyRing &keys;
    MeetingService &meetings;
    JoinTokenService &joinTokens;
    RateLimiter &requestLimiter;
    Metrics &metrics;
    const CursorCodec &cursors;
    ResponseBodyCache &bodies;
    SignalHub &hub;
    std::atomic<bool> &ready;
    WebhookService &webhooks;
    BrowserSessions &sessions;
    UserService &users;
    std::chrono::steady_clock::time_point startedAt;
    AppService &apps;
    OAuthService &oauth;
    const crypto::SignedUrl &fileUrls; // the links of recording files
    RecordingService &recordings;
    // What --media resolved to: name() and serverStatus() only, the rest is the hub's.
    const media::MediaPlane &media;
};

} // namespace quorum
