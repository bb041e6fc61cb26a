#include "SettingsLoader.h"

#include "webhooks/RetrySchedule.h"

#include <QCryptographicHash>
#include <QDir>
#include <QHostAddress>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QSysInfo>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace quorum {

QString Settings::sqlitePath() const
{
    const QString prefix = QStringLiteral("sqlite:");
    QString path = database.startsWith(prefix) ? database.mid(prefix.size()) : QString();
    if (path.isEmpty())
        path = QDir(dataDir).filePath(QStringLiteral("quorum.db"));
    return path;
}

bool Settings::usesPostgres() const
{
    return database.startsWith(u"postgresql://") || database.startsWith(u"postgres://");
}

namespace {

// libpq's connection options that a database URL may carry in its query.
const QStringList kPostgresUrlOptions{u"sslmode"_s,         u"sslrootcert"_s,
                                      u"sslcert"_s,         u"sslkey"_s,
                                      u"connect_timeout"_s, u"target_session_attrs"_s};

} // namespace

Database::Options Settings::databaseOptions() const
{
    Database::Options options;
    if (!usesPostgres()) {
        options.sqlitePath = sqlitePath();
        options.synchronous
            = sqliteFullSync ? Database::Synchronous::Full : Database::Synchronous::Normal;
        return options;
    }
    const QUrl url(database);
    options.engine = Database::Engine::Postgres;
    options.host = url.host();
    options.port = url.port(5432);
    options.user = url.userName();
    options.password = databasePassword;
    options.databaseName = url.path().mid(1);
    QStringList connectOptions;
    const QUrlQuery query(url);
    bool timeoutGiven = false;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        connectOptions << name + u'=' + value;
        timeoutGiven = timeoutGiven || name == u"connect_timeout";
    }
    // A database that does not answer fails the start in seconds, not after TCP's minutes.
    if (!timeoutGiven)
        connectOptions << u"connect_timeout=10"_s;
    options.connectOptions = connectOptions.join(u';');
    return options;
}

QString Settings::effectiveMasterKeyFile() const
{
    return masterKeyFile.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("master.key"))
                                   : masterKeyFile;
}

QString Settings::effectiveRecordingsDir() const
{
    return recordingsDir.isEmpty() ? QDir(dataDir).filePath(QStringLiteral("recordings"))
                                   : recordingsDir;
}

SettingsLoader::SettingsLoader()
{
    m_options = {
        {u"config"_s, u"FILE"_s, u"The INI file to read settings from."_s},
        {u"listen"_s, u"HOST:PORT"_s,
         u"Where the API and signalling listen (default 127.0.0.1:8080; port 0 picks a free "
         "port and prints it)."_s},
        {u"data-dir"_s, u"DIR"_s,
         u"Database, keys and recordings (default: the user's data "
         "directory)."_s},
        {u"public-url"_s, u"URL"_s,
         u"Base of join_url, start_url and file URLs (default: http:// + the listen address); "
         "the same on every node of a database."_s},
        {u"advertise-url"_s, u"URL"_s,
         u"This node's own address, base of sfu_url (default: the public URL; with "
         "PostgreSQL, the listen address)."_s},
        {u"database"_s, u"URL"_s,
         u"sqlite: (default, in the data dir), sqlite:/path/file.db, or "
         "postgresql://USER@HOST:PORT/DB for several nodes."_s},
        {u"database-password-file"_s, u"FILE"_s,
         u"PostgreSQL's password (or QUORUM_DATABASE_PASSWORD; never in the URL)."_s},
        {u"master-key-file"_s, u"FILE"_s,
         u"The master key (default: master.key in the data dir, created 0600 at first "
         "start); required with PostgreSQL."_s},
        {u"tls-cert"_s, u"FILE"_s, u"PEM certificate: serve HTTPS and WSS directly."_s},
        {u"tls-key"_s, u"FILE"_s, u"PEM private key for --tls-cert."_s},
        {u"media"_s, u"ADAPTER"_s,
         u"The media-plane adapter: builtin (a mesh, no recording), janus, or auto (default: "
         "janus when Janus is installed or --janus-nodes is given, else builtin)."_s},
        {u"janus-nodes"_s, u"FILE"_s,
         u"External Janus nodes, a JSON array of {name, region, url, api_secret_file, "
         "admin_key_file}; without it the server runs a Janus of its own."_s},
        {u"janus-binary"_s, u"PATH"_s, u"The Janus the server runs (default janus on PATH)."_s},
        {u"janus-ice-interfaces"_s, u"LIST"_s,
         u"Interfaces or address prefixes the server's Janus offers media on, comma-separated "
         "(default every interface)."_s},
        {u"janus-public-ip"_s, u"ADDRESS"_s,
         u"The public address of the server's Janus behind 1:1 NAT (nat_1_1_mapping)."_s},
        {u"janus-stun-server"_s, u"HOST:PORT"_s,
         u"A STUN server for the server's Janus to learn its public address."_s},
        {u"janus-rtp-ports"_s, u"LOW-HIGH"_s,
         u"The UDP ports of the server's Janus for media (default 20000-40000)."_s},
        {u"rate-limits"_s, u"on|off"_s, u"General rate limits (default on)."_s},
        {u"webhooks-allow-private-networks"_s, QString(),
         u"Allow webhook targets on loopback and private networks."_s},
        {u"sqlite-synchronous"_s, u"normal|full"_s,
         u"SQLite durability: normal survives a killed process, full also power loss "
         "(default normal)."_s},
        {u"workers"_s, u"N"_s, u"HTTP worker threads (default 2)."_s},
        {u"trusted-proxies"_s, u"LIST"_s,
         u"Comma-separated addresses or subnets whose "
         "X-Forwarded-For is honoured."_s},
        {u"cors-origins"_s, u"LIST"_s,
         u"Comma-separated origins allowed by CORS (default "
         "none)."_s},
        {u"node-name"_s, u"NAME"_s,
         u"This node's name, the audience of its join tokens (default local; with "
         "PostgreSQL, the host name and a hash of the data directory)."_s},
        {u"node-heartbeat"_s, u"SECONDS"_s,
         u"How often a node tells the others it is alive (PostgreSQL; default 5)."_s},
        {u"node-lost-after"_s, u"SECONDS"_s,
         u"A node silent this long is lost: the others end its meetings (default 30)."_s},
        {u"region"_s, u"NAME"_s, u"This node's media region (default local)."_s},
        {u"rate-limit-window"_s, u"SECONDS"_s, u"Rate-limit window (default 60)."_s},
        {u"rate-limit-per-credential"_s, u"N"_s,
         u"Requests per window and credential "
         "(default 6000)."_s},
        {u"rate-limit-per-address"_s, u"N"_s,
         u"Requests per window and client address "
         "(default 3000)."_s},
        {u"passcode-max-failures"_s, u"N"_s,
         u"Wrong passcodes per client and meeting before "
         "a lockout (default 10)."_s},
        {u"passcode-window"_s, u"SECONDS"_s,
         u"Passcode failure window and lockout (default "
         "600)."_s},
        {u"passcode-surge-failures"_s, u"N"_s,
         u"Wrong passcodes per meeting and window that "
         "slow every failing caller (default 50)."_s},
        {u"passcode-surge-delay"_s, u"MS"_s,
         u"Delay of a failing answer during a surge "
         "(default 1000)."_s},
        {u"join-not-found-limit"_s, u"N"_s,
         u"joinToken 404s per client and window before "
         "429 (default 30)."_s},
        {u"key-rotation"_s, u"SECONDS"_s,
         u"Join-token signing key rotation period (default "
         "86400)."_s},
        {u"request-timeout"_s, u"SECONDS"_s,
         u"A connection must send a whole request within this long (default 30)."_s},
        {u"max-connections"_s, u"N"_s, u"Open connections at most (default 10000)."_s},
        {u"join-token-ttl"_s, u"SECONDS"_s, u"How long a join token is valid (default 300)."_s},
        {u"empty-timeout"_s, u"SECONDS"_s,
         u"A live meeting with nobody admitted ends after this long (default 300)."_s},
        {u"resume-grace"_s, u"SECONDS"_s,
         u"A dropped participant may resume within this long (default 60)."_s},
        {u"ping-interval"_s, u"SECONDS"_s, u"Signalling keep-alive ping period (default 10)."_s},
        {u"ping-timeout"_s, u"SECONDS"_s,
         u"A signalling socket silent this long is dropped (default 30)."_s},
        {u"first-frame-timeout"_s, u"SECONDS"_s,
         u"A signalling socket must join, resume or observe within this long (default 10)."_s},
        {u"mute-ack-timeout"_s, u"MS"_s,
         u"How long a REST mute waits for the client's ack (default 2000)."_s},
        {u"signal-max-message"_s, u"BYTES"_s,
         u"Largest signalling message or frame; beyond it the socket closes with 1009 "
         "(default 65536)."_s},
        {u"signal-message-rate"_s, u"N"_s,
         u"Signalling messages per second and socket (default 50)."_s},
        {u"max-sockets-per-meeting"_s, u"N"_s,
         u"Signalling sockets per meeting, observers included (default 500)."_s},
        {u"ice-servers"_s, u"JSON"_s,
         u"The ICE servers handed to clients, a JSON array of RTCIceServer objects "
         "(default [])."_s},
        // Webhooks
        {u"webhook-degraded-after"_s, u"SECONDS"_s,
         u"A subscription whose deliveries fail this long without a success is shown as "
         "degraded (default 86400)."_s},
        {u"webhook-disabled-after"_s, u"SECONDS"_s,
         u"A subscription whose deliveries fail this long without a success is disabled "
         "(default 604800)."_s},
        {u"webhook-retry-schedule"_s, u"LIST"_s,
         u"Waits between a webhook delivery's attempts, comma-separated with units ms, s, m "
         "or h (default 1s,5s,30s,5m,30m,6h,24h)."_s},
        {u"webhook-timeout"_s, u"DURATION"_s,
         u"How long one webhook attempt may take, e.g. 10s or 500ms (default 10s)."_s},
        {u"webhook-concurrency"_s, u"N"_s, u"Webhook attempts in flight at most (default 64)."_s},
        {u"webhook-max-subscriptions"_s, u"N"_s,
         u"Webhook subscriptions one client may hold in a workspace (default 100)."_s},
        {u"webhook-concurrency-per-subscription"_s, u"N"_s,
         u"Webhook attempts in flight per subscription at most (default 4)."_s},
        // Users and browser sessions
        {u"session-ttl"_s, u"SECONDS"_s,
         u"How long a browser sign-in lasts (default 43200, 12 h)."_s},
        {u"signin-max-failures"_s, u"N"_s,
         u"Failed sign-ins per window, per client address and per user name, before the "
         "sign-in page answers 429 (default 5)."_s},
        {u"signin-window"_s, u"SECONDS"_s,
         u"The window of failed sign-ins (default 900, 15 min)."_s},
        // Recordings
        {u"recordings-dir"_s, u"DIR"_s,
         u"Where recordings are captured, processed and served from (default: recordings in "
         "the data directory; shared storage with more than one node)."_s},
        {u"recording-retention-days"_s, u"DAYS"_s,
         u"Recordings older than this are deleted with their files (default 30)."_s},
        {u"recording-url-ttl"_s, u"SECONDS"_s,
         u"How long a signed recording file URL is valid (default 604800, 7 days)."_s},
        {u"recording-processing-attempts"_s, u"N"_s,
         u"Runs of a recording's processing before it fails (default 3)."_s},
        {u"recording-retry-delay"_s, u"SECONDS"_s, u"Wait between those runs (default 30)."_s},
        {u"recording-processing-concurrency"_s, u"N"_s,
         u"Recordings processed at a time on this node (default 1; 0 leaves processing to "
         "the other nodes)."_s},
        {u"recording-min-free"_s, u"MB"_s,
         u"Free space the recordings directory must keep; below it new recordings fail "
         "(default 512)."_s},
        {u"password-link-ttl"_s, u"SECONDS"_s,
         u"How long a one-time set-password link is valid (default 604800, 7 days)."_s},
        {u"shutdown-grace"_s, u"SECONDS"_s,
         u"How long requests in flight may finish at "
         "shutdown (default 10)."_s},
    };
}

void SettingsLoader::addOptionsTo(QCommandLineParser &parser) const
{
    for (const Option &option : m_options) {
        if (option.valueName.isEmpty())
            parser.addOption(QCommandLineOption(option.name, option.description));
        else
            parser.addOption(QCommandLineOption(option.name, option.description, option.valueName));
    }
}

namespace {

QString environmentName(const QString &option)
{
    return u"QUORUM_"_s + option.toUpper().replace(u'-', u'_');
}

bool parseSwitch(const QString &text, bool *value)
{
    const QString lower = text.toLower();
    if (lower == u"on" || lower == u"true" || lower == u"1" || lower == u"yes") {
        *value = true;
        return true;
    }
    if (lower == u"off" || lower == u"false" || lower == u"0" || lower == u"no") {
        *value = false;
        return true;
    }
    return false;
}

} // namespace

QString listenBaseUrl(const Settings &settings, bool tls)
{
    const QString host = settings.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
        ? u"[%1]"_s.arg(settings.listenAddress.toString())
        : settings.listenAddress.toString();
    return u"%1://%2:%3"_s.arg(tls ? u"https"_s : u"http"_s, host).arg(settings.listenPort);
}

Result<Settings> SettingsLoader::load(const QCommandLineParser &parser,
                                      const QProcessEnvironment &environment,
                                      const QStringList &extraMediaAdapters) const
{
    QString configFile = parser.value(u"config"_s);
    if (configFile.isEmpty())
        configFile = environment.value(u"QUORUM_CONFIG"_s);
    std::unique_ptr<QSettings> ini;
    if (!configFile.isEmpty()) {
        if (!QFile::exists(configFile))
            return Error{ErrorCode::InvalidParameter,
                         u"The configuration file %1 does not exist."_s.arg(configFile)};
        ini = std::make_unique<QSettings>(configFile, QSettings::IniFormat);
        if (ini->status() != QSettings::NoError)
            return Error{ErrorCode::InvalidParameter,
                         u"The configuration file %1 cannot be read."_s.arg(configFile)};
        // A misspelt key, or keys under a [section], would otherwise be ignored in silence and
        // the server would run on defaults its operator never chose.
        QStringList unknown;
        for (const QString &key : ini->allKeys()) {
            const bool known = std::any_of(m_options.cbegin(), m_options.cend(),
                                           [&key](const Option &o) { return o.name == key; });
            if (!known)
                unknown << key;
        }
        if (!unknown.isEmpty())
            return Error{ErrorCode::InvalidParameter,
                         u"The configuration file %1 has keys quorumd does not know: %2 (keys are "
                         "the flags' names, without a [section]; see quorumd --help)."_s.arg(
                             configFile, unknown.join(u", "_s))};
    }

    // flag > environment > INI file
    auto lookup = [&](const Option &option) -> std::optional<QString> {
        if (parser.isSet(option.name))
            return option.valueName.isEmpty() ? u"true"_s : parser.value(option.name);
        const QString env = environmentName(option.name);
        if (environment.contains(env))
            return environment.value(env);
        if (ini && ini->contains(option.name))
            return ini->value(option.name).toString();
        return std::nullopt;
    };

    Settings s;
    QStringList problems;
    auto number = [&](const QString &name, auto *target, qint64 min, qint64 max) {
        for (const Option &option : m_options) {
            if (option.name != name)
                continue;
            if (const auto text = lookup(option)) {
                bool ok = false;
                const qint64 value = text->toLongLong(&ok);
                if (!ok || value < min || value > max)
                    problems << u"--%1 must be a number from %2 to %3"_s.arg(name).arg(min).arg(
                        max);
                else
                    *target = static_cast<std::remove_pointer_t<decltype(target)>>(value);
            }
        }
    };
    auto text = [&](const QString &name) -> std::optional<QString> {
        for (const Option &option : m_options) {
            if (option.name == name)
                return lookup(option);
        }
        return std::nullopt;
    };

    if (const auto listen = text(u"listen"_s)) {
        const qsizetype colon = listen->lastIndexOf(u':');
        bool ok = false;
        const uint port = listen->mid(colon + 1).toUInt(&ok);
        QString host = listen->left(colon);
        if (host.startsWith(u'[') && host.endsWith(u']'))
            host = host.mid(1, host.size() - 2);
        const QHostAddress address(host == u"localhost" ? u"127.0.0.1"_s : host);
        if (colon < 0 || !ok || port > 65535 || address.isNull())
            problems << u"--listen must be HOST:PORT with a literal address, e.g. 127.0.0.1:8080"_s;
        else {
            s.listenAddress = address;
            s.listenPort = quint16(port);
        }
    }
    s.dataDir = text(u"data-dir"_s).value_or(QString());
    if (s.dataDir.isEmpty())
        s.dataDir
            = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + u"/quorumd"_s;
    s.publicUrl = text(u"public-url"_s).value_or(QString());
    s.advertiseUrl = text(u"advertise-url"_s).value_or(QString());
    s.database = text(u"database"_s).value_or(u"sqlite:"_s);
    s.masterKeyFile = text(u"master-key-file"_s).value_or(QString());
    if (s.usesPostgres()) {
        const QUrl url(s.database, QUrl::StrictMode);
        const QUrlQuery query(url);
        QStringList unknownOptions;
        for (const auto &[name, value] : query.queryItems())
            if (!kPostgresUrlOptions.contains(name))
                unknownOptions << name;
        if (!url.isValid() || url.host().isEmpty() || url.userName().isEmpty()
            || url.path().size() < 2 || url.path().indexOf(u'/', 1) >= 0)
            problems << u"--database must look like postgresql://USER@HOST:PORT/DATABASE"_s;
        else if (!url.password().isEmpty())
            problems << u"--database must not hold the password: put it in the file named by "
                        "--database-password-file or in QUORUM_DATABASE_PASSWORD"_s;
        else if (!unknownOptions.isEmpty())
            problems << u"--database: unknown option %1 (known: %2)"_s.arg(
                unknownOptions.join(u", "_s), kPostgresUrlOptions.join(u", "_s));
        if (const auto file = text(u"database-password-file"_s)) {
            QFile passwordFile(*file);
            // Like the master key: a secret others may read is refused, not used.
            const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
                | QFileDevice::ReadOther | QFileDevice::WriteOther;
            if (!passwordFile.open(QIODevice::ReadOnly))
                problems << u"--database-password-file: cannot read %1"_s.arg(*file);
            else if (passwordFile.permissions() & others)
                problems << u"--database-password-file: %1 gives access to group or others; "
                            "run chmod 600 on it"_s.arg(*file);
            else
                s.databasePassword = QString::fromUtf8(passwordFile.readAll()).trimmed();
            s.databasePasswordFile = *file;
        } else {
            s.databasePassword = environment.value(u"QUORUM_DATABASE_PASSWORD"_s);
        }
        // Every node must seal and open secrets with the same key; a key made silently in
        // one node's data directory would differ from the others'.
        if (s.masterKeyFile.isEmpty())
            problems << u"--master-key-file is required with PostgreSQL: every node reads the "
                        "same key (quorumd master-key create FILE makes one)"_s;
    } else if (!s.database.startsWith(u"sqlite:")) {
        problems << u"--database must be sqlite:, sqlite:/path/file.db or "
                    "postgresql://USER@HOST:PORT/DATABASE"_s;
    }
    s.tlsCertFile = text(u"tls-cert"_s).value_or(QString());
    s.tlsKeyFile = text(u"tls-key"_s).value_or(QString());
    if (s.tlsCertFile.isEmpty() != s.tlsKeyFile.isEmpty())
        problems << u"--tls-cert and --tls-key go together"_s;
    s.media = text(u"media"_s).value_or(u"auto"_s);
    if (s.media != u"auto" && s.media != u"builtin" && s.media != u"janus"
        && !extraMediaAdapters.contains(s.media))
        problems << u"--media must be builtin, janus or auto"_s;
    s.janusNodesFile = text(u"janus-nodes"_s).value_or(QString());
    if (!s.janusNodesFile.isEmpty() && s.media == u"builtin")
        problems << u"--janus-nodes needs --media janus or auto (builtin uses no Janus)"_s;
    s.janusProgram = text(u"janus-binary"_s).value_or(s.janusProgram);
    s.janusIceInterfaces = text(u"janus-ice-interfaces"_s).value_or(QString());
    s.janusPublicIp = text(u"janus-public-ip"_s).value_or(QString());
    if (!s.janusPublicIp.isEmpty() && QHostAddress(s.janusPublicIp).isNull())
        problems << u"--janus-public-ip must be an IP address"_s;
    s.janusStunServer = text(u"janus-stun-server"_s).value_or(QString());
    if (!s.janusStunServer.isEmpty()
        && !QRegularExpression(u"^[A-Za-z0-9.-]+:[0-9]{1,5}$"_s)
                .match(s.janusStunServer)
                .hasMatch())
        problems << u"--janus-stun-server must be HOST:PORT"_s;
    s.janusRtpPorts = text(u"janus-rtp-ports"_s).value_or(s.janusRtpPorts);
    if (const auto range = QRegularExpression(u"^(\\d{1,5})-(\\d{1,5})$"_s).match(s.janusRtpPorts);
        !range.hasMatch() || range.captured(1).toInt() < 1024 || range.captured(2).toInt() > 65535)
        problems << u"--janus-rtp-ports must be LOW-HIGH within 1024-65535"_s;
    else if (range.captured(1).toInt() > range.captured(2).toInt())
        problems << u"--janus-rtp-ports: LOW is above HIGH (write it LOW-HIGH)"_s;
    if (const auto value = text(u"rate-limits"_s); value && !parseSwitch(*value, &s.rateLimits))
        problems << u"--rate-limits must be on or off"_s;
    if (const auto value = text(u"webhooks-allow-private-networks"_s);
        value && !parseSwitch(*value, &s.webhooksAllowPrivateNetworks))
        problems << u"QUORUM_WEBHOOKS_ALLOW_PRIVATE_NETWORKS must be true or false"_s;
    if (const auto value = text(u"sqlite-synchronous"_s)) {
        if (*value != u"normal" && *value != u"full")
            problems << u"--sqlite-synchronous must be normal or full"_s;
        s.sqliteFullSync = *value == u"full";
    }
    if (const auto value = text(u"trusted-proxies"_s))
        s.trustedProxies = value->split(u',', Qt::SkipEmptyParts);
    if (const auto value = text(u"cors-origins"_s))
        s.corsOrigins = value->split(u',', Qt::SkipEmptyParts);
    s.nodeName = text(u"node-name"_s).value_or(s.nodeName);
    // Nodes sharing a database tell their participants and claims apart by name. Without one
    // given, the host's name and its data directory's: one data directory serves one node at
    // a time (its lock), and a node restarted on it is the same node, which takes back its
    // meetings and its recordings' claims.
    if (s.usesPostgres() && !text(u"node-name"_s)) {
        const QByteArray dataDir = QDir(s.dataDir).absolutePath().toUtf8();
        s.nodeName = u"%1-%2"_s.arg(
            QSysInfo::machineHostName(),
            QString::fromLatin1(
                QCryptographicHash::hash(dataDir, QCryptographicHash::Sha256).toHex().left(8)));
    }
    s.region = text(u"region"_s).value_or(s.region);

    number(u"workers"_s, &s.workerThreads, 1, 64);
    number(u"node-heartbeat"_s, &s.nodeHeartbeatSeconds, 1, 3600);
    number(u"node-lost-after"_s, &s.nodeLostAfterSeconds, 2, 86400);
    number(u"rate-limit-window"_s, &s.rateLimitWindowSeconds, 1, 86400);
    number(u"rate-limit-per-credential"_s, &s.rateLimitPerCredential, 1, 100000000);
    number(u"rate-limit-per-address"_s, &s.rateLimitPerAddress, 1, 100000000);
    number(u"passcode-max-failures"_s, &s.passcodeMaxFailures, 1, 1000);
    number(u"passcode-window"_s, &s.passcodeWindowSeconds, 1, 86400);
    number(u"passcode-surge-failures"_s, &s.passcodeSurgeFailures, 1, 1000000);
    number(u"passcode-surge-delay"_s, &s.passcodeSurgeDelayMs, 0, 60000);
    number(u"join-not-found-limit"_s, &s.joinNotFoundLimit, 1, 1000000);
    number(u"key-rotation"_s, &s.keyRotationSeconds, 1, 365 * 86400);
    number(u"shutdown-grace"_s, &s.shutdownGraceSeconds, 0, 3600);
    number(u"request-timeout"_s, &s.requestTimeoutSeconds, 1, 3600);
    number(u"max-connections"_s, &s.maxConnections, 1, 1000000);
    number(u"join-token-ttl"_s, &s.joinTokenTtlSeconds, 1, 3600);
    number(u"empty-timeout"_s, &s.emptyTimeoutSeconds, 1, 7 * 86400);
    number(u"resume-grace"_s, &s.resumeGraceSeconds, 1, 3600);
    number(u"ping-interval"_s, &s.pingIntervalSeconds, 1, 3600);
    number(u"ping-timeout"_s, &s.pingTimeoutSeconds, 1, 3600);
    number(u"first-frame-timeout"_s, &s.firstFrameTimeoutSeconds, 1, 3600);
    number(u"mute-ack-timeout"_s, &s.muteAckTimeoutMs, 1, 60000);
    number(u"signal-max-message"_s, &s.signalMaxMessageBytes, 1024, 16 * 1024 * 1024);
    number(u"signal-message-rate"_s, &s.signalMessagesPerSecond, 1, 100000);
    number(u"max-sockets-per-meeting"_s, &s.maxSocketsPerMeeting, 1, 1000000);
    // Webhooks
    number(u"webhook-degraded-after"_s, &s.webhookDegradedAfterSeconds, 1, 365 * 86400);
    number(u"webhook-disabled-after"_s, &s.webhookDisabledAfterSeconds, 1, 365 * 86400);
    if (const auto value = text(u"webhook-retry-schedule"_s)) {
        if (auto waits = RetrySchedule::parse(*value))
            s.webhookRetryScheduleMs = *waits;
        else
            problems << waits.error().detail;
    }
    if (const auto value = text(u"webhook-timeout"_s)) {
        // A bare number is seconds, like the other periods.
        bool bare = false;
        const qint64 seconds = value->toLongLong(&bare);
        const auto waits = bare ? Result<QList<qint64>>(QList<qint64>{seconds * 1000})
                                : RetrySchedule::parse(*value);
        if (!waits || waits->size() != 1 || waits->constFirst() < 1
            || waits->constFirst() > 3600 * 1000)
            problems << u"--webhook-timeout must be one duration from 1ms to 1h, e.g. 10s"_s;
        else
            s.webhookTimeoutMs = int(waits->constFirst());
    }
    number(u"webhook-concurrency"_s, &s.webhookConcurrency, 1, 10000);
    number(u"webhook-max-subscriptions"_s, &s.webhookMaxSubscriptions, 1, 100000);
    // Users and browser sessions
    number(u"session-ttl"_s, &s.sessionTtlSeconds, 60, 30 * 86400);
    number(u"signin-max-failures"_s, &s.signinMaxFailures, 1, 1000);
    number(u"signin-window"_s, &s.signinWindowSeconds, 1, 86400);
    number(u"password-link-ttl"_s, &s.passwordLinkTtlSeconds, 1, 90 * 86400);
    // Recordings
    s.recordingsDir = text(u"recordings-dir"_s).value_or(QString());
    number(u"recording-retention-days"_s, &s.recordingRetentionDays, 1, 36500);
    number(u"recording-url-ttl"_s, &s.recordingUrlTtlSeconds, 1, 30 * 86400);
    number(u"recording-processing-attempts"_s, &s.recordingProcessingAttempts, 1, 100);
    number(u"recording-retry-delay"_s, &s.recordingRetryDelaySeconds, 0, 86400);
    number(u"recording-processing-concurrency"_s, &s.recordingProcessingConcurrency, 0, 64);
    int minFreeMegabytes = int(s.recordingMinFreeBytes / (1024 * 1024));
    number(u"recording-min-free"_s, &minFreeMegabytes, 0, 100 * 1024 * 1024);
    s.recordingMinFreeBytes = qint64(minFreeMegabytes) * 1024 * 1024;
    number(u"webhook-concurrency-per-subscription"_s, &s.webhookConcurrencyPerSubscription, 1,
           1000);

    if (const auto value = text(u"ice-servers"_s)) {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(value->toUtf8(), &parseError);
        if (parseError.error != QJsonParseError::NoError || !document.isArray())
            problems << u"--ice-servers must be a JSON array"_s;
        else
            s.iceServers = QString::fromUtf8(document.toJson(QJsonDocument::Compact));
    }

    if (!problems.isEmpty())
        return Error{ErrorCode::InvalidParameter, problems.join(u"; ")};

    const bool tls = !s.tlsCertFile.isEmpty();
    s.publicUrlDefaulted = s.publicUrl.isEmpty();
    s.advertiseUrlDefaulted = s.advertiseUrl.isEmpty();
    // Several nodes share the public URL (the balancer's); each one's own address must reach
    // that node, so it cannot default to the shared one, nor to "every address".
    if (s.usesPostgres() && s.advertiseUrl.isEmpty()
        && (s.listenAddress == QHostAddress::AnyIPv4 || s.listenAddress == QHostAddress::AnyIPv6
            || s.listenAddress == QHostAddress::Any))
        return Error{ErrorCode::InvalidParameter,
                     u"--advertise-url is required with PostgreSQL when --listen names every "
                     "address: it is this node's own address, which clients of its meetings "
                     "reach it at"_s};
    const QString listenUrl = listenBaseUrl(s, tls);
    if (s.publicUrl.isEmpty())
        s.publicUrl = listenUrl;
    while (s.publicUrl.endsWith(u'/'))
        s.publicUrl.chop(1);
    if (s.advertiseUrl.isEmpty())
        s.advertiseUrl = s.usesPostgres() ? listenUrl : s.publicUrl;
    return s;
}

} // namespace quorum
