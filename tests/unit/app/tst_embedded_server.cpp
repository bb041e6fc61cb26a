// EmbeddedServer: the server inside the app starts on a free loopback port, serves /healthz,
// hands the app a working owner token, reuses it across starts and replaces (and revokes) a
// stored one that no longer works; the models work against it. It starts off the caller's
// thread and stops cleanly.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "EmbeddedServer.h"
#include "MeetingListModel.h"
#include "SecretStore.h"
#include "TestDatabase.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_EmbeddedServer : public QObject
{
    Q_OBJECT

private:
    // Starts a server on the data dir and waits for its token; empty on failure.
    QString startServer(EmbeddedServer &server)
    {
        QSignalSpy ready(&server, &EmbeddedServer::ready);
        server.start();
        if (ready.isEmpty() && !ready.wait(20000))
            return {};
        return server.token();
    }

    // The app's keychain in the data dir, kept in its fallback file.
    std::unique_ptr<SecretStore> secretStore()
    {
        auto secrets = std::make_unique<SecretStore>(m_dir.filePath(u"app"_s));
        secrets->useFallbackOnly();
        return secrets;
    }

    // Starts a server on the data dir and stops it again; the token it handed out.
    QString tokenOfOneStart(SecretStore &secrets)
    {
        EmbeddedServer server(&secrets, m_dir.filePath(u"server"_s));
        return startServer(server);
    }

    CallOutcome get(const QUrl &url, const QString &token, const QString &path)
    {
        return waitFor(AppTestServer::clientOf(url, token)->get(path));
    }

    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        if (TestDatabase::isConfigured())
            QSKIP("The app's embedded server always keeps its data in SQLite");
        QVERIFY(m_dir.isValid());
    }

    void servesAndHandsOutAWorkingToken()
    {
        const auto secrets = secretStore();
        EmbeddedServer server(secrets.get(), m_dir.filePath(u"server"_s));

        const QString token = startServer(server);

        QVERIFY2(!token.isEmpty(), qPrintable(server.error()));
        QVERIFY(server.isRunning());
        QCOMPARE(server.url().host(), u"127.0.0.1"_s);
        QVERIFY(server.url().port() > 0);
        QVERIFY(!server.initialAdminPassword().isEmpty());
        QCOMPARE(get(server.url(), {}, u"/healthz"_s).status, 200);
        const CallOutcome me = get(server.url(), token, u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        QVERIFY(QFile::exists(m_dir.filePath(u"server/master.key"_s)));

        // A model against it.
        const auto client = AppTestServer::clientOf(server.url(), token);
        MeetingListModel model;
        AppTestServer::watch(model);
        model.setClient(client.get());
        QVERIFY(
            waitFor(model.schedule(AppTestServer::meetingInput(u"Embedded"_s, 15).toVariantMap()))
                .ok);
        model.refresh();
        QTRY_COMPARE(model.count(), 1);
        QCOMPARE(model.get(0).value(u"topic"_s).toString(), u"Embedded"_s);
    }

    // The window's thread keeps drawing while the server creates its database, runs the
    // migrations and hashes the owner's first password: a 5 ms timer keeps ticking. Then stop()
    // closes the port, and the same object starts again.
    void startsWithoutHoldingTheCallersThreadAndStopsCleanly()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        SecretStore secrets(dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        EmbeddedServer server(&secrets, dir.filePath(u"server"_s));
        QElapsedTimer sinceLastTick;
        qint64 longestGap = 0;
        QTimer ticker;
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, this,
                [&] { longestGap = std::max(longestGap, sinceLastTick.restart()); });
        QSignalSpy ready(&server, &EmbeddedServer::ready);
        QElapsedTimer startTime;

        startTime.start();
        sinceLastTick.start();
        ticker.start();
        server.start();
        QVERIFY2(ready.wait(20000), qPrintable(server.error()));
        ticker.stop();

        const qint64 startMs = startTime.elapsed();
        qInfo("the first start took %lld ms; the caller's longest pause was %lld ms",
              static_cast<long long>(startMs), static_cast<long long>(longestGap));
        // Run on the caller's thread, the start would be one pause as long as itself.
        QVERIFY2(longestGap * 2 < startMs,
                 "the caller's thread was held up while the server started");
        const QUrl url = server.url();
        QCOMPARE(get(url, {}, u"/healthz"_s).status, 200);

        server.stop();

        QVERIFY(!server.isRunning());
        QVERIFY(server.url().isEmpty());
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, quint16(url.port()));
        QVERIFY(!probe.waitForConnected(2000));
        QVERIFY(!startServer(server).isEmpty());
        QCOMPARE(get(server.url(), {}, u"/healthz"_s).status, 200);
    }

    void aSecondCopyOnTheSameDataSaysTheAppIsAlreadyOpen()
    {
        const auto secrets = secretStore();
        EmbeddedServer first(secrets.get(), m_dir.filePath(u"server"_s));
        QVERIFY(!startServer(first).isEmpty());
        EmbeddedServer second(secrets.get(), m_dir.filePath(u"server"_s));
        QSignalSpy failed(&second, &EmbeddedServer::failed);

        second.start();

        QVERIFY(failed.wait(20000));
        QVERIFY2(second.error().contains(u"already open"_s), qPrintable(second.error()));
        QVERIFY(!second.isRunning());
        QCOMPARE(get(first.url(), {}, u"/healthz"_s).status, 200);
    }

    void aPortInUseIsNamedAsSuch()
    {
        QTcpServer holder;
        QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
        QTemporaryDir dir;
        SecretStore secrets(dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        EmbeddedServer server(&secrets, dir.filePath(u"server"_s));
        server.setPort(holder.serverPort());
        QSignalSpy failed(&server, &EmbeddedServer::failed);

        server.start();

        QVERIFY(failed.wait(20000));
        QVERIFY2(!server.error().contains(u"already open"_s), qPrintable(server.error()));
        QVERIFY2(server.error().contains(u"in use"_s), qPrintable(server.error()));
        // The first start made the owner before it failed to listen: the password stays.
        QVERIFY(!server.initialAdminPassword().isEmpty());
    }

    void reusesTheStoredTokenOnTheNextStart()
    {
        const auto secrets = secretStore();
        const QString first = tokenOfOneStart(*secrets);
        QVERIFY(!first.isEmpty());
        EmbeddedServer server(secrets.get(), m_dir.filePath(u"server"_s));

        const QString second = startServer(server);

        QCOMPARE(second, first);
        QVERIFY(server.initialAdminPassword().isEmpty());
    }

    void replacesAndRevokesAStoredTokenThatFails()
    {
        const auto secrets = secretStore();
        const QString old = tokenOfOneStart(*secrets);
        QVERIFY(!old.isEmpty());
        // The stored entry keeps the old id but its secret no longer authenticates.
        QFile file(secrets->fallbackFile());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject all = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        const QString key = u"embedded-server-token"_s;
        QJsonObject entry = QJsonDocument::fromJson(all.value(key).toString().toUtf8()).object();
        QVERIFY(!entry.value(u"id"_s).toString().isEmpty());
        entry.insert(u"secret"_s, u"qpat_not_valid"_s);
        all.insert(key, QString::fromUtf8(QJsonDocument(entry).toJson()));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(all).toJson());
        file.close();

        EmbeddedServer server(secrets.get(), m_dir.filePath(u"server"_s));
        const QString fresh = startServer(server);

        QVERIFY(!fresh.isEmpty());
        QVERIFY(fresh != old);
        QCOMPARE(get(server.url(), fresh, u"/v1/me"_s).status, 200);
        QCOMPARE(get(server.url(), old, u"/v1/me"_s).status, 401);
    }
};

QTEST_GUILESS_MAIN(tst_EmbeddedServer)
#include "tst_embedded_server.moc"
