// quorumd's command line (DESIGN.md *Configuration*): the flags --help lists, the management
// commands run beside a live server, where settings come from, and how the server stops.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QtTest>

#include <sys/stat.h>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// The environment of the test without any QUORUM_* variable, so that only what a test sets
// reaches the server.
QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &name : environment.keys()) {
        if (name.startsWith(u"QUORUM_"))
            environment.remove(name);
    }
    return environment;
}

// A port that was free a moment ago; the server under test binds it right after.
quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

int fileMode(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

QString writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(content);
    return path;
}

} // namespace

// A quorumd started by hand, for the tests that choose its whole command line and environment.
// Terminated (and killed if it lingers) when it goes out of scope.
struct DirectDaemon
{
    QProcess process;
    QByteArray out;
    quint16 port = 0;

    ~DirectDaemon()
    {
        if (process.state() == QProcess::NotRunning)
            return;
        process.terminate();
        if (!process.waitForFinished(15000)) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    // waitForFinished() is false for a process that had already exited: that counts as done.
    bool waitForExit()
    {
        return process.state() == QProcess::NotRunning || process.waitForFinished(15000);
    }

    // True once the server printed the port it listens on; false when it exited or timed out.
    bool start(const QStringList &arguments, const QProcessEnvironment &environment)
    {
        process.setProcessEnvironment(environment);
        process.start(QuorumdProcess::binaryPath(), arguments);
        if (!process.waitForStarted(10000))
            return false;
        static const QRegularExpression listening(u"\\(port (\\d+)\\)"_s);
        QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && process.state() == QProcess::Running) {
            process.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
            out += process.readAllStandardOutput();
            const auto match = listening.match(QString::fromUtf8(out));
            if (match.hasMatch()) {
                port = quint16(match.captured(1).toUInt());
                return true;
            }
        }
        return false;
    }
};

class tst_Cli : public QObject
{
    Q_OBJECT

private:
    QuorumdProcess::CommandResult run(const QStringList &arguments, const QByteArray &input = {})
    {
        return m_server->command(arguments, input);
    }

    QString passwordFile(const QByteArray &password)
    {
        static int counter = 0;
        return writeFile(m_scratch.filePath(u"password-%1"_s.arg(++counter)), password);
    }

    // The row of the users table, read straight from the database.
    QString passwordHashOf(const QString &userName)
    {
        const QString connection = u"users-%1"_s.arg(QRandomGenerator::global()->generate());
        QString hash;
        {
            QSqlDatabase db = m_server->openDatabase(connection);
            if (db.isOpen()) {
                QSqlQuery query(db);
                query.prepare(u"SELECT password_hash FROM users WHERE name = ?"_s);
                query.addBindValue(userName);
                if (query.exec() && query.next())
                    hash = query.value(0).toString();
            }
        }
        QSqlDatabase::removeDatabase(connection);
        return hash;
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QTemporaryDir m_scratch;
    QByteArray m_help;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_scratch.isValid());
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());

        QProcess help;
        help.start(QuorumdProcess::binaryPath(), {u"--help"_s});
        QVERIFY(help.waitForFinished(10000));
        QCOMPARE(help.exitCode(), 0);
        m_help = help.readAllStandardOutput();
    }

    void cleanupTestCase() { m_server.reset(); }

    void helpListsEveryConfigurationFlag_data()
    {
        QTest::addColumn<QString>("flag");

        for (const char *flag :
             {"--config", "--listen", "--data-dir", "--public-url", "--advertise-url", "--database",
              "--database-password-file", "--master-key-file", "--tls-cert", "--tls-key", "--media",
              "--rate-limits", "--webhooks-allow-private-networks"})
            QTest::addRow("help lists %s", flag) << QString::fromLatin1(flag);
    }

    void helpListsEveryConfigurationFlag()
    {
        QFETCH(QString, flag);
        const QRegularExpression listed(QRegularExpression::escape(flag) + u"(\\s|=|$)"_s,
                                        QRegularExpression::MultilineOption);
        QVERIFY2(listed.match(QString::fromUtf8(m_help)).hasMatch(), qPrintable(flag));
    }

    void tokenCreatePrintsOnlyTheToken()
    {
        const auto created = run({u"token"_s, u"create"_s, u"--user"_s, u"admin"_s, u"--scopes"_s,
                                  u"meeting.read,meeting.join"_s, u"--ttl"_s, u"1h"_s});
        QCOMPARE(created.exitCode, 0);
        QVERIFY2(QRegularExpression(u"^qpat_[A-Za-z0-9_-]+\n$"_s)
                     .match(QString::fromUtf8(created.out))
                     .hasMatch(),
                 created.out.constData());

        ApiClient client(m_server->baseUrl(), QString::fromUtf8(created.out).trimmed());
        const ApiReply me = client.get(u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        QCOMPARE(me.json().value(u"scopes").toArray().size(), 2);
    }

    void tokenCreateRefusesWhatItCannotDo_data()
    {
        QTest::addColumn<QStringList>("arguments");

        QTest::newRow("an unknown user") << QStringList{u"--user"_s, u"nobody"_s};
        QTest::newRow("no user at all") << QStringList();
        QTest::newRow("an unknown scope")
            << QStringList{u"--user"_s, u"admin"_s, u"--scopes"_s, u"meeting.admin"_s};
        QTest::newRow("a malformed lifetime")
            << QStringList{u"--user"_s, u"admin"_s, u"--ttl"_s, u"soon"_s};
    }

    void tokenCreateRefusesWhatItCannotDo()
    {
        QFETCH(QStringList, arguments);
        const auto refused = run(QStringList{u"token"_s, u"create"_s} + arguments);
        QVERIFY(refused.exitCode != 0);
        QVERIFY(refused.out.isEmpty());
        QVERIFY(!refused.err.isEmpty());
    }

    void tokenListShowsAndTokenRevokeRemoves()
    {
        const auto created = run(
            {u"token"_s, u"create"_s, u"--user"_s, u"admin"_s, u"--name"_s, u"listed-by-cli"_s});
        QCOMPARE(created.exitCode, 0);
        const QString secret = QString::fromUtf8(created.out).trimmed();
        ApiClient client(m_server->baseUrl(), secret);
        QCOMPARE(client.get(u"/v1/me"_s).status, 200);

        const auto listed = run({u"token"_s, u"list"_s, u"--user"_s, u"admin"_s});
        QCOMPARE(listed.exitCode, 0);
        QVERIFY(!listed.out.contains(secret.toUtf8()));
        QString id;
        for (const QString &line : QString::fromUtf8(listed.out).split(u'\n')) {
            const QStringList fields = line.split(u'\t');
            if (fields.value(1) == u"listed-by-cli")
                id = fields.value(0);
        }
        QVERIFY2(id.startsWith(u"tok_"), listed.out.constData());

        const auto revoked = run({u"token"_s, u"revoke"_s, id});
        QCOMPARE(revoked.exitCode, 0);
        QVERIFY(!run({u"token"_s, u"list"_s, u"--user"_s, u"admin"_s}).out.contains(id.toUtf8()));
        // The server may hold a verified token for a moment; it must not outlive that.
        QTRY_COMPARE_WITH_TIMEOUT(client.get(u"/v1/me"_s).status, 401, 10000);

        QVERIFY(run({u"token"_s, u"revoke"_s, id}).exitCode != 0);
        QVERIFY(run({u"token"_s, u"revoke"_s, u"tok_0000000000000000000000"_s}).exitCode != 0);
    }

    void workspaceCreateMakesAWorkspaceForUsers()
    {
        const auto created = run({u"workspace"_s, u"create"_s, u"cli-space"_s});
        QCOMPARE(created.exitCode, 0);
        QVERIFY2(QRegularExpression(u"^wsp_[A-Za-z0-9]+\n$"_s)
                     .match(QString::fromUtf8(created.out))
                     .hasMatch(),
                 created.out.constData());

        const auto user = run({u"user"_s, u"create"_s, u"wanda"_s, u"--workspace"_s, u"cli-space"_s,
                               u"--role"_s, u"admin"_s, u"--password-file"_s,
                               passwordFile("a long enough password\n")});
        QCOMPARE(user.exitCode, 0);
        ApiClient client(m_server->baseUrl(), m_server->token(u"wanda"_s, u"cli-space"_s));
        const QJsonObject me = client.get(u"/v1/me"_s).json();
        QCOMPARE(me.value(u"workspace").toObject().value(u"name").toString(), u"cli-space"_s);
        QCOMPARE(me.value(u"workspace").toObject().value(u"id").toString(),
                 QString::fromUtf8(created.out).trimmed());
        QCOMPARE(me.value(u"user").toObject().value(u"role").toString(), u"admin"_s);

        QVERIFY(run({u"workspace"_s, u"create"_s}).exitCode != 0);
    }

    void userCreateTakesThePasswordFromAFileOrStandardInput_data()
    {
        QTest::addColumn<bool>("fromFile");

        QTest::newRow("from a password file") << true;
        QTest::newRow("from standard input") << false;
    }

    void userCreateTakesThePasswordFromAFileOrStandardInput()
    {
        QFETCH(bool, fromFile);
        const QString name = fromFile ? u"filed"_s : u"piped"_s;
        QStringList arguments{u"user"_s,    u"create"_s, name,       u"--workspace"_s,
                              u"default"_s, u"--role"_s, u"member"_s};
        QByteArray input;
        if (fromFile)
            arguments << u"--password-file"_s << passwordFile("correct horse battery\n");
        else
            input = "correct horse battery\n";

        const auto created = run(arguments, input);
        QCOMPARE(created.exitCode, 0);
        QVERIFY2(QRegularExpression(u"^usr_[A-Za-z0-9]+\n$"_s)
                     .match(QString::fromUtf8(created.out))
                     .hasMatch(),
                 created.out.constData());

        const QString hash = passwordHashOf(name);
        QVERIFY(!hash.isEmpty());
        QVERIFY(!hash.contains(u"correct horse"_s));

        ApiClient client(m_server->baseUrl(), m_server->token(name));
        QCOMPARE(client.get(u"/v1/me"_s).json().value(u"user").toObject().value(u"id").toString(),
                 QString::fromUtf8(created.out).trimmed());
    }

    void userSetPasswordReplacesTheHash()
    {
        QVERIFY(!m_server->createUser(u"changer"_s, u"default"_s).isEmpty());
        const QString before = passwordHashOf(u"changer"_s);
        QVERIFY(!before.isEmpty());

        const auto changed = run({u"user"_s, u"set-password"_s, u"changer"_s, u"--password-file"_s,
                                  passwordFile("another long password")});
        QCOMPARE(changed.exitCode, 0);
        const QString after = passwordHashOf(u"changer"_s);
        QVERIFY(!after.isEmpty());
        QVERIFY(after != before);

        const auto piped = run({u"user"_s, u"set-password"_s, u"changer"_s}, "yet another one\n");
        QCOMPARE(piped.exitCode, 0);
        QVERIFY(passwordHashOf(u"changer"_s) != after);

        QVERIFY(
            run({u"user"_s, u"set-password"_s, u"nobody-here"_s}, "a long enough one\n").exitCode
            != 0);
    }

    void aTooShortPasswordIsRefused_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<bool>("fromFile");

        QTest::newRow("user create with a short password file") << u"create"_s << true;
        QTest::newRow("user create with a short password on standard input")
            << u"create"_s << false;
        QTest::newRow("user set-password with a short password file") << u"set-password"_s << true;
        QTest::newRow("user set-password with a short password on standard input")
            << u"set-password"_s << false;
    }

    void aTooShortPasswordIsRefused()
    {
        QFETCH(QString, action);
        QFETCH(bool, fromFile);
        const QString name = action == u"create" ? u"shorty"_s : u"admin"_s;
        const QString hashBefore = passwordHashOf(name);

        QStringList arguments{u"user"_s, action, name};
        if (action == u"create")
            arguments << u"--role"_s << u"member"_s;
        QByteArray input;
        if (fromFile)
            arguments << u"--password-file"_s << passwordFile("short\n");
        else
            input = "short\n";

        const auto refused = run(arguments, input);
        QVERIFY(refused.exitCode != 0);
        QVERIFY(refused.out.isEmpty());
        QVERIFY2(refused.err.contains("12"), refused.err.constData());
        QCOMPARE(passwordHashOf(name), hashBefore);
    }

    void backupMakesADatabaseThatHoldsTheMeetings()
    {
        if (m_server->databaseEngine() != u"sqlite")
            QSKIP("quorumd backup copies the SQLite file; PostgreSQL is backed up with pg_dump");
        ApiClient client(m_server->baseUrl(), m_server->token());
        QStringList ids;
        for (int i = 0; i < 2; ++i) {
            const ApiReply created = client.post(u"/v1/meetings"_s,
                                                 {{u"topic"_s, u"Backed up %1"_s.arg(i)},
                                                  {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                                  {u"duration_minutes"_s, 30}});
            QCOMPARE(created.status, 201);
            ids << created.json().value(u"id").toString();
        }

        QTemporaryDir target;
        const auto backup = run({u"backup"_s, target.filePath(u"nested"_s)});
        QCOMPARE(backup.exitCode, 0);
        QVERIFY2(backup.err.contains("master key"), backup.err.constData());
        const QString file = QString::fromUtf8(backup.out).trimmed();
        QVERIFY2(file.startsWith(target.path()) && QFile::exists(file), qPrintable(file));

        QStringList stored;
        QString topic;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"backup"_s);
            db.setDatabaseName(file);
            db.setConnectOptions(u"QSQLITE_OPEN_READONLY"_s);
            QVERIFY(db.open());
            QSqlQuery query(db);
            QVERIFY(query.exec(u"PRAGMA integrity_check"_s) && query.next());
            QCOMPARE(query.value(0).toString(), u"ok"_s);
            QVERIFY(query.exec(u"SELECT id, topic FROM meetings"_s));
            while (query.next()) {
                stored << query.value(0).toString();
                if (query.value(0).toString() == ids.constFirst())
                    topic = query.value(1).toString();
            }
        }
        QSqlDatabase::removeDatabase(u"backup"_s);
        for (const QString &id : std::as_const(ids))
            QVERIFY2(stored.contains(id), qPrintable(id));
        QCOMPARE(topic, u"Backed up 0"_s);
    }

    void masterKeyCreateWritesA0600FileAndNeverOverwrites()
    {
        const QString path = m_scratch.filePath(u"fresh.key"_s);
        const auto created = run({u"master-key"_s, u"create"_s, path});
        QCOMPARE(created.exitCode, 0);
        QCOMPARE(fileMode(path), 0600);
        QFile key(path);
        QVERIFY(key.open(QIODevice::ReadOnly));
        const QByteArray content = key.readAll();
        key.close();
        QVERIFY(content.size() >= 32);

        const auto again = run({u"master-key"_s, u"create"_s, path});
        QVERIFY(again.exitCode != 0);
        QVERIFY(!again.err.isEmpty());
        QVERIFY(key.open(QIODevice::ReadOnly));
        QCOMPARE(key.readAll(), content);
    }

    void aServerWithAnotherMasterKeyRefusesTheDataDir()
    {
        QTemporaryDir dataDir;
        const QStringList common{u"--data-dir"_s,  dataDir.path(), u"--listen"_s,
                                 u"127.0.0.1:0"_s, u"--media"_s,   u"builtin"_s};
        {
            DirectDaemon first;
            QVERIFY2(first.start(common, cleanEnvironment()),
                     first.process.readAllStandardError().constData());
        }

        const QString otherKey = m_scratch.filePath(u"other.key"_s);
        QCOMPARE(run({u"master-key"_s, u"create"_s, otherKey}).exitCode, 0);
        DirectDaemon second;
        QVERIFY(!second.start(common + QStringList{u"--master-key-file"_s, otherKey},
                              cleanEnvironment()));
        QVERIFY(second.waitForExit());
        QCOMPARE(second.process.exitStatus(), QProcess::NormalExit);
        QVERIFY(second.process.exitCode() != 0);
        const QByteArray err = second.process.readAllStandardError();
        QVERIFY2(err.toLower().contains("master key"), err.constData());

        QCOMPARE(fileMode(dataDir.filePath(u"master.key"_s)), 0600);

        // The original key still opens it.
        DirectDaemon third;
        QVERIFY2(third.start(common, cleanEnvironment()),
                 third.process.readAllStandardError().constData());
    }

    // A command must not seal with a key the server cannot open (a webhook secret, say): it
    // is refused like a server, on either engine, and changes nothing.
    void aCommandWithAnotherMasterKeyIsRefused()
    {
        const QString otherKey = m_scratch.filePath(u"command-other.key"_s);
        QCOMPARE(run({u"master-key"_s, u"create"_s, otherKey}).exitCode, 0);
        const auto refused = run(
            {u"workspace"_s, u"create"_s, u"sealed-elsewhere"_s, u"--master-key-file"_s, otherKey});
        QVERIFY(refused.exitCode != 0);
        QVERIFY2(refused.err.contains("master key does not match"), refused.err.constData());
        QVERIFY(refused.out.isEmpty());
        // Nothing was made: the name is still free with the right key.
        const auto made = run({u"workspace"_s, u"create"_s, u"sealed-elsewhere"_s});
        QCOMPARE(made.exitCode, 0);
    }

    void listenComesFromTheFlagThenTheEnvironmentThenTheIniFile_data()
    {
        QTest::addColumn<QString>("ini");
        QTest::addColumn<bool>("environment");
        QTest::addColumn<bool>("flag");
        QTest::addColumn<QString>("winner");

        QTest::newRow("the INI file alone") << u"flag"_s << false << false << u"ini"_s;
        QTest::newRow("the INI file named by QUORUM_CONFIG")
            << u"environment"_s << false << false << u"ini"_s;
        QTest::newRow("the environment alone") << QString() << true << false << u"environment"_s;
        QTest::newRow("the environment over the INI file")
            << u"flag"_s << true << false << u"environment"_s;
        QTest::newRow("the flag over the environment and the INI file")
            << u"flag"_s << true << true << u"flag"_s;
        QTest::newRow("the flag over the INI file") << u"flag"_s << false << true << u"flag"_s;
    }

    void listenComesFromTheFlagThenTheEnvironmentThenTheIniFile()
    {
        QFETCH(QString, ini);
        QFETCH(bool, environment);
        QFETCH(bool, flag);
        QFETCH(QString, winner);

        QHash<QString, quint16> ports;
        for (const QString &source : {u"ini"_s, u"environment"_s, u"flag"_s}) {
            quint16 port = 0;
            do {
                port = freePort();
            } while (port != 0 && std::find(ports.cbegin(), ports.cend(), port) != ports.cend());
            QVERIFY(port != 0);
            ports.insert(source, port);
        }

        QTemporaryDir dataDir;
        QStringList arguments{u"--data-dir"_s, dataDir.path(), u"--media"_s, u"builtin"_s};
        QProcessEnvironment env = cleanEnvironment();
        if (!ini.isEmpty()) {
            const QString file = writeFile(dataDir.filePath(u"quorum.ini"_s),
                                           "[General]\nlisten=127.0.0.1:"
                                               + QByteArray::number(ports.value(u"ini"_s))
                                               + "\nrate-limits=off\n");
            QVERIFY(!file.isEmpty());
            if (ini == u"flag")
                arguments << u"--config"_s << file;
            else
                env.insert(u"QUORUM_CONFIG"_s, file);
        }
        if (environment)
            env.insert(u"QUORUM_LISTEN"_s, u"127.0.0.1:%1"_s.arg(ports.value(u"environment"_s)));
        if (flag)
            arguments << u"--listen"_s << u"127.0.0.1:%1"_s.arg(ports.value(u"flag"_s));

        DirectDaemon daemon;
        QVERIFY2(daemon.start(arguments, env), daemon.process.readAllStandardError().constData());
        QCOMPARE(daemon.port, ports.value(winner));
        QVERIFY2(daemon.out.contains(":" + QByteArray::number(ports.value(winner))),
                 daemon.out.constData());

        ApiClient client(u"http://127.0.0.1:%1"_s.arg(daemon.port));
        QCOMPARE(client.get(u"/healthz"_s).status, 200);
    }

    void commandsOnExistingDataRefuseADirectoryWithoutIt_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("token list") << QStringList{u"token"_s, u"list"_s, u"--user"_s, u"admin"_s};
        QTest::newRow("token revoke") << QStringList{u"token"_s, u"revoke"_s, u"tok_x"_s};
        QTest::newRow("backup") << QStringList{u"backup"_s, m_scratch.filePath(u"backups"_s)};
        QTest::newRow("user set-password") << QStringList{u"user"_s, u"set-password"_s, u"admin"_s};
    }

    void commandsOnExistingDataRefuseADirectoryWithoutIt()
    {
        QFETCH(QStringList, arguments);
        QTemporaryDir empty;
        QProcess process;
        process.setProcessEnvironment(cleanEnvironment());
        process.start(QuorumdProcess::binaryPath(),
                      arguments + QStringList{u"--data-dir"_s, empty.path()});
        QVERIFY(process.waitForFinished(10000));

        QVERIFY(process.exitCode() != 0);
        QVERIFY(process.readAllStandardError().contains("no Quorum data in"));
        QVERIFY(!QFile::exists(empty.filePath(u"quorum.db"_s)));
        QVERIFY(!QFile::exists(empty.filePath(u"master.key"_s)));
    }

    void aMissingConfigFileIsRefused()
    {
        QTemporaryDir dataDir;
        DirectDaemon daemon;
        QVERIFY(!daemon.start({u"--data-dir"_s, dataDir.path(), u"--listen"_s, u"127.0.0.1:0"_s,
                               u"--config"_s, dataDir.filePath(u"missing.ini"_s)},
                              cleanEnvironment()));
        QVERIFY(daemon.waitForExit());
        QVERIFY(daemon.process.exitCode() != 0);
        QVERIFY(!daemon.process.readAllStandardError().isEmpty());
    }

    void aConfigFileWithAnUnknownKeyIsRefused_data()
    {
        QTest::addColumn<QByteArray>("contents");
        QTest::addColumn<QByteArray>("named");
        QTest::newRow("a misspelt key") << QByteArray("lisen=127.0.0.1:0\n") << QByteArray("lisen");
        QTest::newRow("a key under a section")
            << QByteArray("[server]\nlisten=127.0.0.1:0\n") << QByteArray("server/listen");
    }

    void aConfigFileWithAnUnknownKeyIsRefused()
    {
        QFETCH(QByteArray, contents);
        QFETCH(QByteArray, named);
        QTemporaryDir dataDir;
        const QString file = writeFile(dataDir.filePath(u"quorum.ini"_s), contents);
        QVERIFY(!file.isEmpty());
        DirectDaemon daemon;
        QVERIFY(!daemon.start(
            {u"--data-dir"_s, dataDir.path(), u"--listen"_s, u"127.0.0.1:0"_s, u"--config"_s, file},
            cleanEnvironment()));
        QVERIFY(daemon.waitForExit());
        QVERIFY(daemon.process.exitCode() != 0);
        const QByteArray error = daemon.process.readAllStandardError();
        QVERIFY2(error.contains(named), error.constData());
    }

    void aBadDatabaseSettingIsRefused_data()
    {
        QTest::addColumn<QString>("database");
        QTest::addColumn<bool>("withKey");
        QTest::addColumn<QByteArray>("says");
        QTest::newRow("a password in the URL")
            << u"postgresql://quorum:secret@127.0.0.1:5432/quorum"_s << true
            << QByteArray("must not hold the password");
        QTest::newRow("no user") << u"postgresql://127.0.0.1:5432/quorum"_s << true
                                 << QByteArray("postgresql://USER@HOST:PORT/DATABASE");
        QTest::newRow("no database") << u"postgresql://quorum@127.0.0.1:5432/"_s << true
                                     << QByteArray("postgresql://USER@HOST:PORT/DATABASE");
        QTest::newRow("an unknown option")
            << u"postgresql://quorum@127.0.0.1:5432/quorum?sslmod=require"_s << true
            << QByteArray("unknown option sslmod");
        QTest::newRow("no master key file") << u"postgresql://quorum@127.0.0.1:5432/quorum"_s
                                            << false << QByteArray("--master-key-file is required");
        QTest::newRow("another engine") << u"mysql://quorum@127.0.0.1/quorum"_s << true
                                        << QByteArray("--database must be sqlite:");
    }

    // Refused before anything is opened: the message names the setting, never the password.
    void aBadDatabaseSettingIsRefused()
    {
        QFETCH(QString, database);
        QFETCH(bool, withKey);
        QFETCH(QByteArray, says);
        QTemporaryDir dataDir;
        QStringList arguments{u"--data-dir"_s,  dataDir.path(),  u"--listen"_s,
                              u"127.0.0.1:0"_s, u"--database"_s, database};
        if (withKey)
            arguments << u"--master-key-file"_s << dataDir.filePath(u"master.key"_s);
        DirectDaemon daemon;
        QVERIFY(!daemon.start(arguments, cleanEnvironment()));
        QVERIFY(daemon.waitForExit());
        QVERIFY(daemon.process.exitCode() != 0);
        const QByteArray error = daemon.process.readAllStandardError();
        QVERIFY2(error.contains(says), error.constData());
        QVERIFY2(!error.contains("secret"), error.constData());
        QVERIFY(!QFile::exists(dataDir.filePath(u"master.key"_s)));
    }

    // A PostgreSQL server that is not there fails the start at once, naming the database
    // without its password.
    void anUnreachableDatabaseFailsTheStartAndSaysWhere()
    {
        QTemporaryDir dataDir;
        QTcpServer closed; // a port that was free a moment ago, and nobody listens on now
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        QProcessEnvironment environment = cleanEnvironment();
        environment.insert(u"QUORUM_DATABASE_PASSWORD"_s, u"not-to-be-shown"_s);
        DirectDaemon daemon;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(
            !daemon.start({u"--data-dir"_s, dataDir.path(), u"--listen"_s, u"127.0.0.1:0"_s,
                           u"--database"_s, u"postgresql://quorum@127.0.0.1:%1/quorum"_s.arg(port),
                           u"--master-key-file"_s, dataDir.filePath(u"master.key"_s)},
                          environment));
        QVERIFY(daemon.waitForExit());
        QVERIFY(daemon.process.exitCode() != 0);
        QVERIFY2(timer.elapsed() < 10000, qPrintable(QString::number(timer.elapsed())));
        const QByteArray error = daemon.process.readAllStandardError();
        QVERIFY2(error.contains("Cannot connect to the database postgresql://quorum@127.0.0.1:"),
                 error.constData());
        QVERIFY2(!error.contains("not-to-be-shown"), error.constData());
    }

    void sigtermStopsTheServerWithExitCodeZero()
    {
        QTemporaryDir dataDir;
        DirectDaemon daemon;
        QVERIFY2(daemon.start({u"--data-dir"_s, dataDir.path(), u"--listen"_s, u"127.0.0.1:0"_s,
                               u"--media"_s, u"builtin"_s},
                              cleanEnvironment()),
                 daemon.process.readAllStandardError().constData());
        ApiClient client(u"http://127.0.0.1:%1"_s.arg(daemon.port));
        QCOMPARE(client.get(u"/healthz"_s).status, 200);

        daemon.process.terminate();
        QVERIFY(daemon.process.waitForFinished(15000));
        QVERIFY2(daemon.process.exitStatus() == QProcess::NormalExit,
                 daemon.process.readAllStandardError().constData());
        QCOMPARE(daemon.process.exitCode(), 0);
    }

    // A SIGTERM sent the moment the "listening" line is read (as scripts and service
    // managers do) still stops the server cleanly, however busy the machine.
    void sigtermRightAfterTheListeningLineStopsCleanly()
    {
        for (int round = 0; round < 5; ++round) {
            QTemporaryDir dataDir;
            DirectDaemon daemon;
            QVERIFY2(daemon.start({u"--data-dir"_s, dataDir.path(), u"--listen"_s, u"127.0.0.1:0"_s,
                                   u"--media"_s, u"builtin"_s},
                                  cleanEnvironment()),
                     daemon.process.readAllStandardError().constData());

            daemon.process.terminate();

            QVERIFY(daemon.process.waitForFinished(15000));
            QVERIFY2(daemon.process.exitStatus() == QProcess::NormalExit,
                     daemon.process.readAllStandardError().constData());
            QCOMPARE(daemon.process.exitCode(), 0);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
