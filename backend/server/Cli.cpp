#include "Cli.h"

#include "AppService.h"
#include "Bootstrap.h"
#include "QuorumServer.h"
#include "SettingsLoader.h"
#include "SignalWatcher.h"
#include "WebhookService.h"
#include "auth/AuditLog.h"
#include "auth/Scopes.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "core/TimeRules.h"
#include "crypto/MasterKey.h"
#include "crypto/SecretBox.h"
#include "store/AppRepository.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"
#include "store/TokenRepository.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>

#include <csignal>
#include <cstdio>
#include <sys/resource.h>
#include <termios.h>
#include <unistd.h>

namespace quorum {

namespace {

Q_LOGGING_CATEGORY(lcLimits, "quorum.server.limits", QtInfoMsg)

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

QTextStream &err()
{
    static QTextStream stream(stderr);
    return stream;
}

int fail(const QString &message)
{
    err() << "quorumd: " << message << Qt::endl;
    return 1;
}

const char *kCommandsHelp
    = "Commands (no running server needed, and safe beside one; they use the same data\n"
      "directory and settings):\n"
      "  (none)                                   serve the API\n"
      "  token create --user NAME [--workspace W] [--scopes a,b] [--ttl 1h] [--name N]\n"
      "                                           print a new personal access token\n"
      "  token list --user NAME [--workspace W]   list a user's tokens\n"
      "  token revoke ID                          revoke a token\n"
      "  workspace create NAME                    create a workspace\n"
      "  user create NAME --workspace W --role owner|admin|member [--password-file F]\n"
      "                                           create a user (password from F or stdin)\n"
      "  user set-password NAME [--workspace W] [--password-file F]\n"
      "  app register --workspace W --name N --type confidential|public --redirect-uri U\n"
      "               [--redirect-uri U ...] --scopes a,b [--listed]\n"
      "                                           register an OAuth app; prints its client id\n"
      "                                           (and, for a confidential one, its secret)\n"
      "  app install CLIENT_ID --workspace W [--scopes a,b]\n"
      "                                           install an app in a workspace\n"
      "  backup DIR                               copy the database consistently into DIR\n"
      "  master-key create FILE                   write a new master key (0600)\n"
      "  routes                                   print every API route (METHOD /pattern)\n";

// "90", "90s", "30m", "1h", "7d" -> seconds; -1 when malformed.
qint64 parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d{1,9})([smhd]?)$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return -1;
    const qint64 value = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    if (unit == u"m")
        return value * 60;
    if (unit == u"h")
        return value * 3600;
    if (unit == u"d")
        return value * 86400;
    return value;
}

Result<QString> readPassword(const QCommandLineParser &parser)
{
    QString password;
    if (parser.isSet(QStringLiteral("password-file"))) {
        QFile file(parser.value(QStringLiteral("password-file")));
        if (!file.open(QIODevice::ReadOnly))
            return Error{ErrorCode::InvalidParameter,
                         QStringLiteral("Cannot read %1.").arg(file.fileName())};
        password = QString::fromUtf8(file.readAll());
    } else {
        QFile input;
        if (!input.open(stdin, QIODevice::ReadOnly))
            return Error{ErrorCode::InvalidParameter, QStringLiteral("Cannot read stdin.")};
        // At a terminal, ask and do not echo what is typed.
        const bool terminal = ::isatty(STDIN_FILENO) == 1;
        termios saved{};
        if (terminal && ::tcgetattr(STDIN_FILENO, &saved) == 0) {
            termios quiet = saved;
            quiet.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
            err() << "Password: " << Qt::flush;
        }
        password = QString::fromUtf8(input.readLine());
        if (terminal) {
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
            err() << Qt::endl;
        }
    }
    while (password.endsWith(u'\n') || password.endsWith(u'\r'))
        password.chop(1);
    return password;
}

// What every command needs: the settings, the database (migrated, bootstrapped) and the key.
struct CommandContext
{
    Settings settings;
    SystemClock clock;
    std::unique_ptr<crypto::SecretBox> box;
    std::unique_ptr<Database> database;
};

Status openContext(CommandContext &context)
{
    QDir().mkpath(context.settings.dataDir);
    QFile::setPermissions(context.settings.dataDir,
                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    auto key = crypto::masterkey::loadOrCreate(context.settings.effectiveMasterKeyFile());
    if (!key)
        return key.error();
    context.box = std::make_unique<crypto::SecretBox>(*key);
    context.database = std::make_unique<Database>(context.settings.databaseOptions());
    if (const Status opened = context.database->open(); !opened)
        return opened;
    if (const Status keyMatches
        = bootstrap::checkMasterKeyFingerprint(*context.database, context.box->fingerprint());
        !keyMatches)
        return keyMatches;
    auto password = bootstrap::ensureDefaultWorkspace(*context.database, context.clock);
    if (!password)
        return password.error();
    if (!password->isEmpty())
        err() << "No Quorum data was in " << context.database->location()
              << ": created it, with workspace 'default' and owner 'admin' (password: " << *password
              << "). Keep it safe; it is shown only once.\n"
              << "If your server keeps its data elsewhere, this is not its database: pass the "
              << (context.settings.usesPostgres() ? "server's --database." : "server's --data-dir.")
              << Qt::endl;
    return success();
}

std::optional<User> findUser(CommandContext &context, const QString &workspaceName,
                             const QString &userName)
{
    DirectoryRepository directory(context.database->connection());
    const auto workspace = directory.workspaceByName(workspaceName);
    return workspace ? directory.userByName(workspace->id, userName) : std::nullopt;
}

int tokenCommand(CommandContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString action = args.value(1);
    const QString workspace = parser.value(QStringLiteral("workspace"));
    if (action == u"create" || action == u"list") {
        const QString userName = parser.value(QStringLiteral("user"));
        if (userName.isEmpty())
            return fail(QStringLiteral("token %1 needs --user NAME").arg(action));
        const auto user = findUser(context, workspace, userName);
        if (!user)
            return fail(QStringLiteral("no user %1 in workspace %2").arg(userName, workspace));

        AuditLog audit(*context.database, context.clock);
        TokenService tokens(*context.database, context.clock, audit);
        if (action == u"list") {
            auto page = tokens.listPersonal(user->id, PageRequest{300, std::nullopt});
            if (!page)
                return fail(page.error().detail);
            for (const AccessTokenRecord &token : std::as_const(page->items))
                out() << token.id << '\t' << token.name << '\t' << token.scopes.join(u',') << '\t'
                      << timerules::formatUtc(token.createdAt) << '\t'
                      << (token.expiresAt.isValid() ? timerules::formatUtc(token.expiresAt)
                                                    : QStringLiteral("never"))
                      << Qt::endl;
            return 0;
        }

        QStringList scopes = scopes::all();
        if (parser.isSet(QStringLiteral("scopes")))
            scopes = parser.value(QStringLiteral("scopes")).split(u',', Qt::SkipEmptyParts);
        qint64 ttl = 0;
        if (parser.isSet(QStringLiteral("ttl"))) {
            ttl = parseDuration(parser.value(QStringLiteral("ttl")));
            if (ttl < 60)
                return fail(QStringLiteral("--ttl must be at least 60 seconds and look like 3600, "
                                           "90m, 1h or 30d"));
        }
        const QString name = parser.isSet(QStringLiteral("name"))
            ? parser.value(QStringLiteral("name"))
            : QStringLiteral("command line");
        auto created = tokens.createPersonal(user->id, name, scopes, ttl, user->id, QString());
        if (!created)
            return fail(created.error().detail);
        out() << created->secret << Qt::endl;
        return 0;
    }
    if (action == u"revoke") {
        const QString id = args.value(2);
        if (id.isEmpty())
            return fail(QStringLiteral("usage: quorumd token revoke ID"));
        const auto token = TokenRepository(context.database->connection()).byId(id);
        if (!token)
            return fail(QStringLiteral("no token %1").arg(id));
        AuditLog audit(*context.database, context.clock);
        TokenService tokens(*context.database, context.clock, audit);
        if (const Status revoked = tokens.revoke(token->userId, id, QString(), QString()); !revoked)
            return fail(revoked.error().detail);
        err() << "revoked " << id << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("token needs create, list or revoke"));
}

// `app register` and `app install`: the command line acts as the workspace's owner.
int appCommand(CommandContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString action = args.value(1);
    const QString workspaceName = parser.value(QStringLiteral("workspace"));
    const auto workspace
        = DirectoryRepository(context.database->connection()).workspaceByName(workspaceName);
    if (!workspace)
        return fail(QStringLiteral("no workspace %1").arg(workspaceName));
    Credential owner;
    owner.kind = QStringLiteral("cli");
    owner.workspaceId = workspace->id;
    owner.role = Role::Owner;
    AuditLog audit(*context.database, context.clock);
    TokenService tokens(*context.database, context.clock, audit);
    WebhookService webhooks(*context.database, *context.box, context.clock, audit,
                            context.settings.webhookMaxSubscriptions);
    AppService apps(*context.database, context.clock, audit, tokens, webhooks);
    const QStringList scopeList
        = parser.value(QStringLiteral("scopes")).split(u',', Qt::SkipEmptyParts);
    for (const QString &scope : scopeList) {
        if (!scopes::isKnown(scope))
            return fail(QStringLiteral("unknown scope %1 (known: %2)")
                            .arg(scope, scopes::all().join(u',')));
    }

    if (action == u"register") {
        AppDraft draft;
        draft.name = parser.value(QStringLiteral("name"));
        draft.clientType = parser.value(QStringLiteral("type"));
        draft.redirectUris = parser.values(QStringLiteral("redirect-uri"));
        draft.scopes = scopeList;
        draft.listed = parser.isSet(QStringLiteral("listed"));
        if (draft.name.isEmpty() || draft.scopes.isEmpty())
            return fail(QStringLiteral("app register needs --name N and --scopes a,b"));
        if (draft.clientType != u"confidential" && draft.clientType != u"public")
            return fail(QStringLiteral("app register needs --type confidential|public"));
        if (draft.clientType == u"public" && draft.redirectUris.isEmpty())
            return fail(QStringLiteral("a public app needs at least one --redirect-uri"));
        for (const QString &uri : std::as_const(draft.redirectUris)) {
            if (const auto problem = AppService::redirectUriProblem(uri))
                return fail(*problem);
        }
        auto created = apps.create(owner, draft, QString());
        if (!created)
            return fail(created.error().detail);
        out() << created->app.clientId << Qt::endl;
        if (!created->clientSecret.isEmpty())
            out() << created->clientSecret << Qt::endl;
        err() << "Registered app " << created->app.id << " (" << draft.name << ")."
              << (created->clientSecret.isEmpty()
                      ? ""
                      : " The second line is its client secret; it is shown only once.")
              << Qt::endl;
        return 0;
    }
    if (action == u"install") {
        const QString clientId = args.value(2);
        if (clientId.isEmpty())
            return fail(QStringLiteral("usage: quorumd app install CLIENT_ID --workspace W "
                                       "[--scopes a,b]"));
        const auto app = AppRepository(context.database->connection()).byClientId(clientId);
        if (!app)
            return fail(QStringLiteral("no app with client id %1").arg(clientId));
        auto installed = apps.install(owner, app->id,
                                      scopeList.isEmpty() ? std::nullopt : std::optional(scopeList),
                                      QString());
        if (!installed)
            return fail(installed.error().detail);
        out() << installed->first.grantedScopes.join(u',') << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("app needs register or install"));
}

int userCommand(CommandContext &context, const QCommandLineParser &parser, const QStringList &args)
{
    const QString action = args.value(1);
    const QString name = args.value(2);
    if (name.isEmpty())
        return fail(QStringLiteral("user %1 needs a NAME").arg(action));
    auto password = readPassword(parser);
    if (!password)
        return fail(password.error().detail);
    const QString workspace = parser.value(QStringLiteral("workspace"));
    if (action == u"create") {
        const auto role = roleFromName(parser.value(QStringLiteral("role")));
        if (!role)
            return fail(QStringLiteral("--role must be owner, admin or member"));
        auto user = bootstrap::createUser(*context.database, context.clock, workspace, name, *role,
                                          *password);
        if (!user)
            return fail(user.error().detail);
        out() << user->id << Qt::endl;
        return 0;
    }
    if (action == u"set-password") {
        if (const Status set
            = bootstrap::setPassword(*context.database, workspace, name, *password);
            !set)
            return fail(set.error().detail);
        err() << "password changed" << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("user needs create or set-password"));
}

// Sockets are files: take the hard limit, not Debian's soft default of 1024.
void raiseOpenFileLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;

    if (limit.rlim_cur < limit.rlim_max) {
        const rlim_t previous = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            qCWarning(lcLimits) << "could not raise the open-file limit from" << previous;
            return;
        }
    }
    qCDebug(lcLimits) << "open-file limit" << quint64(limit.rlim_cur);
}

int serve(Settings settings, const MediaAdapters &extraAdapters)
{
    raiseOpenFileLimit();
    QuorumServer server(std::move(settings));
    server.setMediaAdapters(extraAdapters);
    // Watching before the start and the "listening" line: a SIGTERM sent as soon as a script
    // reads that line would otherwise meet the default action and kill the process. One that
    // arrives during the start waits in the watcher's pipe for the event loop.
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &server, [&server](int) {
        err() << "quorumd: stopping; requests in flight may finish" << Qt::endl;
        server.stop();
    });
    QObject::connect(&server, &QuorumServer::stopped, qApp, &QCoreApplication::quit);
    const Status started = server.start();
    // The first start creates the owner before it listens: say the password even if
    // listening then fails, or it is lost.
    if (!server.initialAdminPassword().isEmpty()) {
        // The commands find the data where the server does: PostgreSQL and its key are named.
        const Settings &first = server.settings();
        // The password stays where it is: its file, or QUORUM_DATABASE_PASSWORD.
        const QString passwordFile = first.databasePasswordFile.isEmpty()
            ? QString()
            : QStringLiteral(" --database-password-file %1").arg(first.databasePasswordFile);
        const QString whereData = first.usesPostgres()
            ? QStringLiteral("--database %1 --master-key-file %2%3")
                  .arg(first.database, first.masterKeyFile, passwordFile)
            : QStringLiteral("--data-dir %1").arg(first.dataDir);
        err() << "First start: created workspace 'default' with owner 'admin'.\n"
              << "  Initial password for admin: " << server.initialAdminPassword()
              << " (shown only once)\n"
              << "  Get an API token:  " << QCoreApplication::applicationFilePath()
              << " token create --user admin " << whereData << Qt::endl;
    }
    if (!started)
        return fail(started.error().detail);

    const Settings &live = server.settings();
    // The one line scripts and tests read to learn the port.
    out() << "quorumd listening on " << live.publicUrl << " (port " << server.port() << ")"
          << Qt::endl;
    if (live.usesPostgres())
        err() << "node " << live.nodeName << ", reached by its meetings' clients at "
              << live.advertiseUrl << Qt::endl;
    return QCoreApplication::exec();
}

} // namespace

int runQuorumd(int argc, char **argv, const MediaAdapters &extraAdapters)
{
    // A closed pipe on standard output (quorumd routes | head) must end a write, not the
    // process: temporary files are cleaned up on the way out.
    signal(SIGPIPE, SIG_IGN);
    // Qt's GLib event dispatcher keeps socket notifiers in linked lists: with thousands of
    // signalling sockets per serving thread, every write-notifier toggle walks the list (GLib took
    // a fifth of quorumd's CPU under tests/bench/run_signal.sh). Qt's own poll dispatcher does not,
    // and a headless server needs nothing of GLib's.
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("quorumd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(QUORUM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Quorum's server: meetings, join tokens and the management API.\n\n")
        + QString::fromLatin1(kCommandsHelp));
    parser.addHelpOption();
    parser.addVersionOption();
    SettingsLoader loader;
    loader.addOptionsTo(parser);
    parser.addOption(
        {QStringLiteral("user"), QStringLiteral("User name (commands)."), QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("workspace"), QStringLiteral("Workspace name (commands)."),
                      QStringLiteral("NAME"), QStringLiteral("default")});
    parser.addOption({QStringLiteral("scopes"),
                      QStringLiteral("Comma-separated scopes (token "
                                     "create; default all)."),
                      QStringLiteral("LIST")});
    parser.addOption({QStringLiteral("ttl"),
                      QStringLiteral("Token lifetime: 3600, 90m, 1h, 30d "
                                     "(token create; default none)."),
                      QStringLiteral("DURATION")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Token name (token create)."),
                      QStringLiteral("NAME")});
    parser.addOption({QStringLiteral("role"),
                      QStringLiteral("owner, admin or member (user "
                                     "create)."),
                      QStringLiteral("ROLE"), QStringLiteral("member")});
    parser.addOption({QStringLiteral("type"),
                      QStringLiteral("confidential or public (app register)."),
                      QStringLiteral("TYPE")});
    parser.addOption({QStringLiteral("redirect-uri"),
                      QStringLiteral("A redirect URI; repeatable (app register)."),
                      QStringLiteral("URI")});
    parser.addOption({QStringLiteral("listed"),
                      QStringLiteral("List the app in every workspace's marketplace (app "
                                     "register).")});
    parser.addOption({QStringLiteral("password-file"),
                      QStringLiteral("Read the password from "
                                     "FILE instead of stdin."),
                      QStringLiteral("FILE")});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("See Commands above."),
                                 QStringLiteral("[command ...]"));
    parser.process(app);

    auto settings
        = loader.load(parser, QProcessEnvironment::systemEnvironment(), extraAdapters.keys());
    if (!settings)
        return fail(settings.error().detail);

    // Qt shows debug lines unless told otherwise: a server logs information, warnings and
    // errors, and commands print their result on standard output, where the server's
    // informational lines (migrations, audit entries) would only clutter the terminal.
    // QT_LOGGING_RULES still wins (QT_LOGGING_RULES="quorum.*.debug=true" for everything).
    const QStringList args = parser.positionalArguments();
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(args.isEmpty() ? QStringLiteral("quorum.*.debug=false")
                                                        : QStringLiteral("quorum.*.debug=false\n"
                                                                         "quorum.*.info=false"));
    if (args.isEmpty())
        return serve(*settings, extraAdapters);

    const QString command = args.first();
    if (command == u"routes") {
        // Starts a throwaway server on a free loopback port just to read its route table.
        QTemporaryDir scratch;
        Settings throwaway = *settings;
        throwaway.dataDir = scratch.path();
        throwaway.masterKeyFile.clear();
        throwaway.database = QStringLiteral("sqlite:");
        throwaway.listenAddress = QHostAddress::LocalHost;
        throwaway.listenPort = 0;
        QuorumServer server(throwaway);
        if (const Status started = server.start(); !started)
            return fail(started.error().detail);
        for (const QString &route : server.routes())
            out() << route << Qt::endl;
        return 0;
    }
    if (command == u"master-key") {
        if (args.value(1) != u"create" || args.value(2).isEmpty())
            return fail(QStringLiteral("usage: quorumd master-key create FILE"));
        if (const Status created = crypto::masterkey::create(args.value(2)); !created)
            return fail(created.error().detail);
        err() << "wrote a new master key to " << args.value(2)
              << "; keep it with your backups: without it, sealed secrets are lost" << Qt::endl;
        return 0;
    }

    static const QStringList known{QStringLiteral("token"), QStringLiteral("user"),
                                   QStringLiteral("app"), QStringLiteral("workspace"),
                                   QStringLiteral("backup")};
    if (!known.contains(command))
        return fail(QStringLiteral("unknown command %1; see --help").arg(command));

    // Commands that read or change what exists would otherwise create a fresh, empty database
    // in a data directory that is not the server's, and answer from it.
    const QString action = args.value(1);
    const bool needsExistingData = command == u"backup"
        || (command == u"token" && (action == u"list" || action == u"revoke"))
        || (command == u"user" && action == u"set-password")
        || (command == u"app" && action == u"install");
    if (needsExistingData && !settings->usesPostgres() && !QFile::exists(settings->sqlitePath()))
        return fail(QStringLiteral("no Quorum data in %1: name the server's data directory with "
                                   "--data-dir (its first start prints it)")
                        .arg(settings->dataDir));

    CommandContext context;
    context.settings = *settings;
    if (const Status opened = openContext(context); !opened)
        return fail(opened.error().detail);

    if (command == u"token")
        return tokenCommand(context, parser, args);
    if (command == u"user")
        return userCommand(context, parser, args);
    if (command == u"app")
        return appCommand(context, parser, args);
    if (command == u"workspace") {
        if (args.value(1) != u"create" || args.value(2).isEmpty())
            return fail(QStringLiteral("usage: quorumd workspace create NAME"));
        auto workspace
            = bootstrap::createWorkspace(*context.database, context.clock, args.value(2));
        if (!workspace)
            return fail(workspace.error().detail);
        out() << workspace->id << Qt::endl;
        return 0;
    }
    if (command == u"backup") {
        const QString dir = args.value(1);
        if (dir.isEmpty())
            return fail(QStringLiteral("usage: quorumd backup DIR"));
        QDir().mkpath(dir);
        const QString file = QDir(dir).filePath(QStringLiteral("quorum-%1.db")
                                                    .arg(QDateTime::currentDateTimeUtc().toString(
                                                        QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
        if (const Status copied = context.database->backupTo(file); !copied)
            return fail(copied.error().detail);
        out() << file << Qt::endl;
        err() << "Backed up the database to " << file << ".\n"
              << "Keep the master key (" << context.settings.effectiveMasterKeyFile()
              << ") with it: without the key, sealed secrets in the backup are lost." << Qt::endl;
        return 0;
    }
    return fail(QStringLiteral("unknown command %1; see --help").arg(command));
}

} // namespace quorum
