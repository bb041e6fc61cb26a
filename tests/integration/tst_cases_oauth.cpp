// Cases C14-C17 (shared/cases/cases.md) against a real quorumd: PKCE downgrades, exact
// redirect_uri matching, refresh-token rotation with reuse detection, and refreshes that may
// narrow the scope but never widen it.

#include "ApiClient.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QtTest>

#include <thread>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kRedirect = u"https://app.example.com/callback"_s;

using Fields = QList<QPair<QString, QString>>;

} // namespace

class tst_CasesOAuth : public QObject
{
    Q_OBJECT

private:
    using Client = OAuthFlow::RegisteredApp;

    Client registerApp(const QString &name, const QString &type, const QStringList &scopeList)
    {
        return OAuthFlow::registerApp(m_server->baseUrl(), m_admin,
                                      {{u"name"_s, name},
                                       {u"client_type"_s, type},
                                       {u"redirect_uris"_s, QJsonArray{kRedirect}},
                                       {u"scopes"_s, QJsonArray::fromStringList(scopeList)}});
    }

    Fields authorizeParameters(const Client &client, const QString &scope,
                               const QString &challenge) const
    {
        return OAuthFlow::authorizeParameters(client.clientId, kRedirect, scope, u"s"_s, challenge);
    }

    // An approved code for the client.
    QString approvedCode(const Client &client, const QString &scope, const QString &challenge)
    {
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply = flow.decide(authorizeParameters(client, scope, challenge), m_cookie);
        if (reply.status != 303)
            return {};
        return OAuthFlow::locationQuery(reply).value(u"code"_s);
    }

    ApiReply tokenRequest(const Client &client, Fields fields)
    {
        OAuthFlow flow(m_server->baseUrl());
        if (client.secret.isEmpty())
            fields << qMakePair(u"client_id"_s, client.clientId);
        return flow.post(u"/oauth/token"_s, fields,
                         client.secret.isEmpty() ? QString() : client.clientId, client.secret);
    }

    // A fresh grant for the public client: access and refresh token.
    QJsonObject grant(const QString &scope)
    {
        const auto [verifier, challenge] = OAuthFlow::pkce();
        const QString code = approvedCode(m_public, scope, challenge);
        return tokenRequest(m_public,
                            {{u"grant_type"_s, u"authorization_code"_s},
                             {u"code"_s, code},
                             {u"redirect_uri"_s, kRedirect},
                             {u"code_verifier"_s, verifier}})
            .json();
    }

    ApiReply refresh(const QString &refreshToken, const QString &scope = {})
    {
        Fields fields{{u"grant_type"_s, u"refresh_token"_s}, {u"refresh_token"_s, refreshToken}};
        if (!scope.isNull())
            fields << qMakePair(u"scope"_s, scope);
        return tokenRequest(m_public, fields);
    }

    int apiStatus(const QString &accessToken, const QString &path = u"/v1/meetings"_s)
    {
        return ApiClient(m_server->baseUrl(), accessToken).get(path).status;
    }

    // PostgreSQL: the tables with a row whose text holds `needle` (any column, any type), and
    // those that could not be searched.
    QStringList tablesHolding(const QString &needle) const
    {
        QStringList tables;
        {
            QSqlDatabase db = m_server->openDatabase(u"holding"_s);
            QSqlQuery query(db);
            query.exec(u"SELECT table_name FROM information_schema.tables WHERE table_schema = "
                       "current_schema() AND table_type = 'BASE TABLE'"_s);
            while (query.next())
                tables << query.value(0).toString();
            // Without tables the check would pass for nothing.
            if (tables.isEmpty())
                tables << u"(no table found)"_s;
            tables.removeIf([&db, &needle](const QString &table) {
                QSqlQuery rows(db);
                rows.prepare(u"SELECT 1 FROM \"%1\" t WHERE strpos(t::text, ?) > 0"_s.arg(table));
                rows.addBindValue(needle);
                return rows.exec() && !rows.next();
            });
        }
        QSqlDatabase::removeDatabase(u"holding"_s);
        return tables;
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_admin;
    QByteArray m_cookie;
    Client m_public;
    Client m_confidential;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(QStringList{u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_server->createUser(u"alice"_s, u"default"_s, u"admin"_s);
        m_admin = m_server->token(u"alice"_s);
        const QStringList scopeList{u"meeting.read"_s, u"meeting.write"_s, u"meeting.join"_s,
                                    u"recording.read"_s};
        m_public = registerApp(u"Desk"_s, u"public"_s, scopeList);
        m_confidential
            = registerApp(u"Calendar"_s, u"confidential"_s, {u"meeting.read"_s, u"meeting.join"_s});
        QVERIFY(!m_public.clientId.isEmpty() && !m_confidential.secret.isEmpty());
        m_cookie = OAuthFlow(m_server->baseUrl()).signIn(u"default"_s, u"alice"_s);
        QVERIFY(!m_cookie.isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void C14_pkceDowngradesGoBackAsInvalidRequest_data()
    {
        QTest::addColumn<Fields>("pkce");
        QTest::newRow("(a) a public client sends no challenge") << Fields{};
        QTest::newRow("(b) a challenge without a method")
            << Fields{{u"code_challenge"_s, OAuthFlow::pkce().second}};
        QTest::newRow("(c) the plain method")
            << Fields{{u"code_challenge"_s, OAuthFlow::pkce().second},
                      {u"code_challenge_method"_s, u"plain"_s}};
    }

    void C14_pkceDowngradesGoBackAsInvalidRequest()
    {
        QFETCH(Fields, pkce);
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply
            = flow.authorize(authorizeParameters(m_public, u"meeting.read"_s, {}) + pkce, m_cookie);
        QCOMPARE(reply.status, 303);
        const QString location = QString::fromUtf8(reply.header("Location"));
        QVERIFY2(location.startsWith(kRedirect + u'?'), qPrintable(location));
        const auto query = OAuthFlow::locationQuery(reply);
        QCOMPARE(query.value(u"error"_s), u"invalid_request"_s);
        QCOMPARE(query.value(u"state"_s), u"s"_s);
        QVERIFY(!query.contains(u"code"_s));
        // No code was issued: not even the consent page is shown.
        QVERIFY(!reply.body.contains("Approve"));
    }

    void C14_confidentialClientWithoutChallengeRejectsAVerifier()
    {
        const QString code = approvedCode(m_confidential, u"meeting.read"_s, {});
        QVERIFY(!code.isEmpty());
        const ApiReply reply = tokenRequest(m_confidential,
                                            {{u"grant_type"_s, u"authorization_code"_s},
                                             {u"code"_s, code},
                                             {u"redirect_uri"_s, kRedirect},
                                             {u"code_verifier"_s, OAuthFlow::pkce().first}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), u"invalid_grant"_s);
    }

    void C14_wrongMissingOrMalformedVerifiers_data()
    {
        QTest::addColumn<std::optional<QString>>("verifier");
        QTest::addColumn<QString>("error");
        QTest::newRow("a wrong verifier")
            << std::optional(OAuthFlow::pkce().first) << u"invalid_grant"_s;
        QTest::newRow("a missing verifier") << std::optional<QString>() << u"invalid_grant"_s;
        QTest::newRow("a 42-character verifier")
            << std::optional(QString(42, u'a')) << u"invalid_request"_s;
    }

    void C14_wrongMissingOrMalformedVerifiers()
    {
        QFETCH(std::optional<QString>, verifier);
        QFETCH(QString, error);
        const auto [rightVerifier, challenge] = OAuthFlow::pkce();
        const QString code = approvedCode(m_public, u"meeting.read"_s, challenge);
        QVERIFY(!code.isEmpty());
        Fields fields{{u"grant_type"_s, u"authorization_code"_s},
                      {u"code"_s, code},
                      {u"redirect_uri"_s, kRedirect}};
        if (verifier)
            fields << qMakePair(u"code_verifier"_s, *verifier);
        const ApiReply reply = tokenRequest(m_public, fields);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), error);

        // The code that failed PKCE is spent: the right verifier no longer helps.
        const ApiReply retry = tokenRequest(m_public,
                                            {{u"grant_type"_s, u"authorization_code"_s},
                                             {u"code"_s, code},
                                             {u"redirect_uri"_s, kRedirect},
                                             {u"code_verifier"_s, rightVerifier}});
        QCOMPARE(retry.status, 400);
        QCOMPARE(retry.json().value(u"error").toString(), u"invalid_grant"_s);
    }

    void C15_redirectUriVariantsGetAnErrorPage_data()
    {
        QTest::addColumn<QString>("redirectUri");
        QTest::newRow("dot segments") << u"https://app.example.com/callback/../x"_s;
        QTest::newRow("an at sign after the path")
            << u"https://app.example.com/callback@evil.example"_s;
        QTest::newRow("user information") << u"https://app.example.com:443@evil.example/callback"_s;
        QTest::newRow("an encoded slash") << u"https://app.example.com%2F@evil.example/callback"_s;
        QTest::newRow("an added query")
            << u"https://app.example.com/callback?next=https://evil.example"_s;
        QTest::newRow("a trailing slash") << u"https://app.example.com/callback/"_s;
        QTest::newRow("an upper-case host") << u"https://APP.example.com/callback"_s;
        QTest::newRow("plain http") << u"http://app.example.com/callback"_s;
        QTest::newRow("no redirect_uri at all") << QString();
    }

    void C15_redirectUriVariantsGetAnErrorPage()
    {
        QFETCH(QString, redirectUri);
        Fields fields{{u"response_type"_s, u"code"_s},
                      {u"client_id"_s, m_public.clientId},
                      {u"scope"_s, u"meeting.read"_s},
                      {u"state"_s, u"s"_s},
                      {u"code_challenge"_s, OAuthFlow::pkce().second},
                      {u"code_challenge_method"_s, u"S256"_s}};
        if (!redirectUri.isNull())
            fields << qMakePair(u"redirect_uri"_s, redirectUri);
        OAuthFlow flow(m_server->baseUrl());
        for (const QByteArray &cookie : {QByteArray(), m_cookie}) {
            const ApiReply reply = flow.authorize(fields, cookie);
            QCOMPARE(reply.status, 400);
            QVERIFY(reply.header("Location").isEmpty());
            QVERIFY(reply.header("Content-Type").startsWith("text/html"));
            QVERIFY(reply.body.contains("Invalid redirect address"));
        }
    }

    void C15_tokenRequestWithAnotherRedirectUriIsInvalidGrant()
    {
        const auto [verifier, challenge] = OAuthFlow::pkce();
        const QString code = approvedCode(m_public, u"meeting.read"_s, challenge);
        QVERIFY(!code.isEmpty());
        const ApiReply reply
            = tokenRequest(m_public,
                           {{u"grant_type"_s, u"authorization_code"_s},
                            {u"code"_s, code},
                            {u"redirect_uri"_s, u"https://app.example.com/other"_s},
                            {u"code_verifier"_s, verifier}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), u"invalid_grant"_s);
    }

    void C16_reuseOfARotatedRefreshTokenRevokesTheFamily()
    {
        const QJsonObject first = grant(u"meeting.read meeting.join"_s);
        const QString r1 = first.value(u"refresh_token").toString();
        QVERIFY(!r1.isEmpty());

        // 1. R1 gives A2 and R2.
        const ApiReply rotated = refresh(r1);
        QCOMPARE(rotated.status, 200);
        const QString a2 = rotated.json().value(u"access_token").toString();
        const QString r2 = rotated.json().value(u"refresh_token").toString();
        QVERIFY(!r2.isEmpty() && r2 != r1);
        QCOMPARE(apiStatus(a2), 200);

        // 2. R1 again: refused, family compromised, audited.
        const ApiReply reused = refresh(r1);
        QCOMPARE(reused.status, 400);
        QCOMPARE(reused.json().value(u"error").toString(), u"invalid_grant"_s);
        const ApiReply audit
            = ApiClient(m_server->baseUrl(), m_admin).get(u"/v1/audit?page_size=300"_s);
        QVERIFY(audit.body.contains("oauth.refresh_token_reused"));

        // 3. R2 is dead too; 4. so is A2, at once.
        const ApiReply successor = refresh(r2);
        QCOMPARE(successor.status, 400);
        QCOMPARE(successor.json().value(u"error").toString(), u"invalid_grant"_s);
        QCOMPARE(apiStatus(a2), 401);
    }

    void C16_concurrentRefreshesYieldExactlyOneSuccess()
    {
        const QString r1 = grant(u"meeting.read"_s).value(u"refresh_token").toString();
        QVERIFY(!r1.isEmpty());
        const QByteArray body = OAuthFlow::formEncode({{u"grant_type"_s, u"refresh_token"_s},
                                                       {u"refresh_token"_s, r1},
                                                       {u"client_id"_s, m_public.clientId}});
        const QByteArray request = "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Content-Type: application/x-www-form-urlencoded\r\n"
                                   "Connection: close\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        // Two sockets, written at the same moment.
        QByteArray answers[2];
        const quint16 port = m_server->port();
        std::thread one([&] { answers[0] = rawExchange(port, request); });
        std::thread two([&] { answers[1] = rawExchange(port, request); });
        one.join();
        two.join();
        int ok = 0;
        int refused = 0;
        for (const QByteArray &answer : answers) {
            ok += answer.startsWith("HTTP/1.1 200");
            refused += answer.startsWith("HTTP/1.1 400");
        }
        QCOMPARE(ok, 1);
        QCOMPARE(refused, 1);
    }

    void C16_refreshTokensAreStoredHashed()
    {
        const QString r1 = grant(u"meeting.read"_s).value(u"refresh_token").toString();
        QVERIFY(!r1.isEmpty());
        if (m_server->databaseEngine() == u"sqlite") {
            // Every byte SQLite keeps: the file and its write-ahead log.
            QFile database(m_server->dataDir() + u"/quorum.db"_s);
            QVERIFY(database.open(QIODevice::ReadOnly));
            QFile wal(m_server->dataDir() + u"/quorum.db-wal"_s);
            const QByteArray bytes = database.readAll()
                + (wal.open(QIODevice::ReadOnly) ? wal.readAll() : QByteArray());
            QVERIFY(!bytes.contains(r1.toLatin1()));
        } else {
            QCOMPARE(tablesHolding(r1), QStringList());
        }
    }

    void C17_refreshNarrowsButNeverWidens()
    {
        const QJsonObject granted = grant(u"meeting.read meeting.join"_s);
        QCOMPARE(granted.value(u"scope").toString(), u"meeting.read meeting.join"_s);
        QString token = granted.value(u"refresh_token").toString();

        // (a) no scope: the whole grant.
        ApiReply reply = refresh(token);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"scope").toString(), u"meeting.read meeting.join"_s);
        token = reply.json().value(u"refresh_token").toString();

        // (b) narrower: the access token says so, the refresh token keeps the grant.
        reply = refresh(token, u"meeting.read"_s);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"scope").toString(), u"meeting.read"_s);
        const QString narrow = reply.json().value(u"access_token").toString();
        const QJsonObject me = ApiClient(m_server->baseUrl(), narrow).get(u"/v1/me"_s).json();
        QCOMPARE(me.value(u"scopes").toArray(), QJsonArray{u"meeting.read"_s});
        token = reply.json().value(u"refresh_token").toString();

        // The narrowed token may not change a meeting.
        const QString meetingId = ApiClient(m_server->baseUrl(), m_admin)
                                      .post(u"/v1/meetings"_s,
                                            {{u"topic"_s, u"Scoped"_s},
                                             {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                             {u"duration_minutes"_s, 30}})
                                      .json()
                                      .value(u"id")
                                      .toString();
        const ApiReply patched
            = ApiClient(m_server->baseUrl(), narrow)
                  .patch(u"/v1/meetings/"_s + meetingId, {{u"topic"_s, u"Changed"_s}});
        QCOMPARE(patched.status, 403);
        QCOMPARE(patched.code(), u"insufficient_scope"_s);

        // (c) wider: refused, and no partial token.
        reply = refresh(token, u"meeting.read recording.read"_s);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), u"invalid_scope"_s);
        QVERIFY(!reply.json().contains(u"access_token"));

        // (d) after the narrowing, no scope: the whole grant again.
        reply = refresh(token);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"scope").toString(), u"meeting.read meeting.join"_s);
    }

    void C17_clientCredentialsCannotAskForMore()
    {
        const ApiReply reply = tokenRequest(
            m_confidential,
            {{u"grant_type"_s, u"client_credentials"_s}, {u"scope"_s, u"webhook.write"_s}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), u"invalid_scope"_s);
    }
};

QTEST_GUILESS_MAIN(tst_CasesOAuth)
#include "tst_cases_oauth.moc"
