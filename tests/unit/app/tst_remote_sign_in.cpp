// RemoteSignIn against a real quorumd: the authorization request carries an S256 challenge,
// a signed-in browser session approves it (driven over HTTP by OAuthFlow instead of a
// browser), the loopback listener receives the code, and the token exchange with the
// verifier yields an access token that works and is kept in the SecretStore. The next sign-in
// uses the stored refresh token without the browser; a refused one sends the user to the
// browser again.

#include "ApiClient.h"
#include "CallWaiter.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"
#include "RemoteSignIn.h"
#include "SecretStore.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QUrlQuery>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_RemoteSignIn : public QObject
{
    Q_OBJECT

private:
    // The authorization request's parameters, as the consent page's form sends them back.
    static QList<QPair<QString, QString>> parametersOf(const QUrlQuery &query)
    {
        QList<QPair<QString, QString>> parameters;
        for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded))
            parameters.append({name, value});
        return parameters;
    }

    // Reads one secret of the store.
    QString storedSecret(SecretStore &secrets, const QString &key)
    {
        QString stored;
        bool read = false;
        secrets.read(u"remote:"_s + QUrl(m_server->baseUrl()).toString(QUrl::RemovePath) + key,
                     this, [&](const QString &value) {
                         stored = value;
                         read = true;
                     });
        if (!QTest::qWaitFor([&] { return read; }, 5000))
            return u"(not read)"_s;
        return stored;
    }

    // Signs in through "the browser" (hana approves over HTTP); the access token, or empty.
    QString signInThroughTheBrowser(RemoteSignIn &signIn)
    {
        QSignalSpy browser(&signIn, &RemoteSignIn::browserUrl);
        QSignalSpy signedIn(&signIn, &RemoteSignIn::signedIn);
        signIn.signIn(QUrl(m_server->baseUrl()));
        if (!QTest::qWaitFor([&] { return !browser.isEmpty(); }, 10000))
            return {};
        const QUrlQuery query(browser.first().first().toUrl());
        OAuthFlow flow(m_server->baseUrl());
        const QByteArray cookie = flow.signIn(u"default"_s, u"hana"_s);
        const auto parameters = parametersOf(query);
        const ApiReply approved = flow.decide(parameters, cookie);
        QNetworkAccessManager browserNetwork;
        QNetworkReply *followed = browserNetwork.get(
            QNetworkRequest(QUrl(QString::fromUtf8(approved.header("Location")))));
        const bool arrived = QTest::qWaitFor([&] { return !signedIn.isEmpty(); }, 15000);
        followed->deleteLater();
        return arrived ? signedIn.first().at(1).toString() : QString();
    }

    int statusWith(const QString &token)
    {
        quorum::ApiClient client;
        client.setBaseUrl(QUrl(m_server->baseUrl()));
        client.setToken(token);
        return waitFor(client.get(u"/v1/me"_s)).status;
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(QStringList{u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        QVERIFY(!m_server->createUser(u"hana"_s, u"default"_s, u"admin"_s).isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void signsInWithPkceThroughTheLoopbackListener()
    {
        SecretStore secrets(m_dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        RemoteSignIn signIn(&secrets);
        signIn.setOpensBrowser(false);
        QSignalSpy browser(&signIn, &RemoteSignIn::browserUrl);
        QSignalSpy signedIn(&signIn, &RemoteSignIn::signedIn);
        const QUrl server(m_server->baseUrl());

        signIn.signIn(server, u"meeting.read meeting.write"_s);
        QTRY_COMPARE(browser.size(), 1);
        QVERIFY(signIn.isBusy());
        const QUrl authorize = browser.first().first().toUrl();
        const QUrlQuery query(authorize);
        QCOMPARE(query.queryItemValue(u"client_id"_s), u"quorum-desktop"_s);
        QCOMPARE(query.queryItemValue(u"code_challenge_method"_s), u"S256"_s);
        QCOMPARE(query.queryItemValue(u"code_challenge"_s).size(), 43);
        const QUrl redirect(query.queryItemValue(u"redirect_uri"_s, QUrl::FullyDecoded));
        QCOMPARE(redirect.host(), u"127.0.0.1"_s);
        QCOMPARE(redirect.path(), u"/callback"_s);

        // The user signs in and approves in "the browser".
        OAuthFlow flow(m_server->baseUrl());
        const QByteArray cookie = flow.signIn(u"default"_s, u"hana"_s);
        QVERIFY(!cookie.isEmpty());
        const auto parameters = parametersOf(query);
        const ApiReply approved = flow.decide(parameters, cookie);
        QCOMPARE(approved.status, 303);
        const QUrl back(QString::fromUtf8(approved.header("Location")));
        QVERIFY2(QUrlQuery(back).hasQueryItem(u"code"_s), approved.header("Location").constData());

        // The browser follows the redirect to the app's listener.
        QNetworkAccessManager browserNetwork;
        QNetworkReply *followed = browserNetwork.get(QNetworkRequest(back));
        QTRY_VERIFY_WITH_TIMEOUT(signedIn.size() == 1, 15000);
        followed->deleteLater();

        const QString token = signedIn.first().at(1).toString();
        QVERIFY(!token.isEmpty());
        QVERIFY(!signIn.isBusy());
        QVERIFY(signIn.error().isEmpty());
        quorum::ApiClient client;
        client.setBaseUrl(server);
        client.setToken(token);
        const CallOutcome me = waitFor(client.get(u"/v1/me"_s));
        QCOMPARE(me.status, 200);

        QString stored;
        bool read = false;
        secrets.read(u"remote:"_s + server.toString(QUrl::RemovePath) + u":access"_s, this,
                     [&](const QString &value) {
                         stored = value;
                         read = true;
                     });
        QTRY_VERIFY(read);
        QCOMPARE(stored, token);
    }

    void theNextSignInUsesTheStoredRefreshTokenWithoutTheBrowser()
    {
        QTemporaryDir dir;
        SecretStore secrets(dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        RemoteSignIn signIn(&secrets);
        signIn.setOpensBrowser(false);
        QVERIFY(!signInThroughTheBrowser(signIn).isEmpty());
        const QString firstRefresh = storedSecret(secrets, u":refresh"_s);
        QVERIFY(!firstRefresh.isEmpty());
        QSignalSpy browser(&signIn, &RemoteSignIn::browserUrl);
        QSignalSpy signedIn(&signIn, &RemoteSignIn::signedIn);

        signIn.signIn(QUrl(m_server->baseUrl()));

        QTRY_COMPARE_WITH_TIMEOUT(signedIn.size(), 1, 10000);
        QCOMPARE(browser.size(), 0);
        QVERIFY(signIn.error().isEmpty());
        const QString access = signedIn.first().at(1).toString();
        QCOMPARE(statusWith(access), 200);
        QCOMPARE(storedSecret(secrets, u":access"_s), access);
        const QString rotated = storedSecret(secrets, u":refresh"_s);
        QVERIFY(!rotated.isEmpty());
        QVERIFY(rotated != firstRefresh);
    }

    void aRefusedRefreshTokenSendsTheUserToTheBrowserAgain()
    {
        QTemporaryDir dir;
        SecretStore secrets(dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        bool written = false;
        secrets.write(u"remote:"_s + QUrl(m_server->baseUrl()).toString(QUrl::RemovePath)
                          + u":refresh"_s,
                      u"qrt_not_a_token"_s, this, [&](bool) { written = true; });
        QTRY_VERIFY(written);
        RemoteSignIn signIn(&secrets);
        signIn.setOpensBrowser(false);

        const QString access = signInThroughTheBrowser(signIn);

        QVERIFY(!access.isEmpty());
        QCOMPARE(statusWith(access), 200);
        QVERIFY(storedSecret(secrets, u":refresh"_s) != u"qrt_not_a_token"_s);
    }

    void aDeniedConsentEndsTheAttemptWithAnError()
    {
        QTemporaryDir dir;
        SecretStore secrets(dir.filePath(u"app"_s));
        secrets.useFallbackOnly();
        RemoteSignIn signIn(&secrets);
        signIn.setOpensBrowser(false);
        QSignalSpy browser(&signIn, &RemoteSignIn::browserUrl);
        signIn.signIn(QUrl(m_server->baseUrl()));
        QTRY_COMPARE(browser.size(), 1);
        const QUrlQuery query(browser.first().first().toUrl());

        OAuthFlow flow(m_server->baseUrl());
        const QByteArray cookie = flow.signIn(u"default"_s, u"hana"_s);
        const auto parameters = parametersOf(query);
        const ApiReply denied = flow.decide(parameters, cookie, u"deny"_s);
        QCOMPARE(denied.status, 303);
        QNetworkAccessManager browserNetwork;
        QNetworkReply *followed = browserNetwork.get(
            QNetworkRequest(QUrl(QString::fromUtf8(denied.header("Location")))));

        QTRY_VERIFY_WITH_TIMEOUT(!signIn.isBusy(), 15000);
        QVERIFY(!signIn.error().isEmpty());
        followed->deleteLater();
    }
};

QTEST_GUILESS_MAIN(tst_RemoteSignIn)
#include "tst_remote_sign_in.moc"
