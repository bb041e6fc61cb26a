// Apps, the marketplace and installations over the API: registration and its validation, the
// ETag rules, who may see and manage what, and uninstalling, which revokes the app's tokens and
// removes its webhook subscriptions in that workspace.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

QJsonObject appBody(const QString &name, const QString &type = u"confidential"_s,
                    bool listed = false,
                    const QStringList &scopeList = {u"meeting.read"_s, u"meeting.write"_s,
                                                    u"webhook.write"_s, u"webhook.read"_s})
{
    return {{u"name"_s, name},
            {u"description"_s, u"Schedules meetings from a calendar."_s},
            {u"client_type"_s, type},
            {u"redirect_uris"_s, QJsonArray{u"https://app.example.com/callback"_s}},
            {u"scopes"_s, QJsonArray::fromStringList(scopeList)},
            {u"listed"_s, listed}};
}

QStringList strings(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue &value : array.toArray())
        list << value.toString();
    return list;
}

} // namespace

class tst_AppsApi : public QObject
{
    Q_OBJECT

private:
    QString receiverUrl() const
    {
        return u"http://127.0.0.1:%1/hook"_s.arg(m_receiver.serverPort());
    }

    // A client-credentials access token for the app in `workspace`.
    QString appToken(const QJsonObject &app, const QString &workspace = {})
    {
        OAuthFlow flow(m_server->baseUrl());
        QList<QPair<QString, QString>> fields{{u"grant_type"_s, u"client_credentials"_s}};
        if (!workspace.isEmpty())
            fields << qMakePair(u"workspace"_s, workspace);
        const ApiReply reply
            = flow.post(u"/oauth/token"_s, fields, app.value(u"client_id").toString(),
                        app.value(u"client_secret").toString());
        return reply.json().value(u"access_token").toString();
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QTcpServer m_receiver;
    QString m_admin; // admin of default
    QString m_member; // member of default
    QString m_otherAdmin; // admin of the workspace "other"

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen(QHostAddress::LocalHost, 0));
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--webhooks-allow-private-networks"_s, u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_server->createUser(u"alice"_s, u"default"_s, u"admin"_s);
        m_server->createUser(u"bob"_s, u"default"_s, u"member"_s);
        m_server->createWorkspace(u"other"_s);
        m_server->createUser(u"olga"_s, u"other"_s, u"admin"_s);
        m_admin = m_server->token(u"alice"_s);
        m_member = m_server->token(u"bob"_s);
        m_otherAdmin = m_server->token(u"olga"_s, u"other"_s);
        QVERIFY(!m_admin.isEmpty() && !m_member.isEmpty() && !m_otherAdmin.isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void registrationIsValidated_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("field");
        auto with = [](const QString &name, const QJsonValue &value) {
            QJsonObject body = appBody(u"Calendar"_s);
            body.insert(name, value);
            return body;
        };
        QTest::newRow("plain http to a public host is refused")
            << with(u"redirect_uris"_s, QJsonArray{u"http://app.example.com/cb"_s})
            << u"redirect_uris"_s;
        QTest::newRow("a redirect URI with a fragment is refused")
            << with(u"redirect_uris"_s, QJsonArray{u"https://app.example.com/cb#x"_s})
            << u"redirect_uris"_s;
        QTest::newRow("a relative redirect URI is refused")
            << with(u"redirect_uris"_s, QJsonArray{u"/callback"_s}) << u"redirect_uris"_s;
        QTest::newRow("an unknown scope is refused")
            << with(u"scopes"_s, QJsonArray{u"meeting.read"_s, u"admin.everything"_s})
            << u"scopes"_s;
        QTest::newRow("an app needs a scope") << with(u"scopes"_s, QJsonArray{}) << u"scopes"_s;
        QTest::newRow("the client type is confidential or public")
            << with(u"client_type"_s, u"secret"_s) << u"client_type"_s;
        QTest::newRow("a public client needs a redirect URI")
            << QJsonObject{{u"name"_s, u"x"_s},
                           {u"client_type"_s, u"public"_s},
                           {u"scopes"_s, QJsonArray{u"meeting.read"_s}}}
            << u"redirect_uris"_s;
        QTest::newRow("an unknown field is named") << with(u"homepage"_s, u"x"_s) << u"homepage"_s;
    }

    void registrationIsValidated()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, field);
        const ApiReply reply = ApiClient(m_server->baseUrl(), m_admin).post(u"/v1/apps"_s, body);
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.errorFields().contains(field), reply.body.constData());
    }

    void registerShowsTheSecretOnceAndStoresItHashed()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const ApiReply created = admin.post(u"/v1/apps"_s, appBody(u"Calendar"_s));
        QCOMPARE(created.status, 201);
        const QJsonObject app = created.json();
        const QString secret = app.value(u"client_secret").toString();
        QVERIFY(secret.startsWith(u"qcs_"));
        QVERIFY(!app.value(u"client_id").toString().isEmpty());
        QCOMPARE(app.value(u"client_type").toString(), u"confidential"_s);
        QCOMPARE(created.header("ETag"), QByteArray("\"v1\""));

        const ApiReply read = admin.get(u"/v1/apps/"_s + app.value(u"id").toString());
        QCOMPARE(read.status, 200);
        QVERIFY(!read.json().contains(u"client_secret"));
        const ApiReply list = admin.get(u"/v1/apps"_s);
        QCOMPARE(list.status, 200);
        bool found = false;
        for (const QJsonValue &item : list.json().value(u"apps").toArray())
            found = found || item.toObject().value(u"id") == app.value(u"id");
        QVERIFY(found);

        // The database holds the SHA-256 of the secret, never the secret.
        QSqlDatabase db = m_server->openDatabase(u"apps-check"_s);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        {
            QSqlQuery query(db);
            query.prepare(u"SELECT client_secret_hash FROM apps WHERE id = ?"_s);
            query.addBindValue(app.value(u"id").toString());
            QVERIFY(query.exec() && query.next());
            const QString stored = query.value(0).toString();
            QCOMPARE(stored.size(), 64);
            QVERIFY(!stored.contains(secret));
        }
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"apps-check"_s);

        const ApiReply publicApp = admin.post(u"/v1/apps"_s, appBody(u"Desk"_s, u"public"_s));
        QCOMPARE(publicApp.status, 201);
        QVERIFY(!publicApp.json().contains(u"client_secret"));
    }

    void patchFollowsIfMatch()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QString id
            = admin.post(u"/v1/apps"_s, appBody(u"Patchable"_s)).json().value(u"id").toString();
        const ApiReply stale
            = admin.patch(u"/v1/apps/"_s + id, {{u"name"_s, u"New"_s}}, {{"If-Match", "\"v7\""}});
        QCOMPARE(stale.status, 412);
        const ApiReply patched
            = admin.patch(u"/v1/apps/"_s + id,
                          {{u"name"_s, u"Renamed"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}},
                          {{"If-Match", "\"v1\""}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json().value(u"name").toString(), u"Renamed"_s);
        QCOMPARE(strings(patched.json().value(u"scopes")), QStringList{u"meeting.read"_s});
        QCOMPARE(patched.header("ETag"), QByteArray("\"v2\""));
        const ApiReply typeChange
            = admin.patch(u"/v1/apps/"_s + id, {{u"client_type"_s, u"public"_s}});
        QCOMPARE(typeChange.status, 400);
        QCOMPARE(admin.del(u"/v1/apps/"_s + id, {{"If-Match", "\"v1\""}}).status, 412);
        QCOMPARE(admin.del(u"/v1/apps/"_s + id, {{"If-Match", "\"v2\""}}).status, 204);
        QCOMPARE(admin.get(u"/v1/apps/"_s + id).status, 404);
    }

    void onlyAdminsOfTheAppsWorkspaceManageIt()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QString id
            = admin.post(u"/v1/apps"_s, appBody(u"Private"_s)).json().value(u"id").toString();

        ApiClient member(m_server->baseUrl(), m_member);
        QCOMPARE(member.post(u"/v1/apps"_s, appBody(u"Mine"_s)).status, 403);
        QCOMPARE(member.get(u"/v1/apps"_s).status, 403);
        QCOMPARE(member.get(u"/v1/marketplace"_s).status, 403);

        ApiClient other(m_server->baseUrl(), m_otherAdmin);
        QCOMPARE(other.get(u"/v1/apps/"_s + id).status, 404);
        QCOMPARE(other.patch(u"/v1/apps/"_s + id, {{u"name"_s, u"x"_s}}).status, 404);
        QCOMPARE(other.del(u"/v1/apps/"_s + id).status, 404);
        // Unlisted: another workspace can neither see nor install it.
        QCOMPARE(other.post(u"/v1/apps/"_s + id + u"/installation"_s, {}).status, 404);
    }

    void marketplaceShowsListedAppsAndTheirInstallation()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QString listedId
            = admin.post(u"/v1/apps"_s, appBody(u"Listed"_s, u"confidential"_s, true))
                  .json()
                  .value(u"id")
                  .toString();
        const QString unlistedId
            = admin.post(u"/v1/apps"_s, appBody(u"Unlisted"_s)).json().value(u"id").toString();

        ApiClient other(m_server->baseUrl(), m_otherAdmin);
        auto entry = [&](const QString &id) {
            const ApiReply market = other.get(u"/v1/marketplace?page_size=300"_s);
            for (const QJsonValue &item : market.json().value(u"apps").toArray()) {
                if (item.toObject().value(u"id").toString() == id)
                    return item.toObject();
            }
            return QJsonObject();
        };
        QVERIFY(entry(unlistedId).isEmpty());
        QCOMPARE(entry(listedId).value(u"installed").toBool(), false);
        QVERIFY(entry(listedId).value(u"granted_scopes").isNull());

        const QString path = u"/v1/apps/"_s + listedId + u"/installation"_s;
        const ApiReply tooWide
            = other.post(path, {{u"scopes"_s, QJsonArray{u"recording.write"_s}}});
        QCOMPARE(tooWide.status, 400);
        const ApiReply installed = other.post(path, {{u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(installed.status, 201);
        QCOMPARE(strings(installed.json().value(u"scopes")), QStringList{u"meeting.read"_s});
        QCOMPARE(entry(listedId).value(u"installed").toBool(), true);
        QCOMPARE(strings(entry(listedId).value(u"granted_scopes")), QStringList{u"meeting.read"_s});
        const ApiReply again = other.post(path, {});
        QCOMPARE(again.status, 200);
        QCOMPARE(strings(again.json().value(u"scopes")).size(), 4);
        QCOMPARE(ApiClient(m_server->baseUrl(), m_member).post(path, {}).status, 403);
    }

    void thirdPartyTokensMayNotManageApps()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QJsonObject app = admin.post(u"/v1/apps"_s, appBody(u"Robot"_s)).json();
        const QString id = app.value(u"id").toString();
        QCOMPARE(admin.post(u"/v1/apps/"_s + id + u"/installation"_s, {}).status, 201);
        const QString token = appToken(app);
        QVERIFY(!token.isEmpty());

        ApiClient robot(m_server->baseUrl(), token);
        QCOMPARE(robot.get(u"/v1/meetings"_s).status, 200);
        const ApiReply refused = robot.get(u"/v1/apps"_s);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.code(), u"first_party_only"_s);
        QCOMPARE(robot.get(u"/v1/marketplace"_s).code(), u"first_party_only"_s);
        QCOMPARE(robot.del(u"/v1/apps/"_s + id + u"/installation"_s).code(), u"first_party_only"_s);
    }

    void uninstallRevokesTokensAndRemovesSubscriptions()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QJsonObject app
            = admin.post(u"/v1/apps"_s, appBody(u"Hooks"_s, u"confidential"_s, true)).json();
        const QString id = app.value(u"id").toString();
        const QString path = u"/v1/apps/"_s + id + u"/installation"_s;
        QCOMPARE(admin.post(path, {}).status, 201);
        ApiClient other(m_server->baseUrl(), m_otherAdmin);
        QCOMPARE(other.post(path, {}).status, 201);

        // Installed in two workspaces: the token request must name one.
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply ambiguous
            = flow.post(u"/oauth/token"_s, {{u"grant_type"_s, u"client_credentials"_s}},
                        app.value(u"client_id").toString(), app.value(u"client_secret").toString());
        QCOMPARE(ambiguous.status, 400);
        QCOMPARE(ambiguous.json().value(u"error").toString(), u"invalid_request"_s);

        const QString here = appToken(app, u"default"_s);
        const QString there = appToken(app, u"other"_s);
        QVERIFY(!here.isEmpty() && !there.isEmpty());
        ApiClient robotHere(m_server->baseUrl(), here);
        ApiClient robotThere(m_server->baseUrl(), there);
        const QJsonObject hook{{u"url"_s, receiverUrl()},
                               {u"events"_s, QJsonArray{u"meeting.ended"_s}}};
        const ApiReply subscribed = robotHere.post(u"/v1/webhooks"_s, hook);
        QVERIFY2(subscribed.status == 201, subscribed.body.constData());
        const QString hookId = subscribed.json().value(u"id").toString();
        const ApiReply subscribedThere = robotThere.post(u"/v1/webhooks"_s, hook);
        QCOMPARE(subscribedThere.status, 201);
        // Warm the authentication cache: the revocation must still apply at once.
        QCOMPARE(robotHere.get(u"/v1/meetings"_s).status, 200);

        QCOMPARE(admin.del(path).status, 204);
        QCOMPARE(robotHere.get(u"/v1/meetings"_s).status, 401);
        QCOMPARE(robotThere.get(u"/v1/meetings"_s).status, 200);
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + hookId).status, 404);
        DatabaseReader database(*m_server);
        QCOMPARE(database.webhook(hookId).value(u"disabled_reason").toString(), u"deleted"_s);
        QCOMPARE(
            other.get(u"/v1/webhooks/"_s + subscribedThere.json().value(u"id").toString()).status,
            200);
        QCOMPARE(admin.del(path).status, 404);

        // The audit log has the install and the uninstall.
        const ApiReply audit = admin.get(u"/v1/audit?page_size=300"_s);
        QStringList actions;
        for (const QJsonValue &entry : audit.json().value(u"entries").toArray()) {
            if (entry.toObject().value(u"target_id").toString() == id)
                actions << entry.toObject().value(u"action").toString();
        }
        QVERIFY2(actions.contains(u"app.installed"_s), qPrintable(actions.join(u',')));
        QVERIFY2(actions.contains(u"app.uninstalled"_s), qPrintable(actions.join(u',')));

        // Deleting the app ends its tokens everywhere.
        QCOMPARE(admin.del(u"/v1/apps/"_s + id).status, 204);
        QCOMPARE(robotThere.get(u"/v1/meetings"_s).status, 401);
        QCOMPARE(other.get(u"/v1/marketplace?page_size=300"_s).body.contains(id.toUtf8()), false);
    }

    void theCommandLineRegistersAndInstalls()
    {
        const auto registered = m_server->command(
            {u"app"_s, u"register"_s, u"--workspace"_s, u"other"_s, u"--name"_s, u"Cli app"_s,
             u"--type"_s, u"confidential"_s, u"--redirect-uri"_s, u"https://a.example.com/cb"_s,
             u"--redirect-uri"_s, u"http://127.0.0.1:8000/cb"_s, u"--scopes"_s,
             u"meeting.read,meeting.join"_s, u"--listed"_s});
        QCOMPARE(registered.exitCode, 0);
        const QList<QByteArray> lines = registered.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        const QString clientId = QString::fromLatin1(lines.at(0));
        QVERIFY(clientId.startsWith(u"qcid_"));
        QVERIFY(lines.at(1).startsWith("qcs_"));

        const auto installed
            = m_server->command({u"app"_s, u"install"_s, clientId, u"--workspace"_s, u"other"_s,
                                 u"--scopes"_s, u"meeting.read"_s});
        QCOMPARE(installed.exitCode, 0);
        QCOMPARE(installed.out.trimmed(), QByteArray("meeting.read"));
        const ApiReply market
            = ApiClient(m_server->baseUrl(), m_otherAdmin).get(u"/v1/marketplace?page_size=300"_s);
        QVERIFY(market.body.contains(clientId.toLatin1()));

        const auto refused
            = m_server->command({u"app"_s, u"register"_s, u"--workspace"_s, u"other"_s, u"--name"_s,
                                 u"Bad"_s, u"--type"_s, u"public"_s, u"--redirect-uri"_s,
                                 u"http://evil.example/cb"_s, u"--scopes"_s, u"meeting.read"_s});
        QVERIFY(refused.exitCode != 0);
        QVERIFY(refused.err.contains("https"));
    }

    void anAppActingForTheWorkspaceNamesTheHost()
    {
        ApiClient admin(m_server->baseUrl(), m_admin);
        const QJsonObject app = admin.post(u"/v1/apps"_s, appBody(u"Scheduler"_s)).json();
        QCOMPARE(admin.post(u"/v1/apps/"_s + app.value(u"id").toString() + u"/installation"_s, {})
                     .status,
                 201);
        ApiClient robot(m_server->baseUrl(), appToken(app));
        const QJsonObject meeting{{u"topic"_s, u"Planning"_s},
                                  {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                  {u"duration_minutes"_s, 30}};
        const ApiReply noHost = robot.post(u"/v1/meetings"_s, meeting);
        QCOMPARE(noHost.status, 400);
        QVERIFY(noHost.errorFields().contains(u"host_id"_s));

        const QString bob = ApiClient(m_server->baseUrl(), m_member)
                                .get(u"/v1/me"_s)
                                .json()
                                .value(u"user")
                                .toObject()
                                .value(u"id")
                                .toString();
        QJsonObject withHost = meeting;
        withHost.insert(u"host_id"_s, bob);
        const ApiReply created = robot.post(u"/v1/meetings"_s, withHost);
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json().value(u"host_id").toString(), bob);
    }
};

QTEST_GUILESS_MAIN(tst_AppsApi)
#include "tst_apps_api.moc"
