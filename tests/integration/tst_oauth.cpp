// The OAuth 2 server end to end: the authorization endpoint (sign-in, consent, deny, refusals),
// client authentication at the token endpoint, every grant and its errors, the built-in
// quorum-desktop client, revocation, introspection and the server metadata.

#include "ApiClient.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kRedirect = u"https://app.example.com/callback"_s;

using Fields = QList<QPair<QString, QString>>;

} // namespace

class tst_OAuth : public QObject
{
    Q_OBJECT

private:
    using Client = OAuthFlow::RegisteredApp;

    Client registerApp(const QString &name, const QString &type, bool install = true,
                       const QStringList &scopeList = {u"meeting.read"_s, u"meeting.join"_s})
    {
        return OAuthFlow::registerApp(m_server->baseUrl(), m_admin,
                                      {{u"name"_s, name},
                                       {u"description"_s, u"Puts <meetings> in your calendar."_s},
                                       {u"client_type"_s, type},
                                       {u"redirect_uris"_s, QJsonArray{kRedirect}},
                                       {u"scopes"_s, QJsonArray::fromStringList(scopeList)}},
                                      install);
    }

    Fields parameters(const Client &client, const QString &challenge,
                      const QString &redirect = kRedirect) const
    {
        return OAuthFlow::authorizeParameters(client.clientId, redirect, u"meeting.read"_s,
                                              u"xyz 1"_s, challenge);
    }

    // The form of a token request from a confidential client authenticated by HTTP Basic.
    ApiReply basicToken(const Client &client, const Fields &fields)
    {
        return OAuthFlow(m_server->baseUrl())
            .post(u"/oauth/token"_s, fields, client.clientId, client.secret);
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_admin;
    QByteArray m_cookie; // alice, admin of default
    QByteArray m_otherCookie; // olga, admin of the workspace "other"
    Client m_confidential;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(QStringList{u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_server->createUser(u"alice"_s, u"default"_s, u"admin"_s);
        m_server->createWorkspace(u"other"_s);
        m_server->createUser(u"olga"_s, u"other"_s, u"admin"_s);
        m_admin = m_server->token(u"alice"_s);
        m_confidential = registerApp(u"Calendar"_s, u"confidential"_s);
        QVERIFY(!m_confidential.secret.isEmpty());
        m_cookie = OAuthFlow(m_server->baseUrl()).signIn(u"default"_s, u"alice"_s);
        m_otherCookie = OAuthFlow(m_server->baseUrl()).signIn(u"other"_s, u"olga"_s);
        QVERIFY(!m_cookie.isEmpty() && !m_otherCookie.isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void authorizeSendsAnonymousBrowsersToSignIn()
    {
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply = flow.authorize(parameters(m_confidential, {}));
        QCOMPARE(reply.status, 303);
        const QString location = QString::fromUtf8(reply.header("Location"));
        QVERIFY2(location.startsWith(u"/signin?next=%2Foauth%2Fauthorize"_s)
                     || location.startsWith(u"/signin?next=/oauth/authorize"_s),
                 qPrintable(location));
        QVERIFY(location.contains(m_confidential.clientId));
    }

    void consentPageShowsTheAppTheUserAndTheScopes()
    {
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply page = flow.authorize(parameters(m_confidential, {}), m_cookie);
        QCOMPARE(page.status, 200);
        QVERIFY(page.header("Content-Type").startsWith("text/html"));
        QVERIFY(page.header("Content-Security-Policy").contains("default-src 'none'"));
        QCOMPARE(page.header("X-Frame-Options"), QByteArray("DENY"));
        const QByteArray html = page.body;
        QVERIFY(html.contains("Quorum"));
        QVERIFY(html.contains("Allow Calendar to use your Quorum account?"));
        QVERIFY(html.contains("Puts &lt;meetings&gt; in your calendar."));
        QVERIFY(html.contains("alice"));
        QVERIFY(html.contains("default"));
        QVERIFY(html.contains("See your meetings"));
        QVERIFY(!html.contains("Join meetings as you")); // asked only meeting.read
        QVERIFY(html.contains("name=\"csrf_token\""));
        QVERIFY(html.contains("value=\"approve\"") && html.contains("value=\"deny\""));
        QVERIFY(!html.contains("<script"));
    }

    void approveRedirectsWithACodeAndTheState()
    {
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply = flow.decide(parameters(m_confidential, {}), m_cookie);
        QCOMPARE(reply.status, 303);
        QVERIFY(reply.header("Location").startsWith(kRedirect.toUtf8() + "?code="));
        const auto query = OAuthFlow::locationQuery(reply);
        QVERIFY(query.value(u"code"_s).startsWith(u"qoc_"_s));
        QCOMPARE(query.value(u"state"_s), u"xyz 1"_s);
    }

    void denyRedirectsWithAccessDenied()
    {
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply = flow.decide(parameters(m_confidential, {}), m_cookie, u"deny"_s);
        QCOMPARE(reply.status, 303);
        const auto query = OAuthFlow::locationQuery(reply);
        QCOMPARE(query.value(u"error"_s), u"access_denied"_s);
        QVERIFY(!query.contains(u"code"_s));
    }

    void approvalWithoutTheSessionsCsrfTokenIsRefused()
    {
        Fields fields = parameters(m_confidential, {});
        fields << qMakePair(u"csrf_token"_s, u"forged"_s) << qMakePair(u"decision"_s, u"approve"_s);
        const ApiReply reply
            = OAuthFlow(m_server->baseUrl())
                  .client()
                  .send("POST", u"/oauth/authorize"_s, OAuthFlow::formEncode(fields),
                        {{"Content-Type", "application/x-www-form-urlencoded"},
                         {"Cookie", m_cookie}});
        QCOMPARE(reply.status, 403);
        QVERIFY(reply.header("Location").isEmpty());
    }

    void authorizeRefusals_data()
    {
        QTest::addColumn<Fields>("changes");
        QTest::addColumn<QString>("error");
        QTest::newRow("another response type")
            << Fields{{u"response_type"_s, u"token"_s}} << u"unsupported_response_type"_s;
        QTest::newRow("an unknown scope")
            << Fields{{u"scope"_s, u"meeting.everything"_s}} << u"invalid_scope"_s;
        QTest::newRow("a scope the app does not ask for")
            << Fields{{u"scope"_s, u"recording.read"_s}} << u"invalid_scope"_s;
        QTest::newRow("a malformed challenge")
            << Fields{{u"code_challenge"_s, u"short"_s}, {u"code_challenge_method"_s, u"S256"_s}}
            << u"invalid_request"_s;
        QTest::newRow("a method without a challenge")
            << Fields{{u"code_challenge_method"_s, u"S256"_s}} << u"invalid_request"_s;
    }

    void authorizeRefusals()
    {
        QFETCH(Fields, changes);
        QFETCH(QString, error);
        Fields fields = parameters(m_confidential, {});
        for (const auto &[name, value] : changes) {
            fields.removeIf([&](const auto &field) { return field.first == name; });
            fields << qMakePair(name, value);
        }
        const ApiReply reply = OAuthFlow(m_server->baseUrl()).authorize(fields, m_cookie);
        QCOMPARE(reply.status, 303);
        const auto query = OAuthFlow::locationQuery(reply);
        QCOMPARE(query.value(u"error"_s), error);
        QVERIFY(!query.value(u"error_description"_s).isEmpty());
        QCOMPARE(query.value(u"state"_s), u"xyz 1"_s);
    }

    void unknownClientsAndRepeatedParametersGetAnErrorPage()
    {
        OAuthFlow flow(m_server->baseUrl());
        Client unknown{{}, u"qcid_nobody"_s, {}};
        ApiReply reply = flow.authorize(parameters(unknown, {}), m_cookie);
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.body.contains("Unknown app"));
        QVERIFY(reply.header("Location").isEmpty());

        Fields twice = parameters(m_confidential, {});
        twice << qMakePair(u"redirect_uri"_s, kRedirect);
        reply = flow.authorize(twice, m_cookie);
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.header("Location").isEmpty());

        Fields scopeTwice = parameters(m_confidential, {});
        scopeTwice << qMakePair(u"scope"_s, u"meeting.join"_s);
        reply = flow.authorize(scopeTwice, m_cookie);
        QCOMPARE(reply.status, 303);
        QCOMPARE(OAuthFlow::locationQuery(reply).value(u"error"_s), u"invalid_request"_s);
    }

    void anAppNotInstalledInTheUsersWorkspaceIsDenied()
    {
        const ApiReply reply = OAuthFlow(m_server->baseUrl())
                                   .authorize(parameters(m_confidential, {}), m_otherCookie);
        QCOMPARE(reply.status, 303);
        const auto query = OAuthFlow::locationQuery(reply);
        QCOMPARE(query.value(u"error"_s), u"access_denied"_s);
        QVERIFY(query.value(u"error_description"_s).contains(u"not installed"_s));
    }

    void authorizationCodeGrantWithBasicAuthentication()
    {
        OAuthFlow flow(m_server->baseUrl());
        const QString code
            = OAuthFlow::locationQuery(flow.decide(parameters(m_confidential, {}), m_cookie))
                  .value(u"code"_s);
        const ApiReply reply = basicToken(m_confidential,
                                          {{u"grant_type"_s, u"authorization_code"_s},
                                           {u"code"_s, code},
                                           {u"redirect_uri"_s, kRedirect}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.header("Cache-Control"), QByteArray("no-store"));
        const QJsonObject json = reply.json();
        QCOMPARE(json.value(u"token_type").toString(), u"Bearer"_s);
        QCOMPARE(json.value(u"expires_in").toInt(), 3600);
        QCOMPARE(json.value(u"scope").toString(), u"meeting.read"_s);
        QVERIFY(json.value(u"refresh_token").toString().startsWith(u"qort_"_s));

        const ApiReply me = ApiClient(m_server->baseUrl(), json.value(u"access_token").toString())
                                .get(u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        const QJsonObject credential = me.json().value(u"credential").toObject();
        QCOMPARE(credential.value(u"type").toString(), u"oauth"_s);
        QCOMPARE(credential.value(u"first_party").toBool(), false);
        QCOMPARE(me.json().value(u"user").toObject().value(u"name").toString(), u"alice"_s);
        // A third-party token may not manage tokens.
        QCOMPARE(ApiClient(m_server->baseUrl(), json.value(u"access_token").toString())
                     .get(u"/v1/tokens"_s)
                     .status,
                 403);
    }

    void aCodeUsedTwiceRevokesWhatItGave()
    {
        OAuthFlow flow(m_server->baseUrl());
        const QString code
            = OAuthFlow::locationQuery(flow.decide(parameters(m_confidential, {}), m_cookie))
                  .value(u"code"_s);
        const Fields fields{{u"grant_type"_s, u"authorization_code"_s},
                            {u"code"_s, code},
                            {u"redirect_uri"_s, kRedirect}};
        const ApiReply first = basicToken(m_confidential, fields);
        QCOMPARE(first.status, 200);
        const QString access = first.json().value(u"access_token").toString();
        const QString refresh = first.json().value(u"refresh_token").toString();
        QCOMPARE(ApiClient(m_server->baseUrl(), access).get(u"/v1/meetings"_s).status, 200);

        const ApiReply second = basicToken(m_confidential, fields);
        QCOMPARE(second.status, 400);
        QCOMPARE(second.json().value(u"error").toString(), u"invalid_grant"_s);
        QCOMPARE(ApiClient(m_server->baseUrl(), access).get(u"/v1/meetings"_s).status, 401);
        const ApiReply refreshed = basicToken(
            m_confidential, {{u"grant_type"_s, u"refresh_token"_s}, {u"refresh_token"_s, refresh}});
        QCOMPARE(refreshed.json().value(u"error").toString(), u"invalid_grant"_s);
    }

    void clientAuthenticationFailures_data()
    {
        QTest::addColumn<QString>("basicId");
        QTest::addColumn<QString>("basicSecret");
        QTest::addColumn<Fields>("fields");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const Fields grant{{u"grant_type"_s, u"client_credentials"_s}};
        QTest::newRow("a wrong secret by Basic")
            << m_confidential.clientId << u"qcs_wrong"_s << grant << 401 << u"invalid_client"_s;
        QTest::newRow("a wrong secret in the form")
            << QString() << QString()
            << (grant
                + Fields{{u"client_id"_s, m_confidential.clientId},
                         {u"client_secret"_s, u"qcs_wrong"_s}})
            << 401 << u"invalid_client"_s;
        QTest::newRow("an unknown client")
            << u"qcid_nobody"_s << u"x"_s << grant << 401 << u"invalid_client"_s;
        QTest::newRow("no client at all")
            << QString() << QString() << grant << 401 << u"invalid_client"_s;
        QTest::newRow("a confidential client without its secret")
            << QString() << QString() << (grant + Fields{{u"client_id"_s, m_confidential.clientId}})
            << 401 << u"invalid_client"_s;
        QTest::newRow("two authentication methods at once")
            << m_confidential.clientId << m_confidential.secret
            << (grant + Fields{{u"client_secret"_s, m_confidential.secret}}) << 400
            << u"invalid_request"_s;
    }

    void clientAuthenticationFailures()
    {
        QFETCH(QString, basicId);
        QFETCH(QString, basicSecret);
        QFETCH(Fields, fields);
        QFETCH(int, status);
        QFETCH(QString, error);
        const ApiReply reply
            = OAuthFlow(m_server->baseUrl()).post(u"/oauth/token"_s, fields, basicId, basicSecret);
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.json().value(u"error").toString(), error);
        QVERIFY(reply.json().contains(u"error_description"));
        if (status == 401)
            QCOMPARE(reply.header("WWW-Authenticate"), QByteArray("Basic realm=\"quorum\""));
    }

    void tokenEndpointRefusals_data()
    {
        QTest::addColumn<Fields>("fields");
        QTest::addColumn<QString>("error");
        QTest::newRow("no grant type") << Fields{} << u"invalid_request"_s;
        QTest::newRow("an unsupported grant type")
            << Fields{{u"grant_type"_s, u"password"_s}} << u"unsupported_grant_type"_s;
        QTest::newRow("an authorization code grant without a code")
            << Fields{{u"grant_type"_s, u"authorization_code"_s}} << u"invalid_request"_s;
        QTest::newRow("an unknown code") << Fields{{u"grant_type"_s, u"authorization_code"_s},
                                                   {u"code"_s, u"qoc_unknown"_s},
                                                   {u"redirect_uri"_s, kRedirect}}
                                         << u"invalid_grant"_s;
        QTest::newRow("a refresh grant without a token")
            << Fields{{u"grant_type"_s, u"refresh_token"_s}} << u"invalid_request"_s;
        QTest::newRow("an unknown refresh token")
            << Fields{{u"grant_type"_s, u"refresh_token"_s}, {u"refresh_token"_s, u"qort_x"_s}}
            << u"invalid_grant"_s;
        QTest::newRow("client credentials in a workspace without the app")
            << Fields{{u"grant_type"_s, u"client_credentials"_s}, {u"workspace"_s, u"other"_s}}
            << u"invalid_request"_s;
        // RFC 6749 section 3.2: parameters must not be included more than once.
        QTest::newRow("a parameter sent twice")
            << Fields{{u"grant_type"_s, u"client_credentials"_s},
                      {u"grant_type"_s, u"client_credentials"_s}}
            << u"invalid_request"_s;
    }

    void aTokenRequestThatIsNotAFormGetsAnOAuthError()
    {
        const QByteArray basic
            = (m_confidential.clientId + u':' + m_confidential.secret).toUtf8().toBase64();
        const QByteArray body = R"({"grant_type":"client_credentials"})";
        const QByteArray answer
            = rawExchange(m_server->port(),
                          "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Authorization: Basic "
                              + basic + "\r\nContent-Type: application/json\r\nContent-Length: "
                              + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QVERIFY2(answer.startsWith("HTTP/1.1 400 "), answer.constData());
        QVERIFY(answer.contains("\"error\":\"invalid_request\""));
        QVERIFY(!answer.contains("problem+json"));
    }

    void tokenEndpointRefusals()
    {
        QFETCH(Fields, fields);
        QFETCH(QString, error);
        const ApiReply reply = basicToken(m_confidential, fields);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.json().value(u"error").toString(), error);
        QCOMPARE(reply.header("Cache-Control"), QByteArray("no-store"));
    }

    void clientCredentialsActForTheWorkspace()
    {
        const ApiReply reply = basicToken(
            m_confidential,
            {{u"grant_type"_s, u"client_credentials"_s}, {u"scope"_s, u"meeting.read"_s}});
        QCOMPARE(reply.status, 200);
        QVERIFY(!reply.json().contains(u"refresh_token"));
        QCOMPARE(reply.json().value(u"scope").toString(), u"meeting.read"_s);
        const ApiReply me
            = ApiClient(m_server->baseUrl(), reply.json().value(u"access_token").toString())
                  .get(u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        // No user: the app acts for the workspace, with the client's id as its name.
        QVERIFY(me.json().value(u"user").isNull());
        QCOMPARE(me.json()[u"credential"_s][u"client_id"_s].toString(), m_confidential.clientId);
        QCOMPARE(me.json()[u"credential"_s][u"first_party"_s].toBool(), false);

        // A public client may not use client credentials.
        const Client desk = registerApp(u"Desk"_s, u"public"_s);
        const ApiReply publicReply = OAuthFlow(m_server->baseUrl())
                                         .post(u"/oauth/token"_s,
                                               {{u"grant_type"_s, u"client_credentials"_s},
                                                {u"client_id"_s, desk.clientId}});
        QCOMPARE(publicReply.status, 400);
        QCOMPARE(publicReply.json().value(u"error").toString(), u"unauthorized_client"_s);
    }

    void theDesktopClientRedirectsToAnyLoopbackPort_data()
    {
        QTest::addColumn<QString>("redirect");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("127.0.0.1 on a high port") << u"http://127.0.0.1:49152/callback"_s << true;
        QTest::newRow("[::1] on another port") << u"http://[::1]:8123/callback"_s << true;
        QTest::newRow("localhost is not a literal address")
            << u"http://localhost:8123/callback"_s << false;
        QTest::newRow("another path") << u"http://127.0.0.1:8123/other"_s << false;
        QTest::newRow("https on loopback") << u"https://127.0.0.1:8123/callback"_s << false;
        QTest::newRow("a port out of range") << u"http://127.0.0.1:70000/callback"_s << false;
    }

    void theDesktopClientRedirectsToAnyLoopbackPort()
    {
        QFETCH(QString, redirect);
        QFETCH(bool, allowed);
        const auto [verifier, challenge] = OAuthFlow::pkce();
        Client desktop{{}, u"quorum-desktop"_s, {}};
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply reply = flow.decide(parameters(desktop, challenge, redirect), m_cookie);
        if (!allowed) {
            QCOMPARE(reply.status, 400);
            QVERIFY(reply.header("Location").isEmpty());
            return;
        }
        QCOMPARE(reply.status, 303);
        const QString code = OAuthFlow::locationQuery(reply).value(u"code"_s);
        const ApiReply token = flow.post(u"/oauth/token"_s,
                                         {{u"grant_type"_s, u"authorization_code"_s},
                                          {u"code"_s, code},
                                          {u"redirect_uri"_s, redirect},
                                          {u"client_id"_s, desktop.clientId},
                                          {u"code_verifier"_s, verifier}});
        QCOMPARE(token.status, 200);
        // First-party: it may manage the user's tokens.
        ApiClient api(m_server->baseUrl(), token.json().value(u"access_token").toString());
        QCOMPARE(api.get(u"/v1/me"_s).json().value(u"credential").toObject().value(u"first_party"),
                 QJsonValue(true));
        QCOMPARE(api.get(u"/v1/tokens"_s).status, 200);
    }

    void revocation()
    {
        OAuthFlow flow(m_server->baseUrl());
        auto grant = [&] {
            const QString code
                = OAuthFlow::locationQuery(flow.decide(parameters(m_confidential, {}), m_cookie))
                      .value(u"code"_s);
            return basicToken(m_confidential,
                              {{u"grant_type"_s, u"authorization_code"_s},
                               {u"code"_s, code},
                               {u"redirect_uri"_s, kRedirect}})
                .json();
        };
        auto revoke = [&](const QString &token, const QString &hint) {
            Fields fields{{u"token"_s, token}};
            if (!hint.isEmpty())
                fields << qMakePair(u"token_type_hint"_s, hint);
            return flow.post(u"/oauth/revoke"_s, fields, m_confidential.clientId,
                             m_confidential.secret);
        };

        // An access token: ends at once, its refresh token lives on.
        QJsonObject tokens = grant();
        ApiClient api(m_server->baseUrl(), tokens.value(u"access_token").toString());
        QCOMPARE(api.get(u"/v1/meetings"_s).status, 200);
        QCOMPARE(revoke(tokens.value(u"access_token").toString(), u"access_token"_s).status, 200);
        QCOMPARE(api.get(u"/v1/meetings"_s).status, 401);
        const ApiReply refreshed
            = basicToken(m_confidential,
                         {{u"grant_type"_s, u"refresh_token"_s},
                          {u"refresh_token"_s, tokens.value(u"refresh_token").toString()}});
        QCOMPARE(refreshed.status, 200);

        // A refresh token: its whole family ends, access tokens included.
        ApiClient successor(m_server->baseUrl(),
                            refreshed.json().value(u"access_token").toString());
        QCOMPARE(successor.get(u"/v1/meetings"_s).status, 200);
        QCOMPARE(revoke(refreshed.json().value(u"refresh_token").toString(), {}).status, 200);
        QCOMPARE(successor.get(u"/v1/meetings"_s).status, 401);

        // Unknown tokens: 200 all the same.
        QCOMPARE(revoke(u"qoat_nothing"_s, {}).status, 200);
        // Without client authentication: refused.
        QCOMPARE(flow.post(u"/oauth/revoke"_s, {{u"token"_s, u"x"_s}}).status, 401);
    }

    void introspection()
    {
        OAuthFlow flow(m_server->baseUrl());
        const QString access
            = basicToken(m_confidential, {{u"grant_type"_s, u"client_credentials"_s}})
                  .json()
                  .value(u"access_token")
                  .toString();
        auto introspect = [&](const Client &client, const QString &token) {
            return flow.post(u"/oauth/introspect"_s, {{u"token"_s, token}}, client.clientId,
                             client.secret);
        };
        ApiReply reply = introspect(m_confidential, access);
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"active").toBool(), true);
        QCOMPARE(reply.json().value(u"client_id").toString(), m_confidential.clientId);
        QCOMPARE(reply.json().value(u"scope").toString(), u"meeting.read meeting.join"_s);
        QVERIFY(reply.json().value(u"exp").toInteger() > QDateTime::currentSecsSinceEpoch());

        // Another client's token, or a personal one, is inactive for this client.
        const Client other = registerApp(u"Other"_s, u"confidential"_s);
        reply = introspect(other, access);
        QCOMPARE(reply.json(), QJsonObject({{u"active"_s, false}}));
        QCOMPARE(introspect(m_confidential, m_admin).json(), QJsonObject({{u"active"_s, false}}));

        // Public clients may not introspect.
        const Client desk = registerApp(u"Desk2"_s, u"public"_s);
        reply = flow.post(u"/oauth/introspect"_s,
                          {{u"token"_s, access}, {u"client_id"_s, desk.clientId}});
        QCOMPARE(reply.status, 401);
        QCOMPARE(reply.json().value(u"error").toString(), u"invalid_client"_s);
    }

    void serverMetadata()
    {
        const ApiReply reply
            = ApiClient(m_server->baseUrl()).get(u"/.well-known/oauth-authorization-server"_s);
        QCOMPARE(reply.status, 200);
        const QJsonObject json = reply.json();
        QCOMPARE(json.value(u"issuer").toString(), m_server->baseUrl());
        QCOMPARE(json.value(u"token_endpoint").toString(), m_server->baseUrl() + u"/oauth/token"_s);
        QCOMPARE(json.value(u"authorization_endpoint").toString(),
                 m_server->baseUrl() + u"/oauth/authorize"_s);
        QCOMPARE(json.value(u"code_challenge_methods_supported").toArray(), QJsonArray{u"S256"_s});
        QVERIFY(json.value(u"grant_types_supported").toArray().contains(u"client_credentials"_s));
        QVERIFY(json.value(u"scopes_supported").toArray().contains(u"recording.write"_s));
        QVERIFY(json.value(u"token_endpoint_auth_methods_supported")
                    .toArray()
                    .contains(u"client_secret_basic"_s));
    }
};

QTEST_GUILESS_MAIN(tst_OAuth)
#include "tst_oauth.moc"
