// The desktop app `quorum`: the embedded server (unless told otherwise), the API client the
// pages share, and the Qt Quick window of the Quorum QML module.

#include "ApiClient.h"
#include "EmbeddedServer.h"
#include "RemoteSignIn.h"
#include "SecretStore.h"
#include "server/SignalWatcher.h"

#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QStandardPaths>
#include <QTimer>
#include <QtQml/qqmlextensionplugin.h>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(QuorumPlugin)
Q_IMPORT_QML_PLUGIN(Quorum_BackendPlugin)

using namespace Qt::StringLiterals;

namespace {

Q_LOGGING_CATEGORY(lcApp, "quorum.app")

struct Options
{
    int port = 0;
    bool embedded = true;
    bool keychain = true;
    bool reportStartup = false;
    // Qt's -platform was given: the GUI has somewhere to draw without a display.
    bool platformGiven = false;
    QUrl remote;
    QString dataDir;
};

// Reads the command line; exits with a message on a wrong value.
Options parseOptions(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Quorum: schedule and run video meetings."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption port(u"port"_s, u"Port of the embedded server (0: any free one)."_s,
                                  u"N"_s, u"0"_s);
    const QCommandLineOption noEmbedded(u"no-embedded-server"_s,
                                        u"Do not start the server inside the app."_s);
    const QCommandLineOption server(u"server"_s, u"Sign in to the Quorum server at URL."_s,
                                    u"URL"_s);
    const QCommandLineOption dataDir(u"data-dir"_s, u"Where the app keeps its data."_s, u"DIR"_s);
    const QCommandLineOption noKeychain(u"no-keychain"_s,
                                        u"Keep secrets in a file of the data directory."_s);
    const QCommandLineOption report(u"report-startup"_s,
                                    u"Print when the server is ready and the first frame shown."_s);
    parser.addOptions({port, noEmbedded, server, dataDir, noKeychain, report});
    // Qt's own, which QGuiApplication takes out of the command line later; they are written
    // with one dash (-platform offscreen).
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    for (const QString &qtOption : {u"platform"_s, u"display"_s}) {
        QCommandLineOption hidden(qtOption, QString(), u"VALUE"_s);
        hidden.setFlags(QCommandLineOption::HiddenFromHelp);
        parser.addOption(hidden);
    }
    parser.process(app);

    Options options;
    options.platformGiven = parser.isSet(u"platform"_s);
    bool portOk = false;
    options.port = parser.value(port).toInt(&portOk);
    if (!portOk || options.port < 0 || options.port > 65535) {
        std::fprintf(stderr, "quorum: --port takes a number from 0 to 65535\n");
        std::exit(2);
    }
    options.remote = QUrl(parser.value(server), QUrl::StrictMode);
    const QString scheme = options.remote.scheme();
    if (parser.isSet(server)
        && (!options.remote.isValid() || options.remote.host().isEmpty()
            || (scheme != u"https" && scheme != u"http"))) {
        std::fprintf(stderr, "quorum: --server takes an address such as https://quorum.example\n");
        std::exit(2);
    }
    options.embedded = !parser.isSet(noEmbedded) && !parser.isSet(server);
    options.keychain = !parser.isSet(noKeychain);
    options.reportStartup = parser.isSet(report);
    // The default (AppDataLocation) needs the application's names: main() fills it in.
    if (parser.isSet(dataDir)) {
        if (parser.value(dataDir).trimmed().isEmpty()) {
            std::fprintf(stderr, "quorum: --data-dir takes a directory\n");
            std::exit(2);
        }
        options.dataDir = QDir(parser.value(dataDir)).absolutePath();
    }
    return options;
}

// One line on stdout with the time since main() began, for tests/bench/app_startup.sh, and
// what it concerns (the server's address, why it failed).
void reportMilestone(const QElapsedTimer &clock, const char *what, const char *about = nullptr)
{
    std::printf("quorum: %s after %lld ms%s%s\n", what, static_cast<long long>(clock.elapsed()),
                about ? ": " : "", about ? about : "");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer clock;
    clock.start();

    // The command line is read before the GUI starts: help, the version and a wrong flag are
    // answered without a display (the GUI would abort first).
    Options options;
    {
        QCoreApplication console(argc, argv);
        QCoreApplication::setApplicationName(u"quorum"_s);
        QCoreApplication::setApplicationVersion(QStringLiteral(QUORUM_VERSION));
        options = parseOptions(console);
    }

    // Without a display the GUI would abort with Qt's own advice to reinstall.
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")
        && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && !options.platformGiven) {
        std::fprintf(stderr,
                     "quorum: no display to show the app on. On a machine without one, "
                     "run the server alone (quorumd, or make server), or set "
                     "QT_QPA_PLATFORM=offscreen to run the app unseen.\n");
        return 2;
    }

    // A desktop app logs what goes wrong, not each request (QT_LOGGING_RULES still wins).
    if (qEnvironmentVariableIsEmpty("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(u"quorum.*.debug=false"_s);

    QGuiApplication app(argc, argv);
    QGuiApplication::setApplicationName(u"Quorum"_s);
    QGuiApplication::setOrganizationName(u"Quorum"_s);
    QGuiApplication::setApplicationVersion(QStringLiteral(QUORUM_VERSION));
    if (options.dataDir.isEmpty())
        options.dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);

    // Basic draws every control from the palette, which the light and dark themes set.
    QQuickStyle::setStyle(u"Basic"_s);

    // Ctrl+C or a SIGTERM closes the app as its window would: the server stops and lets go
    // of its data.
    quorum::SignalWatcher terminationSignals;
    QObject::connect(&terminationSignals, &quorum::SignalWatcher::terminationRequested, &app,
                     &QCoreApplication::quit);

    quorum::SecretStore secrets(options.dataDir);
    if (!options.keychain)
        secrets.useFallbackOnly();
    quorum::ApiClient client;
    quorum::EmbeddedServer server(&secrets, QDir(options.dataDir).filePath(u"server"_s));
    quorum::RemoteSignIn signIn(&secrets);
    server.setPort(options.port);

    QObject::connect(&server, &quorum::EmbeddedServer::ready, &client,
                     [&](const QUrl &url, const QString &token) {
                         client.setBaseUrl(url);
                         client.setToken(token);
                         if (options.reportStartup)
                             reportMilestone(clock, "server ready",
                                             url.toString().toUtf8().constData());
                     });
    QObject::connect(&server, &quorum::EmbeddedServer::failed, &client,
                     [&](const QString &message) {
                         qCCritical(lcApp) << "The embedded server did not start:" << message;
                         if (options.reportStartup)
                             reportMilestone(clock, "server failed", message.toUtf8().constData());
                     });
    QObject::connect(&signIn, &quorum::RemoteSignIn::signedIn, &client,
                     [&](const QUrl &url, const QString &token) {
                         client.setBaseUrl(url);
                         client.setToken(token);
                     });
    // A remote server's access token lasts an hour: on its first refusal the stored refresh
    // token gets a new one (the browser opens only if that fails too), and the pages read again
    // when the token changes.
    QObject::connect(&client, &quorum::ApiClient::unauthorized, &signIn, [&] {
        if (!signIn.isBusy() && signIn.serverUrl().isValid()
            && client.baseUrl().host() == signIn.serverUrl().host()
            && client.baseUrl().port() == signIn.serverUrl().port())
            signIn.signIn(signIn.serverUrl());
    });

    // The server starts on its own thread while the window loads.
    if (options.embedded)
        server.start();

    QQmlApplicationEngine engine;
    engine.addImportPath(u"qrc:/qt/qml"_s);
    engine.setInitialProperties({
        {u"client"_s, QVariant::fromValue(&client)},
        {u"embeddedServer"_s, QVariant::fromValue(options.embedded ? &server : nullptr)},
        {u"remoteSignIn"_s, QVariant::fromValue(&signIn)},
        {u"secrets"_s, QVariant::fromValue(&secrets)},
    });
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(u"qrc:/qt/qml/Quorum/Main.qml"_s));
    if (engine.rootObjects().isEmpty())
        return 1;

    // A remote sign-in opens the browser: the window shows first.
    const auto signInRemotely = [&] {
        if (!options.embedded && options.remote.isValid())
            signIn.signIn(options.remote);
    };
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());
    if (window) {
        QObject::connect(
            window, &QQuickWindow::frameSwapped, &app,
            [&] {
                if (options.reportStartup)
                    reportMilestone(clock, "first frame");
                QTimer::singleShot(0, &app, signInRemotely);
            },
            Qt::SingleShotConnection);
    } else {
        signInRemotely();
    }
    return QGuiApplication::exec();
}
