// /v1/users, /v1/me/password and /v1/admin/status end to end: validation, the owner rules,
// disabling (tokens and sessions revoked), first-party only.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_UsersApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    QString m_owner; // admin, the owner of default

    int userCount()
    {
        ApiClient client(m_server->baseUrl(), m_owner);
        return client.get(u"/v1/users?page_size=300"_s).json().value(u"users"_s).toArray().size();
    }

    QString create(const QString &name, const QString &role)
    {
        ApiClient client(m_server->baseUrl(), m_owner);
        const ApiReply reply = client.post(u"/v1/users"_s,
                                           {{u"name"_s, name},
                                            {u"role"_s, role},
                                            {u"password"_s, u"correct horse battery staple"_s}});
        return reply.json().value(u"user"_s).toObject().value(u"id"_s).toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_owner = m_server->token();
    }

    void cleanupTestCase() { m_server.reset(); }

    void listsAndCreates()
    {
        ApiClient client(m_server->baseUrl(), m_owner);
        const ApiReply list = client.get(u"/v1/users"_s);
        QCOMPARE(list.status, 200);
        QVERIFY(list.json().contains(u"next_cursor"_s));
        QCOMPARE(list.json().value(u"users"_s).toArray().first().toObject().value(u"name"_s),
                 u"admin"_s);

        const ApiReply withLink
            = client.post(u"/v1/users"_s, {{u"name"_s, u"erin"_s}, {u"role"_s, u"member"_s}});
        QCOMPARE(withLink.status, 201);
        QVERIFY(withLink.json()
                    .value(u"set_password_url"_s)
                    .toString()
                    .startsWith(m_server->baseUrl() + u"/set-password?token=qpwl_"_s));
        const QJsonObject user = withLink.json().value(u"user"_s).toObject();
        QCOMPARE(user.value(u"has_password"_s).toBool(), false);
        QVERIFY(!user.contains(u"password_hash"_s));

        const QString id = user.value(u"id"_s).toString();
        QCOMPARE(client.get(u"/v1/users/"_s + id).json().value(u"name"_s), u"erin"_s);
        const ApiReply link = client.post(u"/v1/users/"_s + id + u"/password-link"_s, {});
        QCOMPARE(link.status, 201);
        QVERIFY(link.json().value(u"set_password_url"_s).toString().contains(u"qpwl_"_s));
        QCOMPARE(client.get(u"/v1/users/usr_0000000000000000000000"_s).status, 404);
    }

    void badInputsChangeNothing_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("an empty name") << QJsonObject{{u"name"_s, u""_s}, {u"role"_s, u"member"_s}}
                                       << u"validation_failed"_s << u"name"_s;
        QTest::newRow("an unknown role") << QJsonObject{{u"name"_s, u"x"_s}, {u"role"_s, u"boss"_s}}
                                         << u"validation_failed"_s << u"role"_s;
        QTest::newRow("a short password") << QJsonObject{{u"name"_s, u"x"_s},
                                                         {u"role"_s, u"member"_s},
                                                         {u"password"_s, u"short"_s}}
                                          << u"validation_failed"_s << u"password"_s;
        QTest::newRow("an unknown field")
            << QJsonObject{{u"name"_s, u"x"_s}, {u"role"_s, u"member"_s}, {u"admin"_s, true}}
            << u"unknown_field"_s << u"admin"_s;
        QTest::newRow("a missing role")
            << QJsonObject{{u"name"_s, u"x"_s}} << u"validation_failed"_s << u"role"_s;
    }
    void badInputsChangeNothing()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, code);
        QFETCH(QString, field);
        const int before = userCount();
        ApiClient client(m_server->baseUrl(), m_owner);
        const ApiReply reply = client.post(u"/v1/users"_s, body);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.code(), code);
        QVERIFY2(reply.errorFields().contains(field), reply.body.constData());
        QCOMPARE(userCount(), before);
    }

    void ownerRules()
    {
        const QString adminId = create(u"adele"_s, u"admin"_s);
        const QString adminToken = m_server->token(u"adele"_s);
        ApiClient admin(m_server->baseUrl(), adminToken);
        ApiClient owner(m_server->baseUrl(), m_owner);
        const QString ownerId = owner.get(u"/v1/me"_s).json()[u"user"_s][u"id"_s].toString();

        // An admin manages members but not owners.
        QCOMPARE(admin.post(u"/v1/users"_s, {{u"name"_s, u"o2"_s}, {u"role"_s, u"owner"_s}}).code(),
                 u"forbidden"_s);
        QCOMPARE(admin.patch(u"/v1/users/"_s + ownerId, {{u"role"_s, u"member"_s}}).code(),
                 u"forbidden"_s);
        QCOMPARE(admin.post(u"/v1/users/"_s + ownerId + u"/password-link"_s, {}).code(),
                 u"forbidden"_s);
        // The last owner stays, and nobody disables themselves.
        QCOMPARE(owner.patch(u"/v1/users/"_s + ownerId, {{u"role"_s, u"admin"_s}}).status, 409);
        QCOMPARE(owner.patch(u"/v1/users/"_s + ownerId, {{u"disabled"_s, true}}).status, 409);
        QCOMPARE(admin.patch(u"/v1/users/"_s + adminId, {{u"disabled"_s, true}}).status, 409);
        // An owner makes another owner; then the first may step down.
        const ApiReply promoted = owner.patch(u"/v1/users/"_s + adminId, {{u"role"_s, u"owner"_s}});
        QCOMPARE(promoted.status, 200);
        QCOMPARE(promoted.json().value(u"role"_s), u"owner"_s);
        QCOMPARE(admin.patch(u"/v1/users/"_s + adminId, {{u"role"_s, u"admin"_s}}).status, 200);
    }

    void membersAreForbidden()
    {
        create(u"mia"_s, u"member"_s);
        ApiClient member(m_server->baseUrl(), m_server->token(u"mia"_s));
        QCOMPARE(member.get(u"/v1/users"_s).code(), u"forbidden"_s);
        QCOMPARE(
            member.post(u"/v1/users"_s, {{u"name"_s, u"z"_s}, {u"role"_s, u"member"_s}}).code(),
            u"forbidden"_s);
        QCOMPARE(member.get(u"/v1/admin/status"_s).code(), u"forbidden"_s);
    }

    void disablingRevokesTokens()
    {
        const QString id = create(u"dan"_s, u"member"_s);
        const QString token = m_server->token(u"dan"_s);
        ApiClient dan(m_server->baseUrl(), token);
        QCOMPARE(dan.get(u"/v1/me"_s).status, 200);

        ApiClient owner(m_server->baseUrl(), m_owner);
        const ApiReply disabled = owner.patch(u"/v1/users/"_s + id, {{u"disabled"_s, true}});
        QCOMPARE(disabled.status, 200);
        QCOMPARE(disabled.json().value(u"disabled"_s).toBool(), true);
        QCOMPARE(dan.get(u"/v1/me"_s).status, 401);
        // Enabling again does not bring the revoked token back.
        QCOMPARE(owner.patch(u"/v1/users/"_s + id, {{u"disabled"_s, false}}).status, 200);
        QCOMPARE(dan.get(u"/v1/me"_s).status, 401);
    }

    void changeOwnPassword()
    {
        create(u"pat"_s, u"member"_s);
        ApiClient pat(m_server->baseUrl(), m_server->token(u"pat"_s));
        const ApiReply wrong = pat.post(u"/v1/me/password"_s,
                                        {{u"current_password"_s, u"not my password"_s},
                                         {u"new_password"_s, u"a brand new password"_s}});
        QCOMPARE(wrong.status, 400);
        QVERIFY(wrong.errorFields().contains(u"current_password"_s));
        const ApiReply weak = pat.post(u"/v1/me/password"_s,
                                       {{u"current_password"_s, u"correct horse battery staple"_s},
                                        {u"new_password"_s, u"short"_s}});
        QVERIFY(weak.errorFields().contains(u"new_password"_s));
        const ApiReply done = pat.post(u"/v1/me/password"_s,
                                       {{u"current_password"_s, u"correct horse battery staple"_s},
                                        {u"new_password"_s, u"a brand new password"_s}});
        QCOMPARE(done.status, 204);
    }

    void adminStatus()
    {
        ApiClient owner(m_server->baseUrl(), m_owner);
        const ApiReply reply = owner.get(u"/v1/admin/status"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject status = reply.json();
        QVERIFY(!status.value(u"version"_s).toString().isEmpty());
        QVERIFY(status.value(u"uptime_seconds"_s).toInteger() >= 0);
        QCOMPARE(status[u"database"_s][u"engine"_s].toString(), m_server->databaseEngine());
        QVERIFY(status[u"database"_s][u"schema_version"_s].toInt() >= 4);
        QCOMPARE(status[u"media"_s][u"adapter"_s].toString(), u"builtin"_s);
        QVERIFY(!status.value(u"signing_keys"_s).toArray().isEmpty());
        QVERIFY(status.value(u"next_rotation_at"_s).isString());
        QCOMPARE(status[u"webhooks"_s][u"queue_depth"_s].toInt(), 0);
    }

    void thirdPartyTokensAreRefused()
    {
        // An OAuth token of a third-party app, written straight into the database.
        const QByteArray secret = "qoat_third_party_test_token_0123456789";
        {
            QSqlDatabase db = m_server->openDatabase(u"thirdparty"_s, DatabaseAccess::ReadWrite);
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery query(db);
            query.prepare(u"INSERT INTO access_tokens (id, token_hash, kind, workspace_id, "
                          "user_id, client_id, name, scopes, first_party, created_at) SELECT "
                          "'tok_thirdparty', ?, 'oauth', workspace_id, id, 'app_x', 'app', "
                          "'meeting.read', 0, 0 FROM users WHERE name = 'admin'"_s);
            query.addBindValue(QString::fromLatin1(
                QCryptographicHash::hash(secret, QCryptographicHash::Sha256).toHex()));
            QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        }
        QSqlDatabase::removeDatabase(u"thirdparty"_s);

        ApiClient app(m_server->baseUrl(), QString::fromLatin1(secret));
        QCOMPARE(app.get(u"/v1/me"_s).status, 200);
        QCOMPARE(app.get(u"/v1/users"_s).code(), u"first_party_only"_s);
        QCOMPARE(app.post(u"/v1/me/password"_s, {}).code(), u"first_party_only"_s);
        QCOMPARE(app.get(u"/v1/admin/status"_s).code(), u"first_party_only"_s);
    }

    // Last: it uses up the sign-in failures of the test's address.
    void wrongCurrentPasswordsCountAsFailedSignIns()
    {
        create(u"quinn"_s, u"member"_s);
        ApiClient quinn(m_server->baseUrl(), m_server->token(u"quinn"_s));
        const QJsonObject wrong{{u"current_password"_s, u"a guess at it"_s},
                                {u"new_password"_s, u"a brand new password"_s}};
        int status = 0;
        for (int attempt = 0; attempt < 10 && status != 429; ++attempt)
            status = quinn.post(u"/v1/me/password"_s, wrong).status;
        QCOMPARE(status, 429);

        // Locked like the sign-in page: even the right password waits now.
        const ApiReply right
            = quinn.post(u"/v1/me/password"_s,
                         {{u"current_password"_s, u"correct horse battery staple"_s},
                          {u"new_password"_s, u"a brand new password"_s}});
        QCOMPARE(right.status, 429);
        QCOMPARE(right.code(), u"rate_limited"_s);
        QVERIFY2(right.header("Retry-After").toInt() >= 1, right.header("Retry-After").constData());

        int audited = 0;
        ApiClient owner(m_server->baseUrl(), m_owner);
        for (const QJsonValue &entry :
             owner.get(u"/v1/audit?page_size=300"_s).json().value(u"entries").toArray()) {
            const QJsonObject object = entry.toObject();
            if (object.value(u"action").toString() == u"auth.signin_failed"_s
                && object[u"detail"_s][u"reason"_s].toString() == u"wrong_current_password"_s)
                ++audited;
        }
        QVERIFY2(audited >= 1, qPrintable(QString::number(audited)));
    }
};

QTEST_GUILESS_MAIN(tst_UsersApi)
#include "tst_users_api.moc"
