#pragma once

#include "store/Database.h"
#include "webhooks/RetrySchedule.h"

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

namespace quorum {

// Every setting of the server, resolved from the command line, the environment and the INI
// file (in that order of precedence). Every timeout and period is here, so tests can run
// time-dependent rules in seconds.
struct Settings
{
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8080;
    QString dataDir;
    QString publicUrl; // base of join_url, start_url and file URLs
    QString advertiseUrl; // this node's own address, base of sfu_url
    bool publicUrlDefaulted = false; // derived from the listen address (fixed up for port 0)
    bool advertiseUrlDefaulted = false;
    QString database; // "sqlite:", "sqlite:/path/file.db" or "postgresql://user@host:port/db"
    QString databasePassword; // PostgreSQL's, from a file or the environment; never logged
    QString databasePasswordFile; // where it came from, when from a file
    QString masterKeyFile;
    QString tlsCertFile;
    QString tlsKeyFile;
    QString media = QStringLiteral("auto"); // builtin, janus, auto, or a test build's adapter
    // Janus: external nodes from a file, else a Janus the server runs itself with these.
    QString janusNodesFile;
    QString janusProgram = QStringLiteral("janus");
    QString janusIceInterfaces; // ice_enforce_list; empty: every interface
    QString janusPublicIp; // nat_1_1_mapping
    QString janusStunServer; // host:port
    QString janusRtpPorts = QStringLiteral("20000-40000");
    bool rateLimits = true;
    bool webhooksAllowPrivateNetworks = false;
    bool sqliteFullSync = false;
    int workerThreads = 2;
    QStringList trustedProxies; // addresses or CIDR subnets whose X-Forwarded-* we honour
    QStringList corsOrigins;
    QString nodeName = QStringLiteral("local");
    QString region = QStringLiteral("local");
    int nodeHeartbeatSeconds = 5;
    int nodeLostAfterSeconds = 30; // with the heartbeat: node_lost within 35 s, under 60

    // Limits and periods.
    int rateLimitWindowSeconds = 60;
    int rateLimitPerCredential = 6000;
    int rateLimitPerAddress = 3000;
    int passcodeMaxFailures = 10;
    int passcodeWindowSeconds = 600;
    int passcodeSurgeFailures = 50;
    int passcodeSurgeDelayMs = 1000;
    int joinNotFoundLimit = 30; // 404s on joinToken per client and window
    qint64 keyRotationSeconds = 86400;
    int joinTokenTtlSeconds = 300;
    int shutdownGraceSeconds = 10;
    int requestTimeoutSeconds = 30;
    int maxConnections = 10000;
    int idempotencyTtlSeconds = 86400;
    // Live meetings and signalling (DESIGN.md *WebSocket signalling*).
    int emptyTimeoutSeconds = 300; // LIVE with nobody admitted for this long: ENDED
    int resumeGraceSeconds = 60; // a dropped participant may resume within this
    int pingIntervalSeconds = 10;
    int pingTimeoutSeconds = 30; // a socket silent this long is dropped
    int firstFrameTimeoutSeconds = 10;
    int muteAckTimeoutMs = 2000; // how long a REST mute waits for the client's ack
    int signalMaxMessageBytes = 65536; // messages and frames; beyond: close 1009
    int signalMessagesPerSecond = 50; // per socket, averaged over a second
    int maxSocketsPerMeeting = 500; // participants and observers
    QString iceServers = QStringLiteral("[]"); // JSON array handed to clients in `joined`
    // Webhooks (DESIGN.md *Webhooks*).
    QList<qint64> webhookRetryScheduleMs = RetrySchedule::defaultWaits(); // between attempts
    int webhookTimeoutMs = 10000; // a whole attempt, resolving included
    int webhookConcurrency = 64; // attempts in flight in all
    int webhookConcurrencyPerSubscription = 4;
    int webhookMaxSubscriptions = 100; // per client and workspace
    qint64 webhookDegradedAfterSeconds = 86400; // failing this long without a success: degraded
    qint64 webhookDisabledAfterSeconds = 604800; // and this long: disabled
    // Users and browser sessions (DESIGN.md *OAuth 2 and the app marketplace*).
    int sessionTtlSeconds = 43200; // a browser session lasts this long
    int signinMaxFailures = 5; // failed sign-ins per window, per address and per user name
    int signinWindowSeconds = 900;
    int passwordLinkTtlSeconds = 604800; // a set-password link is valid this long
    // Recordings (DESIGN.md *Recordings*).
    QString recordingsDir; // empty: <data dir>/recordings
    int recordingRetentionDays = 30; // recordings older than this are deleted with their files
    int recordingUrlTtlSeconds = 604800; // signed file URLs are valid this long (7 days)
    int recordingProcessingAttempts = 3; // runs of a processing job before the recording fails
    int recordingRetryDelaySeconds = 30; // between those runs
    int recordingProcessingConcurrency = 1; // ffmpeg runs at a time on this node
    qint64 recordingMinFreeBytes = 512LL * 1024 * 1024; // below this, new recordings fail

    QString sqlitePath() const;
    bool usesPostgres() const;
    // How to reach the database these settings name (database checked by the loader).
    Database::Options databaseOptions() const;
    QString effectiveMasterKeyFile() const;
    QString effectiveRecordingsDir() const;
};

} // namespace quorum
