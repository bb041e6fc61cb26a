// resources/openapi.yaml against a real quorumd: every route is described and none that is built
// is marked planned, the server serves the file byte for byte, and every answer it gives to the
// calls below (each built operation, its success and each error we can provoke) is listed for
// its operation with the fields its schema requires. The checking is done by openapi_check.py.

#include "ApiClient.h"
#include "LiveScenario.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"
#include "SignalClient.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

struct CheckerRun
{
    int exitCode = -1;
    QByteArray output;
};

const QString kPython = QStringLiteral("/usr/bin/python3");

} // namespace

class tst_OpenApi : public QObject
{
    Q_OBJECT

private:
    static QString sourcePath(const QString &relative)
    {
        return qEnvironmentVariable("QUORUM_SOURCE_DIR") + u'/' + relative;
    }

    static CheckerRun runChecker(const QStringList &arguments, const QByteArray &input = {})
    {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(kPython,
                      QStringList{sourcePath(u"tests/integration/openapi_check.py"_s)} + arguments);
        CheckerRun run;
        if (!process.waitForStarted(10000))
            return run;
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(60000)) {
            process.kill();
            process.waitForFinished(5000);
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.output = process.readAll();
        return run;
    }

    static QJsonObject newMeeting(const QString &topic = u"Planning"_s)
    {
        return {{u"topic"_s, topic},
                {u"start_time"_s, u"2031-03-30T02:30:00"_s},
                {u"timezone"_s, u"Europe/Berlin"_s},
                {u"duration_minutes"_s, 45},
                {u"passcode"_s, u"ab12*"_s},
                {u"settings"_s, QJsonObject{{u"auto_recording"_s, u"cloud"_s}}}};
    }

    QString createMeeting(const QString &topic)
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const ApiReply created = admin.post(u"/v1/meetings"_s, newMeeting(topic));
        return created.json().value(u"id").toString();
    }

    QString bearerFor(const QString &who) const
    {
        if (who == u"admin")
            return m_admin;
        if (who == u"member")
            return m_member;
        if (who == u"reader")
            return m_reader;
        if (who == u"forged")
            return u"qpat_forged"_s;
        return {};
    }

    // The front's refusals close the connection before QNetworkAccessManager can read them, so
    // they are sent over a raw socket and logged here in ApiClient's format.
    void logRawExchange(const QByteArray &method, const QString &path, const QByteArray &request,
                        int *status)
    {
        const QByteArray answer = rawExchange(m_server->port(), request);
        const qsizetype headEnd = answer.indexOf("\r\n\r\n");
        const QList<QByteArray> lines = answer.left(headEnd).split('\n');
        *status = lines.value(0).split(' ').value(1).toInt();
        QJsonObject headers;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            headers.insert(QString::fromLatin1(lines.at(i).left(colon).trimmed().toLower()),
                           QString::fromLatin1(lines.at(i).mid(colon + 1).trimmed()));
        }
        const QJsonObject line{{u"method"_s, QString::fromLatin1(method)},
                               {u"path"_s, path},
                               {u"status"_s, *status},
                               {u"headers"_s, headers},
                               {u"body"_s, QString::fromUtf8(answer.mid(headEnd + 4))}};
        QFile log(m_logPath);
        QVERIFY(log.open(QIODevice::Append | QIODevice::WriteOnly));
        log.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QTemporaryDir m_logDir;
    QString m_logPath;
    QString m_admin;
    QString m_adminId;
    QString m_member;
    QString m_reader;
    QString m_meeting;
    QString m_cancelled;
    QTcpServer m_webhookReceiver;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariableIsEmpty("QUORUM_SOURCE_DIR"),
                 "QUORUM_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)");
        QVERIFY(QFile::exists(kPython));
        QVERIFY(m_logDir.isValid());
        m_logPath = m_logDir.filePath(u"responses.jsonl"_s);
        qputenv("QUORUM_RESPONSE_LOG", QFile::encodeName(m_logPath));

        // Small join limits, so that the lockout and the 404 limit can be reached here.
        // Webhook targets are a loopback port this test holds (and never answers).
        QVERIFY(m_webhookReceiver.listen(QHostAddress::LocalHost, 0));
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--passcode-max-failures"_s, u"2"_s, u"--join-not-found-limit"_s, u"2"_s,
                        u"--webhooks-allow-private-networks"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_admin = m_server->token();
        m_server->createUser(u"bob"_s, u"default"_s);
        m_member = m_server->token(u"bob"_s);
        m_reader = m_server->token(u"admin"_s, u"default"_s, {u"meeting.read"_s});
        QVERIFY(m_admin.startsWith(u"qpat_") && m_member.startsWith(u"qpat_"));

        ApiClient admin(m_server->baseUrl(), m_admin);
        m_adminId = admin.get(u"/v1/me"_s).json().value(u"user").toObject().value(u"id").toString();
        m_meeting = createMeeting(u"Open"_s);
        m_cancelled = createMeeting(u"Called off"_s);
        QCOMPARE(admin.del(u"/v1/meetings/"_s + m_cancelled).status, 204);
        QVERIFY(!m_adminId.isEmpty() && !m_meeting.isEmpty());
    }

    void cleanupTestCase()
    {
        m_server.reset();
        qunsetenv("QUORUM_RESPONSE_LOG");
    }

    void everyRouteIsDescribed()
    {
        const QuorumdProcess::CommandResult routes = m_server->command({u"routes"_s});
        QCOMPARE(routes.exitCode, 0);
        QVERIFY(routes.out.contains("POST /v1/meetings"));

        const CheckerRun check = runChecker(
            {u"routes"_s, sourcePath(u"resources/openapi.yaml"_s), u"-"_s}, routes.out);
        QVERIFY2(check.exitCode == 0, check.output.constData());
    }

    void theServedSpecIsTheFile()
    {
        QFile file(sourcePath(u"resources/openapi.yaml"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray expected = file.readAll();

        ApiClient anonymous(m_server->baseUrl());
        const ApiReply served = anonymous.get(u"/v1/openapi.yaml"_s);
        QCOMPARE(served.status, 200);
        QCOMPARE(served.header("Content-Type"), QByteArray("application/yaml"));
        QVERIFY2(served.body == expected,
                 "GET /v1/openapi.yaml differs from resources/openapi.yaml; rebuild quorumd");
    }

    void meetingsSucceed()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const ApiReply created = admin.post(u"/v1/meetings"_s, newMeeting(u"Sync"_s),
                                            {{"Idempotency-Key", "openapi-1"}});
        QCOMPARE(created.status, 201);
        // 02:30 on 2031-03-30 does not exist in Berlin: it moves forward by the gap.
        QCOMPARE(created.json().value(u"start_time").toString(), u"2031-03-30T01:30:00Z"_s);
        const QString id = created.json().value(u"id").toString();
        QCOMPARE(
            admin.post(u"/v1/meetings"_s, newMeeting(u"Sync"_s), {{"Idempotency-Key", "openapi-1"}})
                .header("Idempotent-Replayed"),
            QByteArray("true"));

        const ApiReply read = admin.get(u"/v1/meetings/"_s + id);
        QCOMPARE(read.status, 200);
        const ApiReply patched = admin.patch(
            u"/v1/meetings/"_s + id, {{u"topic"_s, u"Sync 2"_s}, {u"passcode"_s, QJsonValue::Null}},
            {{"If-Match", read.header("ETag")}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json().value(u"has_passcode").toBool(), false);

        QCOMPARE(admin.get(u"/v1/meetings"_s).status, 200);
        const ApiReply first = admin.get(u"/v1/meetings?page_size=1"_s);
        QCOMPARE(first.status, 200);
        const QString cursor = first.json().value(u"next_cursor").toString();
        QVERIFY(!cursor.isEmpty());
        QCOMPARE(admin.get(u"/v1/meetings?page_size=1&cursor="_s + cursor).status, 200);
        QCOMPARE(admin
                     .get(u"/v1/meetings?state=SCHEDULED,CANCELLED&host="_s + m_adminId
                          + u"&from=2030-01-01T00:00:00Z&to=2040-01-01T00:00:00%2B02:00"_s)
                     .status,
                 200);

        ApiClient member(m_server->baseUrl(), m_member);
        const ApiReply notTheirs = member.get(u"/v1/meetings/"_s + m_meeting);
        QCOMPARE(notTheirs.status, 404);
        const ApiReply memberRead = member.post(u"/v1/meetings"_s, newMeeting(u"Bob's"_s));
        QCOMPARE(memberRead.status, 201);
        QVERIFY(memberRead.json().contains(u"passcode"));

        QCOMPARE(admin.del(u"/v1/meetings/"_s + id).status, 204);
        QCOMPARE(admin.get(u"/v1/meetings/"_s + id).json().value(u"state").toString(),
                 u"CANCELLED"_s);
    }

    // Without a live room the host actions stop at their checks; each operation is exercised.
    void participantsAnswer()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        ApiClient member(m_server->baseUrl(), m_member);
        const QString base = u"/v1/meetings/"_s + m_meeting;
        const QString nobody = base + u"/participants/par_nobody"_s;

        const ApiReply listed = admin.get(base + u"/participants?state=present&page_size=5"_s);
        QCOMPARE(listed.status, 200);
        QCOMPARE(admin.get(base + u"/participants?page_size=0"_s).status, 400);
        QCOMPARE(admin.get(base + u"/participants?state=gone"_s).status, 400);
        QCOMPARE(admin.get(base + u"/participants?cursor=forged"_s).code(), u"invalid_cursor"_s);
        QCOMPARE(member.get(base + u"/participants"_s).status, 404);
        QCOMPARE(member.get(base + u"/participants/stream"_s).status, 404);

        QCOMPARE(admin.patch(nobody, {{u"role"_s, u"co_host"_s}}).status, 404);
        QCOMPARE(admin.patch(nobody, {{u"role"_s, u"host"_s}}).status, 400);
        QCOMPARE(admin.del(nobody).status, 404);
        QCOMPARE(admin.post(nobody + u"/mute"_s, {{u"muted"_s, false}}).status, 404);
        QCOMPARE(admin.post(nobody + u"/mute"_s, {{u"muted"_s, 1}}).status, 400);
        QCOMPARE(admin.post(nobody + u"/admit"_s, {}).status, 404);
        const ApiReply muteAll = admin.post(base + u"/participants:muteAll"_s, {});
        QCOMPARE(muteAll.status, 409);
        QCOMPARE(muteAll.code(), u"meeting_not_live"_s);
        const ApiReply ended = admin.post(base + u":end"_s, {});
        QCOMPARE(ended.status, 409);
        QCOMPARE(ended.code(), u"meeting_not_live"_s);
        QCOMPARE(member.post(base + u":end"_s, {}).status, 404);
    }

    void joinTokensSucceed_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("role");

        QTest::newRow("the host joins without the passcode")
            << u"admin"_s << QJsonObject() << u"host"_s;
        QTest::newRow("a member joins with the passcode")
            << u"member"_s << QJsonObject{{u"passcode"_s, u"ab12*"_s}} << u"attendee"_s;
        QTest::newRow("a guest of the join page joins with the passcode")
            << QString()
            << QJsonObject{{u"guest"_s, true},
                           {u"display_name"_s, u"Zoë 🚒"_s},
                           {u"passcode"_s, u"ab12*"_s}}
            << u"attendee"_s;
        QTest::newRow("an app vouches for a guest")
            << u"admin"_s
            << QJsonObject{{u"guest"_s, true},
                           {u"display_name"_s, u"Visitor"_s},
                           {u"passcode"_s, u"ab12*"_s},
                           {u"region"_s, u"local"_s}}
            << u"attendee"_s;
    }

    void joinTokensSucceed()
    {
        QFETCH(QString, who);
        QFETCH(QJsonObject, body);
        QFETCH(QString, role);

        ApiClient client(m_server->baseUrl(), bearerFor(who));
        const ApiReply reply = client.post(u"/v1/meetings/"_s + m_meeting + u"/joinToken"_s, body);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"participant_role").toString(), role);
    }

    void accountSucceeds()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        QCOMPARE(admin.get(u"/v1/me"_s).status, 200);

        const QJsonObject input{{u"name"_s, u"ci"_s},
                                {u"scopes"_s, QJsonArray{u"meeting.read"_s}},
                                {u"expires_in_seconds"_s, 3600}};
        const ApiReply created = admin.post(u"/v1/tokens"_s, input, {{"Idempotency-Key", "tok-1"}});
        QCOMPARE(created.status, 201);
        QVERIFY(created.json().value(u"token").toString().startsWith(u"qpat_"));
        QCOMPARE(admin.post(u"/v1/tokens"_s, input, {{"Idempotency-Key", "tok-1"}}).status, 201);

        QCOMPARE(admin.get(u"/v1/tokens"_s).status, 200);
        const ApiReply first = admin.get(u"/v1/tokens?page_size=1"_s);
        QCOMPARE(first.status, 200);
        const QString cursor = first.json().value(u"next_cursor").toString();
        QVERIFY(!cursor.isEmpty());
        QCOMPARE(admin.get(u"/v1/tokens?cursor="_s + cursor).status, 200);

        const QString id = created.json().value(u"id").toString();
        QCOMPARE(admin.del(u"/v1/tokens/"_s + id).status, 204);
        QCOMPARE(admin.del(u"/v1/tokens/"_s + id).status, 404);

        const ApiReply audit = admin.get(u"/v1/audit?page_size=1"_s);
        QCOMPARE(audit.status, 200);
        QCOMPARE(admin.get(u"/v1/audit?cursor="_s + audit.json().value(u"next_cursor").toString())
                     .status,
                 200);
        ApiClient member(m_server->baseUrl(), m_member);
        QCOMPARE(member.get(u"/v1/audit"_s).status, 200);
    }

    void usersAndPagesAnswer()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        QCOMPARE(admin.get(u"/v1/users"_s).status, 200);
        const ApiReply created = admin.post(
            u"/v1/users"_s, {{u"name"_s, u"openapi-user"_s}, {u"role"_s, u"member"_s}});
        QCOMPARE(created.status, 201);
        const QString id = created.json()[u"user"_s][u"id"_s].toString();
        QCOMPARE(admin.get(u"/v1/users/"_s + id).status, 200);
        QCOMPARE(admin.patch(u"/v1/users/"_s + id, {{u"role"_s, u"admin"_s}}).status, 200);
        QCOMPARE(admin.post(u"/v1/users/"_s + id + u"/password-link"_s, {}).status, 201);
        QCOMPARE(admin.post(u"/v1/users"_s, {{u"name"_s, u""_s}, {u"role"_s, u"x"_s}}).status, 400);
        QCOMPARE(admin.get(u"/v1/admin/status"_s).status, 200);
        ApiClient member(m_server->baseUrl(), m_member);
        QCOMPARE(member.get(u"/v1/users"_s).status, 403);
        QCOMPARE(member
                     .post(u"/v1/me/password"_s,
                           {{u"current_password"_s, u"wrong password"_s},
                            {u"new_password"_s, u"a long new password"_s}})
                     .status,
                 400);

        ApiClient browser(m_server->baseUrl());
        const QList<QPair<QByteArray, QByteArray>> form{
            {"Content-Type", "application/x-www-form-urlencoded"}};
        QCOMPARE(browser.get(u"/signin"_s).status, 200);
        QCOMPARE(browser.send("POST", u"/signin"_s, "user=a&password=b", form).status, 403);
        QCOMPARE(browser.get(u"/set-password?token=nothing"_s).status, 404);
        QCOMPARE(browser.send("POST", u"/set-password"_s, "token=nothing", form).status, 404);
        QVERIFY(browser.get(u"/"_s).status != 0);
        QVERIFY(browser.get(u"/signout"_s).status != 0);
        // A repeated field is refused before any redirect (which this client would follow).
        QCOMPARE(browser.send("POST", u"/signout"_s, "csrf_token=x&csrf_token=y", form).status,
                 400);
    }

    void webhooksSucceed()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QString url = u"http://127.0.0.1:%1/hook"_s.arg(m_webhookReceiver.serverPort());
        const ApiReply created = admin.post(
            u"/v1/webhooks"_s, {{u"url"_s, url}, {u"events"_s, QJsonArray{u"meeting.started"_s}}});
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        const QString path = u"/v1/webhooks/"_s + id;

        QCOMPARE(admin.get(u"/v1/webhooks"_s).status, 200);
        const ApiReply read = admin.get(path);
        QCOMPARE(read.status, 200);
        QCOMPARE(
            admin.patch(path, {{u"enabled"_s, true}}, {{"If-Match", read.header("ETag")}}).status,
            200);
        QCOMPARE(admin.patch(path, {{u"enabled"_s, true}}, {{"If-Match", "\"v99\""}}).status, 412);
        QCOMPARE(admin.patch(path, {{u"state"_s, u"active"_s}}).status, 400);
        QCOMPARE(admin.post(path + u":rotateSecret"_s, {{u"grace_seconds"_s, 60}}).status, 200);
        QCOMPARE(admin.post(path + u":rotateSecret"_s, {{u"grace_seconds"_s, 86401}}).status, 400);
        const ApiReply ping = admin.post(path + u":test"_s, {});
        QCOMPARE(ping.status, 202);
        const QString delivery = ping.json().value(u"delivery_id").toString();
        QCOMPARE(admin.get(path + u"/deliveries"_s).status, 200);
        QCOMPARE(admin.get(path + u"/deliveries?cursor=x"_s).status, 400);
        const QString redeliver = path + u"/deliveries/"_s + delivery + u":redeliver"_s;
        QCOMPARE(admin.post(redeliver, {}).status, 409);
        QCOMPARE(admin.patch(path, {{u"enabled"_s, false}}).status, 200);
        QCOMPARE(admin.post(path + u":test"_s, {}).status, 409);
        QCOMPARE(admin.patch(path, {{u"enabled"_s, true}}).status, 200);
        QCOMPARE(admin.post(redeliver, {}).status, 202);

        const ApiReply refused
            = admin.post(u"/v1/webhooks"_s,
                         {{u"url"_s, u"https://169.254.169.254/latest/meta-data/"_s},
                          {u"events"_s, QJsonArray{u"meeting.started"_s}}});
        QCOMPARE(refused.status, 422);
        ApiClient reader(m_server->baseUrl(), m_reader);
        QCOMPARE(reader.get(u"/v1/webhooks"_s).status, 403);
        ApiClient member(m_server->baseUrl(), m_member);
        QCOMPARE(member.get(path).status, 404);
        QCOMPARE(member.get(path + u"/deliveries"_s).status, 404);
        QCOMPARE(member.post(redeliver, {}).status, 404);
        QCOMPARE(member.post(path + u":test"_s, {}).status, 404);
        QCOMPARE(member.post(path + u":rotateSecret"_s, {}).status, 404);
        QCOMPARE(member.patch(path, {{u"enabled"_s, false}}).status, 404);
        QCOMPARE(member.del(path).status, 404);

        QCOMPARE(admin.del(path, {{"If-Match", "\"v1\""}}).status, 412);
        QCOMPARE(admin.del(path).status, 204);
        QCOMPARE(admin.get(path).status, 404);
    }

    void appsAndOAuthAnswer()
    {
        m_server->createUser(u"olivia"_s, u"default"_s, u"admin"_s);
        ApiClient admin(m_server->baseUrl(), m_server->token(u"olivia"_s));
        const QString redirect = u"https://app.example.com/callback"_s;
        const ApiReply created = admin.post(u"/v1/apps"_s,
                                            {{u"name"_s, u"Calendar"_s},
                                             {u"client_type"_s, u"confidential"_s},
                                             {u"redirect_uris"_s, QJsonArray{redirect}},
                                             {u"scopes"_s, QJsonArray{u"meeting.read"_s}},
                                             {u"listed"_s, true}});
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        const QString clientId = created.json().value(u"client_id").toString();
        const QString secret = created.json().value(u"client_secret").toString();
        const QString path = u"/v1/apps/"_s + id;
        QCOMPARE(admin.post(u"/v1/apps"_s, {{u"name"_s, u""_s}}).status, 400);
        QCOMPARE(admin.get(u"/v1/apps"_s).status, 200);
        QCOMPARE(admin.get(path).status, 200);
        QCOMPARE(admin.get(u"/v1/apps/app_0000000000000000000000"_s).status, 404);
        QCOMPARE(admin.patch(path, {{u"description"_s, u"Meetings in your calendar"_s}}).status,
                 200);
        QCOMPARE(admin.patch(path, {{u"name"_s, u"x"_s}}, {{"If-Match", "\"v9\""}}).status, 412);
        QCOMPARE(admin.post(path + u"/installation"_s, {}).status, 201);
        QCOMPARE(
            admin.post(path + u"/installation"_s, {{u"scopes"_s, QJsonArray{u"meeting.read"_s}}})
                .status,
            200);
        QCOMPARE(admin.get(u"/v1/marketplace"_s).status, 200);
        QCOMPARE(ApiClient(m_server->baseUrl(), m_member).get(u"/v1/marketplace"_s).status, 403);

        OAuthFlow flow(m_server->baseUrl());
        QCOMPARE(flow.client().get(u"/.well-known/oauth-authorization-server"_s).status, 200);
        // The sign-in pages are described and checked with their own operations.
        qunsetenv("QUORUM_RESPONSE_LOG");
        const QByteArray cookie = flow.signIn(u"default"_s, u"olivia"_s);
        qputenv("QUORUM_RESPONSE_LOG", QFile::encodeName(m_logPath));
        QVERIFY(!cookie.isEmpty());
        const QList<QPair<QString, QString>> parameters{{u"response_type"_s, u"code"_s},
                                                        {u"client_id"_s, clientId},
                                                        {u"redirect_uri"_s, redirect},
                                                        {u"state"_s, u"s"_s}};
        // A browser that is not signed in (the flow above now holds the session cookie).
        QCOMPARE(OAuthFlow(m_server->baseUrl()).authorize(parameters).status, 303);
        QCOMPARE(flow.authorize({{u"client_id"_s, clientId}}).status, 400);
        const ApiReply approved = flow.decide(parameters, cookie);
        QCOMPARE(approved.status, 303);
        const ApiReply forged = flow.client().send(
            "POST", u"/oauth/authorize"_s,
            OAuthFlow::formEncode(parameters
                                  + QList<QPair<QString, QString>>{{u"csrf_token"_s, u"x"_s},
                                                                   {u"decision"_s, u"approve"_s}}),
            {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
        QCOMPARE(forged.status, 403);

        const ApiReply tokens
            = flow.post(u"/oauth/token"_s,
                        {{u"grant_type"_s, u"authorization_code"_s},
                         {u"code"_s, OAuthFlow::locationQuery(approved).value(u"code"_s)},
                         {u"redirect_uri"_s, redirect}},
                        clientId, secret);
        QCOMPARE(tokens.status, 200);
        QCOMPARE(flow.post(u"/oauth/token"_s, {{u"grant_type"_s, u"password"_s}}, clientId, secret)
                     .status,
                 400);
        QCOMPARE(flow.post(u"/oauth/token"_s, {{u"grant_type"_s, u"client_credentials"_s}},
                           clientId, u"wrong"_s)
                     .status,
                 401);
        const QString access = tokens.json().value(u"access_token").toString();
        QCOMPARE(flow.post(u"/oauth/introspect"_s, {{u"token"_s, access}}, clientId, secret).status,
                 200);
        QCOMPARE(flow.post(u"/oauth/introspect"_s, {}, clientId, secret).status, 400);
        QCOMPARE(flow.post(u"/oauth/introspect"_s, {{u"token"_s, access}}).status, 401);
        QCOMPARE(flow.post(u"/oauth/revoke"_s, {{u"token"_s, access}}, clientId, secret).status,
                 200);
        QCOMPARE(flow.post(u"/oauth/revoke"_s, {}, clientId, secret).status, 400);
        QCOMPARE(flow.post(u"/oauth/revoke"_s, {{u"token"_s, access}}).status, 401);

        QCOMPARE(admin.del(path + u"/installation"_s).status, 204);
        QCOMPARE(admin.del(path + u"/installation"_s).status, 404);
        QCOMPARE(admin.del(path, {{"If-Match", "\"v1\""}}).status, 412);
        QCOMPARE(admin.del(path).status, 204);
    }

    // On this server's builtin media plane recordings stop at their checks: every refusal of
    // the recording routes, and the signed link's.
    void recordingsAreRefused()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QString base = u"/v1/meetings/"_s + m_meeting + u"/recordings"_s;
        const ApiReply notLive = admin.post(base + u":start"_s, {});
        QCOMPARE(notLive.status, 409);
        QCOMPARE(notLive.code(), u"meeting_not_live"_s);
        QCOMPARE(admin.post(base + u":stop"_s, {}).code(), u"meeting_not_live"_s);
        QCOMPARE(admin.post(base + u":start"_s, {{u"mode"_s, u"cloud"_s}}).code(),
                 u"unknown_field"_s);
        QCOMPARE(ApiClient(m_server->baseUrl(), m_reader).post(base + u":start"_s, {}).code(),
                 u"insufficient_scope"_s);
        ApiClient member(m_server->baseUrl(), m_member);
        QCOMPARE(member.post(base + u":stop"_s, {}).status, 404);
        QCOMPARE(member.get(base).status, 404);

        const ApiReply listed = admin.get(base + u"?page_size=5"_s);
        QCOMPARE(listed.status, 200);
        QVERIFY(listed.json().value(u"recordings"_s).toArray().isEmpty());
        QCOMPARE(admin.get(base + u"?state=completed"_s).code(), u"invalid_parameter"_s);
        QCOMPARE(admin.get(base + u"?cursor=forged"_s).code(), u"invalid_cursor"_s);
        const QString unknown = u"/v1/recordings/rec_0000000000000000000000"_s;
        QCOMPARE(admin.get(unknown).status, 404);
        QCOMPARE(admin.del(unknown).status, 404);
        QCOMPARE(ApiClient(m_server->baseUrl()).get(unknown).status, 401);

        ApiClient anonymous(m_server->baseUrl());
        const ApiReply unsignedLink = anonymous.get(unknown + u"/files/fil_x?expires=1&sig=x"_s);
        QCOMPARE(unsignedLink.status, 403);
        QCOMPARE(unsignedLink.code(), u"invalid_signature"_s);

        // A LIVE meeting on a plane that cannot capture; not an auto_recording one, so that
        // this request is the only attempt to record it.
        QJsonObject body = newMeeting(u"Live, unrecordable"_s);
        body.insert(u"settings"_s, QJsonObject{{u"auto_recording"_s, u"none"_s}});
        const QString live = admin.post(u"/v1/meetings"_s, body).json().value(u"id"_s).toString();
        const ApiReply token
            = admin.post(u"/v1/meetings/"_s + live + u"/joinToken"_s, QJsonObject{});
        QCOMPARE(token.status, 200);
        SignalClient host;
        QVERIFY(host.open(m_server->port()));
        QCOMPARE(host.join(token.json().value(u"jwt"_s).toString()).value(u"type"_s).toString(),
                 u"joined"_s);
        const ApiReply unavailable
            = admin.post(u"/v1/meetings/"_s + live + u"/recordings:start"_s, {});
        QCOMPARE(unavailable.status, 409);
        QCOMPARE(unavailable.code(), u"capture_unavailable"_s);
        QCOMPARE(admin.post(u"/v1/meetings/"_s + live + u"/recordings:stop"_s, {}).code(),
                 u"not_recording"_s);
        QCOMPARE(admin.post(u"/v1/meetings/"_s + live + u":end"_s, {}).status, 200);
    }

    // A whole recording on the test build's capturing plane: the answers that carry a
    // Recording, its files (whole, in part, past the end) and the timeline.
    void recordingsSucceed()
    {
        LiveScenario live({u"--media"_s, u"test-capture"_s, u"--rate-limits"_s, u"off"_s,
                           u"--recording-min-free"_s, u"0"_s});
        live.server().useTestBuild();
        QVERIFY2(live.start(), live.server().standardError().constData());
        ApiClient admin = live.api();
        const QString meeting = live.createMeeting(false);
        QVERIFY(!meeting.isEmpty());
        QJsonObject answer;
        const auto host = live.join(u"admin"_s, meeting, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const QString base = u"/v1/meetings/"_s + meeting + u"/recordings"_s;

        const ApiReply started = admin.post(base + u":start"_s, {});
        QCOMPARE(started.status, 202);
        const QString id = started.json().value(u"recording_id"_s).toString();
        QCOMPARE(host->waitFor(u"recording_started"_s).value(u"recording_id"_s).toString(), id);
        QCOMPARE(admin.post(base + u":start"_s, {}).code(), u"recording_active"_s);
        QCOMPARE(live.meeting(meeting)[u"live"_s][u"recording"_s][u"id"_s].toString(), id);
        QCOMPARE(admin.get(u"/v1/recordings/"_s + id).json().value(u"state"_s).toString(),
                 u"recording"_s);
        QCOMPARE(admin.del(u"/v1/recordings/"_s + id).code(), u"recording_active"_s);

        const ApiReply stopped = admin.post(base + u":stop"_s, {});
        QCOMPARE(stopped.status, 202);
        QCOMPARE(stopped.json().value(u"state"_s).toString(), u"processing"_s);
        QCOMPARE(host->waitFor(u"recording_stopped"_s).value(u"reason"_s).toString(), u"stopped"_s);
        QCOMPARE(admin.post(base + u":stop"_s, {}).code(), u"not_recording"_s);

        QJsonObject recording;
        QTRY_VERIFY_WITH_TIMEOUT(
            (recording = admin.get(u"/v1/recordings/"_s + id).json()).value(u"state"_s).toString()
                == u"completed",
            60000);
        QCOMPARE(admin.get(base).json().value(u"recordings"_s).toArray().size(), 1);

        const QJsonArray files = recording.value(u"files"_s).toArray();
        QCOMPARE(files.size(), 3);
        ApiClient anonymous(live.server().baseUrl());
        for (const QJsonValue &file : files) {
            const QUrl url(file.toObject().value(u"url"_s).toString());
            const QString link = url.path() + u'?' + url.query(QUrl::FullyEncoded);
            QCOMPARE(anonymous.get(link).status, 200);
            QCOMPARE(anonymous.get(link, {{"Range", "bytes=0-9"}}).status, 206);
            QCOMPARE(anonymous.get(link, {{"Range", "bytes=999999999-"}}).status, 416);
        }

        QCOMPARE(admin.del(u"/v1/recordings/"_s + id, {{"If-Match", "\"v999\""}}).status, 412);
        QCOMPARE(admin.del(u"/v1/recordings/"_s + id).status, 204);
        QCOMPARE(admin.get(u"/v1/recordings/"_s + id).status, 404);
    }

    // The join page, its files, and the exchange of a signed-in session for a host's token.
    void joinPageAnswers()
    {
        m_server->createUser(u"hana"_s, u"default"_s);
        ApiClient hana(m_server->baseUrl(), m_server->token(u"hana"_s));
        const QString meeting
            = hana.post(u"/v1/meetings"_s, newMeeting(u"Hana's"_s)).json().value(u"id").toString();
        QVERIFY(!meeting.isEmpty());
        const QString page = u"/j/"_s + meeting;
        const QString exchange = page + u"/token"_s;
        const QList<QPair<QByteArray, QByteArray>> json{{"Content-Type", "application/json"}};

        ApiClient anonymous(m_server->baseUrl());
        const ApiReply guestPage = anonymous.get(page);
        QCOMPARE(guestPage.status, 200);
        QVERIFY(guestPage.body.contains("data-as=\"guest\""));
        QVERIFY(!guestPage.body.contains("data-csrf-token"));
        QVERIFY(guestPage.header("Content-Security-Policy").contains("script-src 'self'"));
        QCOMPARE(anonymous.get(u"/assets/join.js"_s).status, 200);
        QCOMPARE(anonymous.get(u"/assets/join.css"_s).status, 200);
        const ApiReply noSession = anonymous.send("POST", exchange, "{}", json);
        QCOMPARE(noSession.status, 401);
        QCOMPARE(noSession.code(), u"sign_in_required"_s);

        OAuthFlow browser(m_server->baseUrl());
        qunsetenv("QUORUM_RESPONSE_LOG"); // the sign-in pages are checked elsewhere
        const QByteArray cookie = browser.signIn(u"default"_s, u"hana"_s);
        qputenv("QUORUM_RESPONSE_LOG", QFile::encodeName(m_logPath));
        QVERIFY(!cookie.isEmpty());
        const ApiReply hostPage = anonymous.get(page + u"?as=host"_s, {{"Cookie", cookie}});
        QCOMPARE(hostPage.status, 200);
        const QRegularExpression csrfAttribute(u"data-csrf-token=\"([^\"]+)\""_s);
        const QString csrf = csrfAttribute.match(QString::fromUtf8(hostPage.body)).captured(1);
        QVERIFY(!csrf.isEmpty());

        auto post = [&](const QJsonObject &body) {
            return anonymous.send("POST", exchange, QJsonDocument(body).toJson(),
                                  json + QList<QPair<QByteArray, QByteArray>>{{"Cookie", cookie}});
        };
        const ApiReply noToken = post({});
        QCOMPARE(noToken.status, 403);
        QCOMPARE(noToken.code(), u"csrf_failed"_s);
        QCOMPARE(noToken.errorFields(), QStringList{u"csrf_token"_s});
        QCOMPARE(post({{u"csrf_token"_s, u"forged"_s}}).code(), u"csrf_failed"_s);
        const ApiReply unknown = post({{u"csrf_token"_s, csrf}, {u"guest"_s, true}});
        QCOMPARE(unknown.status, 400);
        QCOMPARE(unknown.code(), u"unknown_field"_s);
        const ApiReply granted = post({{u"csrf_token"_s, csrf}});
        QCOMPARE(granted.status, 200);
        QCOMPARE(granted.json().value(u"participant_role"_s).toString(), u"host"_s);
        QCOMPARE(granted.header("Cache-Control"), QByteArray("no-store"));

        // Another user of the workspace gets what their own bearer token would: the attendee
        // role, and the passcode that only those who may change the meeting are excused from.
        OAuthFlow member(m_server->baseUrl());
        qunsetenv("QUORUM_RESPONSE_LOG");
        const QByteArray bobCookie = member.signIn(u"default"_s, u"bob"_s);
        qputenv("QUORUM_RESPONSE_LOG", QFile::encodeName(m_logPath));
        const QString bobCsrf
            = csrfAttribute
                  .match(QString::fromUtf8(
                      anonymous.get(page + u"?as=host"_s, {{"Cookie", bobCookie}}).body))
                  .captured(1);
        QVERIFY(!bobCsrf.isEmpty() && bobCsrf != csrf);
        auto bobPost = [&](const QJsonObject &body) {
            return anonymous.send(
                "POST", exchange, QJsonDocument(body).toJson(),
                json + QList<QPair<QByteArray, QByteArray>>{{"Cookie", bobCookie}});
        };
        const ApiReply withoutPasscode = bobPost({{u"csrf_token"_s, bobCsrf}});
        QCOMPARE(withoutPasscode.status, 403);
        QCOMPARE(withoutPasscode.code(), u"wrong_passcode"_s);
        // Each session has its own CSRF token: Hana's does not pass with Bob's cookie.
        QCOMPARE(bobPost({{u"csrf_token"_s, csrf}}).code(), u"csrf_failed"_s);
        const ApiReply attendee
            = bobPost({{u"csrf_token"_s, bobCsrf}, {u"passcode"_s, u"ab12*"_s}});
        QCOMPARE(attendee.status, 200);
        QCOMPARE(attendee.json().value(u"participant_role"_s).toString(), u"attendee"_s);
    }

    void systemRoutesAnswer_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("status");

        QTest::newRow("liveness") << u"/healthz"_s << 200;
        QTest::newRow("readiness") << u"/readyz"_s << 200;
        QTest::newRow("metrics") << u"/metrics"_s << 200;
        QTest::newRow("the key set") << u"/.well-known/jwks.json"_s << 200;
        QTest::newRow("the signalling endpoint without an upgrade") << u"/v1/signal"_s << 426;
        QTest::newRow("an unknown path") << u"/v1/nothing-here"_s << 404;
        QTest::newRow("the join page, whatever the meeting")
            << u"/j/mtg_0000000000000000000000"_s << 200;
    }

    void systemRoutesAnswer()
    {
        QFETCH(QString, path);
        QFETCH(int, status);

        ApiClient anonymous(m_server->baseUrl());
        QCOMPARE(anonymous.get(path).status, status);
    }

    void errorsAreAnswered_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("header"); // "Name: value" or empty
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");

        const QByteArray json = "application/json";
        const QByteArray patch = "application/merge-patch+json";
        const QByteArray validMeeting = R"({"topic":"x","start_time":"2031-01-01T00:00:00Z",)"
                                        R"("duration_minutes":5})";
        auto row = [](const char *name) -> QTestData & { return QTest::newRow(name); };

        // POST /v1/meetings
        row("a meeting without a token")
            << QString() << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray() << 401 << u"unauthorized"_s;
        row("a meeting with a forged token")
            << u"forged"_s << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray() << 401 << u"unauthorized"_s;
        row("a meeting with a Basic authorization")
            << QString() << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray("Authorization: Basic YTpi") << 401 << u"unauthorized"_s;
        row("a meeting from a read-only token")
            << u"reader"_s << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray() << 403 << u"insufficient_scope"_s;
        row("a meeting whose body is not JSON")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s << json << QByteArray("{x")
            << QByteArray() << 400 << u"invalid_request"_s;
        row("a meeting with a typo in a field")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s << json
            << QByteArray(R"({"topic":"x","start_time":"2031-01-01T00:00:00Z",)"
                          R"("duration_minutes":5,"waitingroom":true})")
            << QByteArray() << 400 << u"unknown_field"_s;
        row("a meeting in the past")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s << json
            << QByteArray(R"({"topic":"x","start_time":"2001-01-01T00:00:00Z",)"
                          R"("duration_minutes":5})")
            << QByteArray() << 400 << u"validation_failed"_s;
        row("a meeting sent as a form")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s
            << QByteArray("application/x-www-form-urlencoded") << QByteArray("topic=x")
            << QByteArray() << 415 << u"unsupported_media_type"_s;
        row("a meeting with an Idempotency-Key that is too long")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray("Idempotency-Key: ") + QByteArray(256, 'k') << 400
            << u"invalid_request"_s;
        row("a meeting whose Idempotency-Key was used for another body")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray("Idempotency-Key: openapi-1") << 422 << u"idempotency_key_reused"_s;
        row("a member scheduling for another host")
            << u"member"_s << QByteArray("POST") << u"/v1/meetings"_s << json
            << QByteArray(R"({"topic":"x","start_time":"2031-01-01T00:00:00Z",)"
                          R"("duration_minutes":5,"host_id":"{admin}"})")
            << QByteArray() << 403 << u"forbidden"_s;
        row("a request line over 8 KiB")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings?host="_s + QString(9000, u'a')
            << QByteArray() << QByteArray() << QByteArray() << 414 << u"uri_too_long"_s;
        row("a header over 16 KiB")
            << u"admin"_s << QByteArray("GET") << u"/v1/me"_s << QByteArray() << QByteArray()
            << QByteArray("X-Padding: " + QByteArray(20 * 1024, 'p')) << 431
            << u"headers_too_large"_s;
        row("a method the path does not have")
            << u"admin"_s << QByteArray("PUT") << u"/v1/meetings"_s << json << validMeeting
            << QByteArray() << 405 << u"method_not_allowed"_s;

        // GET /v1/meetings
        row("a list without a token")
            << QString() << QByteArray("GET") << u"/v1/meetings"_s << QByteArray() << QByteArray()
            << QByteArray() << 401 << u"unauthorized"_s;
        row("a list from a token without meeting.read")
            << u"joinOnly"_s << QByteArray("GET") << u"/v1/meetings"_s << QByteArray()
            << QByteArray() << QByteArray() << 403 << u"insufficient_scope"_s;
        row("a list with a page size of zero")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings?page_size=0"_s << QByteArray()
            << QByteArray() << QByteArray() << 400 << u"invalid_parameter"_s;
        row("a list filtered by a state that does not exist")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings?state=PAUSED"_s << QByteArray()
            << QByteArray() << QByteArray() << 400 << u"invalid_parameter"_s;
        row("a list with a tampered cursor")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings?cursor=AAAAAAAAAAAAAAAAAAAAAAAA"_s
            << QByteArray() << QByteArray() << QByteArray() << 400 << u"invalid_cursor"_s;
        row("a list with a body") << u"admin"_s << QByteArray("GET") << u"/v1/meetings"_s << json
                                  << QByteArray(R"({"a":1})") << QByteArray() << 400
                                  << u"invalid_request"_s;

        // GET, PATCH, DELETE /v1/meetings/{id}
        row("a meeting that does not exist")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings/mtg_doesNotExist"_s << QByteArray()
            << QByteArray() << QByteArray() << 404 << u"not_found"_s;
        row("a meeting read without a token")
            << QString() << QByteArray("GET") << u"/v1/meetings/{meeting}"_s << QByteArray()
            << QByteArray() << QByteArray() << 401 << u"unauthorized"_s;
        row("a meeting read by a token without meeting.read")
            << u"joinOnly"_s << QByteArray("GET") << u"/v1/meetings/{meeting}"_s << QByteArray()
            << QByteArray() << QByteArray() << 403 << u"insufficient_scope"_s;
        row("a meeting read with a body")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings/{meeting}"_s << json
            << QByteArray(R"({"a":1})") << QByteArray() << 400 << u"invalid_request"_s;
        row("a patch with a stale If-Match")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"topic":"y"})") << QByteArray("If-Match: \"v999\"") << 412
            << u"precondition_failed"_s;
        row("a patch of the host")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"host_id":"usr_x"})") << QByteArray() << 400 << u"unknown_field"_s;
        row("a patch with a duration over a day")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"duration_minutes":1441})") << QByteArray() << 400
            << u"validation_failed"_s;
        row("a patch that is not JSON")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray("[1]") << QByteArray() << 400 << u"invalid_request"_s;
        row("a patch sent as text")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s
            << QByteArray("text/plain") << QByteArray("topic") << QByteArray() << 415
            << u"unsupported_media_type"_s;
        row("a patch of a cancelled meeting")
            << u"admin"_s << QByteArray("PATCH") << u"/v1/meetings/{cancelled}"_s << patch
            << QByteArray(R"({"topic":"y"})") << QByteArray() << 409 << u"meeting_closed"_s;
        row("a patch of a meeting the caller may not see")
            << u"member"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"topic":"y"})") << QByteArray() << 404 << u"not_found"_s;
        row("a patch from a read-only token")
            << u"reader"_s << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"topic":"y"})") << QByteArray() << 403 << u"insufficient_scope"_s;
        row("a patch without a token")
            << QString() << QByteArray("PATCH") << u"/v1/meetings/{meeting}"_s << patch
            << QByteArray(R"({"topic":"y"})") << QByteArray() << 401 << u"unauthorized"_s;
        row("a cancellation with a stale If-Match")
            << u"admin"_s << QByteArray("DELETE") << u"/v1/meetings/{meeting}"_s << QByteArray()
            << QByteArray() << QByteArray("If-Match: \"v999\"") << 412 << u"precondition_failed"_s;
        row("a second cancellation")
            << u"admin"_s << QByteArray("DELETE") << u"/v1/meetings/{cancelled}"_s << QByteArray()
            << QByteArray() << QByteArray() << 409 << u"meeting_closed"_s;
        row("a cancellation with a body")
            << u"admin"_s << QByteArray("DELETE") << u"/v1/meetings/{meeting}"_s << json
            << QByteArray(R"({"why":"x"})") << QByteArray() << 400 << u"invalid_request"_s;
        row("a cancellation of a meeting that does not exist")
            << u"admin"_s << QByteArray("DELETE") << u"/v1/meetings/mtg_doesNotExist"_s
            << QByteArray() << QByteArray() << QByteArray() << 404 << u"not_found"_s;
        row("a cancellation from a read-only token")
            << u"reader"_s << QByteArray("DELETE") << u"/v1/meetings/{meeting}"_s << QByteArray()
            << QByteArray() << QByteArray() << 403 << u"insufficient_scope"_s;
        row("a cancellation without a token")
            << QString() << QByteArray("DELETE") << u"/v1/meetings/{meeting}"_s << QByteArray()
            << QByteArray() << QByteArray() << 401 << u"unauthorized"_s;

        // POST /v1/meetings/{id}/joinToken
        const QString join = u"/v1/meetings/{meeting}/joinToken"_s;
        row("a join without a token that is not a guest")
            << QString() << QByteArray("POST") << join << json << QByteArray("{}") << QByteArray()
            << 401 << u"unauthorized"_s;
        row("a join with a forged token") << u"forged"_s << QByteArray("POST") << join << json
                                          << QByteArray(R"({"guest":true,"display_name":"x"})")
                                          << QByteArray() << 401 << u"unauthorized"_s;
        row("a guest join without a display name")
            << QString() << QByteArray("POST") << join << json << QByteArray(R"({"guest":true})")
            << QByteArray() << 400 << u"validation_failed"_s;
        row("a join with an unknown field")
            << u"admin"_s << QByteArray("POST") << join << json << QByteArray(R"({"nick":"x"})")
            << QByteArray() << 400 << u"unknown_field"_s;
        row("a join sent as a form")
            << u"admin"_s << QByteArray("POST") << join << QByteArray("text/plain")
            << QByteArray("guest") << QByteArray() << 415 << u"unsupported_media_type"_s;
        row("a join from a token without meeting.join")
            << u"reader"_s << QByteArray("POST") << join << json << QByteArray("{}") << QByteArray()
            << 403 << u"insufficient_scope"_s;
        row("a member's join without the passcode")
            << u"member"_s << QByteArray("POST") << join << json << QByteArray("{}") << QByteArray()
            << 403 << u"wrong_passcode"_s;
        row("a join to a meeting that does not exist")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings/mtg_doesNotExist/joinToken"_s
            << json << QByteArray("{}") << QByteArray() << 404 << u"not_found"_s;
        row("a join to a cancelled meeting")
            << u"admin"_s << QByteArray("POST") << u"/v1/meetings/{cancelled}/joinToken"_s << json
            << QByteArray("{}") << QByteArray() << 410 << u"meeting_cancelled"_s;

        // /v1/me, /v1/tokens, /v1/audit
        row("me without a token") << QString() << QByteArray("GET") << u"/v1/me"_s << QByteArray()
                                  << QByteArray() << QByteArray() << 401 << u"unauthorized"_s;
        row("me with a body") << u"admin"_s << QByteArray("GET") << u"/v1/me"_s << json
                              << QByteArray(R"({"a":1})") << QByteArray() << 400
                              << u"invalid_request"_s;
        row("a token list without a token")
            << QString() << QByteArray("GET") << u"/v1/tokens"_s << QByteArray() << QByteArray()
            << QByteArray() << 401 << u"unauthorized"_s;
        row("a token list with a page size over 300")
            << u"admin"_s << QByteArray("GET") << u"/v1/tokens?page_size=301"_s << QByteArray()
            << QByteArray() << QByteArray() << 400 << u"invalid_parameter"_s;
        row("a token list with a cursor of the meetings list")
            << u"admin"_s << QByteArray("GET") << u"/v1/tokens?cursor={meetingsCursor}"_s
            << QByteArray() << QByteArray() << QByteArray() << 400 << u"invalid_cursor"_s;
        row("a token with a scope its creator lacks")
            << u"reader"_s << QByteArray("POST") << u"/v1/tokens"_s << json
            << QByteArray(R"({"name":"x","scopes":["meeting.write"]})") << QByteArray() << 400
            << u"validation_failed"_s;
        row("a token with an unknown field")
            << u"admin"_s << QByteArray("POST") << u"/v1/tokens"_s << json
            << QByteArray(R"({"name":"x","scopes":[],"ttl":5})") << QByteArray() << 400
            << u"unknown_field"_s;
        row("a token sent as a form")
            << u"admin"_s << QByteArray("POST") << u"/v1/tokens"_s
            << QByteArray("application/x-www-form-urlencoded") << QByteArray("name=x")
            << QByteArray() << 415 << u"unsupported_media_type"_s;
        row("a token without a token") << QString() << QByteArray("POST") << u"/v1/tokens"_s << json
                                       << QByteArray(R"({"name":"x","scopes":[]})") << QByteArray()
                                       << 401 << u"unauthorized"_s;
        row("a token whose Idempotency-Key was used for another body")
            << u"admin"_s << QByteArray("POST") << u"/v1/tokens"_s << json
            << QByteArray(R"({"name":"other","scopes":[]})") << QByteArray("Idempotency-Key: tok-1")
            << 422 << u"idempotency_key_reused"_s;
        row("a revocation of another user's token")
            << u"member"_s << QByteArray("DELETE") << u"/v1/tokens/{adminToken}"_s << QByteArray()
            << QByteArray() << QByteArray() << 404 << u"not_found"_s;
        row("a revocation with a body")
            << u"admin"_s << QByteArray("DELETE") << u"/v1/tokens/tok_x"_s << json
            << QByteArray(R"({"a":1})") << QByteArray() << 400 << u"invalid_request"_s;
        row("a revocation without a token")
            << QString() << QByteArray("DELETE") << u"/v1/tokens/tok_x"_s << QByteArray()
            << QByteArray() << QByteArray() << 401 << u"unauthorized"_s;
        row("an audit read without a token")
            << QString() << QByteArray("GET") << u"/v1/audit"_s << QByteArray() << QByteArray()
            << QByteArray() << 401 << u"unauthorized"_s;
        row("an audit read with a page size that is not a number")
            << u"admin"_s << QByteArray("GET") << u"/v1/audit?page_size=ten"_s << QByteArray()
            << QByteArray() << QByteArray() << 400 << u"invalid_parameter"_s;

        // Public routes
        row("liveness with a body")
            << QString() << QByteArray("GET") << u"/healthz"_s << json << QByteArray(R"({"a":1})")
            << QByteArray() << 400 << u"invalid_request"_s;
        row("an encoded slash in a path")
            << u"admin"_s << QByteArray("GET") << u"/v1/meetings/mtg_a%2Fb"_s << QByteArray()
            << QByteArray() << QByteArray() << 404 << u"not_found"_s;
    }

    void errorsAreAnswered()
    {
        QFETCH(QString, who);
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, header);
        QFETCH(int, status);
        QFETCH(QString, code);

        // Values only known at run time.
        ApiClient admin(m_server->baseUrl(), m_admin);
        if (path.contains(u"{meetingsCursor}"))
            path.replace(
                u"{meetingsCursor}"_s,
                admin.get(u"/v1/meetings?page_size=1"_s).json().value(u"next_cursor").toString());
        if (path.contains(u"{adminToken}"))
            path.replace(u"{adminToken}"_s,
                         admin.get(u"/v1/tokens?page_size=1"_s)
                             .json()
                             .value(u"tokens")
                             .toArray()
                             .first()
                             .toObject()
                             .value(u"id")
                             .toString());
        path.replace(u"{meeting}"_s, m_meeting).replace(u"{cancelled}"_s, m_cancelled);
        body.replace("{admin}", m_adminId.toLatin1());
        if (header.startsWith("Idempotency-Key: openapi-join"))
            admin.post(u"/v1/meetings/"_s + m_meeting + u"/joinToken"_s, {{u"region"_s, u"a"_s}},
                       {{"Idempotency-Key", "openapi-join"}});

        QString bearer = bearerFor(who);
        if (who == u"joinOnly")
            bearer = m_server->token(u"admin"_s, u"default"_s, {u"meeting.join"_s});
        ApiClient client(m_server->baseUrl(), bearer);
        Headers headers;
        if (!contentType.isEmpty())
            headers.append({"Content-Type", contentType});
        if (!header.isEmpty()) {
            const qsizetype colon = header.indexOf(':');
            headers.append({header.left(colon), header.mid(colon + 1).trimmed()});
        }
        const ApiReply reply = client.send(method, path, body, headers);

        QCOMPARE(reply.status, status);
        QCOMPARE(reply.code(), code);
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
    }

    void theFrontRefusesBodiesItCannotTake_data()
    {
        QTest::addColumn<QByteArray>("framing");
        QTest::addColumn<int>("status");

        QTest::newRow("a chunked body") << QByteArray("Transfer-Encoding: chunked\r\n") << 411;
        QTest::newRow("a body over 64 KiB") << QByteArray("Content-Length: 100000\r\n") << 413;
    }

    void theFrontRefusesBodiesItCannotTake()
    {
        QFETCH(QByteArray, framing);
        QFETCH(int, status);

        const QByteArray request = "POST /v1/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Authorization: Bearer "
            + m_admin.toLatin1() + "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
        int answered = 0;
        logRawExchange("POST", u"/v1/meetings"_s, request, &answered);
        QCOMPARE(answered, status);
    }

    void joinLimitsAnswer429()
    {
        ApiClient locked(m_server->baseUrl(), m_server->token());
        const QString join = u"/v1/meetings/"_s + m_meeting + u"/joinToken"_s;
        const QJsonObject wrong{{u"passcode"_s, u"wrong"_s}};
        QCOMPARE(locked.post(join, wrong).code(), u"wrong_passcode"_s);
        QCOMPARE(locked.post(join, wrong).code(), u"wrong_passcode"_s);
        const ApiReply lockedOut = locked.post(join, {{u"passcode"_s, u"ab12*"_s}});
        QCOMPARE(lockedOut.status, 429);
        QCOMPARE(lockedOut.code(), u"passcode_locked_out"_s);
        QVERIFY(!lockedOut.header("Retry-After").isEmpty());

        // The 404 limit counts per user: a user of its own, unused by the other cases.
        m_server->createUser(u"prober"_s, u"default"_s);
        ApiClient prober(m_server->baseUrl(), m_server->token(u"prober"_s));
        const QString unknown = u"/v1/meetings/mtg_guess/joinToken"_s;
        QCOMPARE(prober.post(unknown, {}).status, 404);
        QCOMPARE(prober.post(unknown, {}).status, 404);
        const ApiReply limited = prober.post(unknown, {});
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.code(), u"rate_limited"_s);
    }

    void generalLimitsAnswer429()
    {
        // A server of its own: the address limit counts every API request, whatever the route;
        // health, readiness, metrics, the JWKS and this description are never limited.
        QuorumdProcess tight({u"--rate-limit-per-address"_s, u"2"_s});
        QVERIFY2(tight.start(), tight.standardError().constData());
        const QString meeting = u"/v1/meetings/mtg_x"_s;
        ApiClient client(tight.baseUrl(), tight.token());
        QCOMPARE(client.get(u"/v1/me"_s).status, 200);
        QVERIFY(!client.get(u"/v1/me"_s).header("RateLimit-Remaining").isEmpty());

        for (const QString &path : {u"/healthz"_s, u"/readyz"_s, u"/metrics"_s,
                                    u"/.well-known/jwks.json"_s, u"/v1/openapi.yaml"_s}) {
            const ApiReply reply = client.get(path);
            QCOMPARE(reply.status, 200);
            QVERIFY(reply.header("RateLimit-Remaining").isEmpty());
        }

        const QList<QPair<QByteArray, QString>> operations{
            {"POST", u"/v1/meetings"_s},
            {"GET", u"/v1/meetings"_s},
            {"GET", meeting},
            {"PATCH", meeting},
            {"DELETE", meeting},
            {"POST", meeting + u"/joinToken"_s},
            {"GET", u"/v1/me"_s},
            {"GET", u"/v1/tokens"_s},
            {"POST", u"/v1/tokens"_s},
            {"DELETE", u"/v1/tokens/tok_x"_s},
            {"GET", u"/v1/audit"_s},
        };
        for (const auto &[method, path] : operations) {
            const ApiReply reply = client.send(method, path, {}, {});
            QCOMPARE(reply.status, 429);
            QCOMPARE(reply.code(), u"rate_limited"_s);
            QVERIFY(!reply.header("Retry-After").isEmpty());
        }
    }

    // Runs last: everything above was logged.
    void everyAnswerIsDocumented()
    {
        QVERIFY(QFile::exists(m_logPath));
        const CheckerRun check
            = runChecker({u"responses"_s, sourcePath(u"resources/openapi.yaml"_s), m_logPath,
                          u"--require-coverage"_s});
        QVERIFY2(check.exitCode == 0, check.output.constData());
        qInfo("%s", check.output.trimmed().split('\n').constLast().constData());
    }

    void theCheckerNoticesDisagreements_data()
    {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("complaint");

        const QByteArray problem
            = R"({"type":"urn:quorum:problem:not_found","code":"not_found","title":"t",)"
              R"("status":404,"detail":"d"})";
        auto exchange
            = [](const char *method, const char *path, int status, const QByteArray &contentType,
                 const QByteArray &body, const QByteArray &extraHeaders = {}) {
                  const QJsonObject headers
                      = QJsonDocument::fromJson("{\"x-request-id\":\"0123456789abcdef\","
                                                "\"content-type\":\""
                                                + contentType + '"' + extraHeaders + '}')
                            .object();
                  return QJsonDocument(QJsonObject{{u"method"_s, QString::fromLatin1(method)},
                                                   {u"path"_s, QString::fromLatin1(path)},
                                                   {u"status"_s, status},
                                                   {u"headers"_s, headers},
                                                   {u"body"_s, QString::fromUtf8(body)}})
                             .toJson(QJsonDocument::Compact)
                      + '\n';
              };

        QTest::newRow("a route the spec does not describe")
            << u"routes"_s << QByteArray("GET /v1/healthz\nGET /v1/unknown\n")
            << QByteArray("route GET /v1/unknown is missing from the spec");
        QTest::newRow("a built route the spec marks planned")
            << u"routes"_s << QByteArray("GET /j/{id}\n")
            << QByteArray("is built but the spec marks");
        QTest::newRow("a status the operation does not list")
            << u"responses"_s
            << exchange("GET", "/healthz", 418, "application/json", R"({"status":"ok"})")
            << QByteArray("status 418 is not listed for getHealth");
        QTest::newRow("a meeting without its id")
            << u"responses"_s
            << exchange("DELETE", "/v1/meetings/mtg_a", 204, "", "")
                + exchange("GET", "/v1/meetings/mtg_a", 200, "application/json", R"({"topic":"x"})",
                           ",\"etag\":\"\\\"v1\\\"\"")
            << QByteArray("lacks the required field 'id'");
        QTest::newRow("a problem whose status disagrees with the answer")
            << u"responses"_s
            << exchange("GET", "/v1/meetings/mtg_a", 404, "application/problem+json",
                        QByteArray(problem).replace("404", "400"))
            << QByteArray("is not the HTTP status 404");
        QTest::newRow("a single meeting without its ETag")
            << u"responses"_s
            << exchange("GET", "/v1/meetings/mtg_a", 404, "application/problem+json", problem)
                + exchange("PATCH", "/v1/meetings/mtg_a", 412, "application/problem+json",
                           QByteArray(problem)
                               .replace("not_found", "precondition_failed")
                               .replace("404", "412"))
                + exchange("GET", "/v1/meetings/mtg_a", 200, "application/json", "{}")
            << QByteArray("the required header ETag is absent");
        QTest::newRow("a method the path does not have, with a wrong Allow")
            << u"responses"_s
            << exchange("PUT", "/v1/me", 405, "application/problem+json",
                        QByteArray(problem)
                            .replace("not_found", "method_not_allowed")
                            .replace("404", "405"),
                        R"(,"allow":"GET, POST")")
            << QByteArray("Allow says");
    }

    void theCheckerNoticesDisagreements()
    {
        QFETCH(QString, mode);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, complaint);

        CheckerRun check;
        if (mode == u"routes") {
            // Every operation is built now: a copy of the spec marks the join page planned.
            QTemporaryDir dir;
            QFile source(sourcePath(u"resources/openapi.yaml"_s));
            QVERIFY(source.open(QIODevice::ReadOnly));
            QByteArray text = source.readAll();
            const QByteArray operation = "      operationId: joinPage\n";
            QVERIFY(text.contains(operation));
            text.replace(operation, operation + "      x-quorum-status: planned\n");
            QFile spec(dir.filePath(u"openapi.yaml"_s));
            QVERIFY(spec.open(QIODevice::WriteOnly));
            spec.write(text);
            spec.close();
            check = runChecker({mode, spec.fileName(), u"-"_s}, input);
        } else {
            QTemporaryDir dir;
            QFile log(dir.filePath(u"log.jsonl"_s));
            QVERIFY(log.open(QIODevice::WriteOnly));
            log.write(input);
            log.close();
            check = runChecker({mode, sourcePath(u"resources/openapi.yaml"_s), log.fileName()});
        }
        QCOMPARE(check.exitCode, 1);
        QVERIFY2(check.output.contains(complaint), check.output.constData());
    }
};

QTEST_GUILESS_MAIN(tst_OpenApi)
#include "tst_openapi.moc"
