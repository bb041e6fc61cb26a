// The browser pages end to end over raw HTTP: cookies and their attributes, the login CSRF
// and session CSRF checks, the open-redirect guard, sign-in rate limiting and its audit rows,
// set-password links (single use, expiry) and HTML escaping.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QUrl>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kPassword = "correct horse battery staple";

struct RawPage
{
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers; // names lower case
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == name)
                return value;
        }
        return {};
    }
    // The Set-Cookie header that sets `name`.
    QByteArray setCookie(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key == "set-cookie" && value.startsWith(name + '='))
                return value;
        }
        return {};
    }
    // The value a Set-Cookie gives to `name`.
    QByteArray cookieValue(const QByteArray &name) const
    {
        const QByteArray line = setCookie(name);
        return line.mid(name.size() + 1).split(';').constFirst();
    }
    // The value of the form's hidden field.
    QString hiddenField(const QString &name) const
    {
        const QRegularExpression pattern(u"name=\"%1\" value=\"([^\"]*)\""_s.arg(name));
        return pattern.match(QString::fromUtf8(body)).captured(1);
    }
};

QByteArray formBody(const QList<QPair<QString, QString>> &fields)
{
    QByteArray body;
    for (const auto &[name, value] : fields) {
        if (!body.isEmpty())
            body += '&';
        body += QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    }
    return body;
}

RawPage exchange(quint16 port, const QByteArray &method, const QString &path,
                 const QByteArray &cookies = {}, const QByteArray &form = {})
{
    QByteArray request = method + ' ' + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n";
    if (!cookies.isEmpty())
        request += "Cookie: " + cookies + "\r\n";
    if (method == "POST")
        request += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
            + QByteArray::number(form.size()) + "\r\n";
    request += "\r\n" + form;

    const QByteArray answer = rawExchange(port, request);
    RawPage page;
    const qsizetype end = answer.indexOf("\r\n\r\n");
    if (end < 0)
        return page;
    const QList<QByteArray> lines = answer.left(end).split('\n');
    page.status = lines.constFirst().split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            page.headers.append({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }
    page.body = answer.mid(end + 4);
    return page;
}

} // namespace

class tst_SigninPages : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    QString m_adminToken;

    // Fetches the sign-in form: its CSRF cookie value (also the form's field).
    QByteArray signInCsrf(quint16 port)
    {
        const RawPage form = exchange(port, "GET", u"/signin"_s);
        return form.cookieValue("quorum_signin_csrf");
    }

    RawPage signIn(quint16 port, const QString &user, const QString &password,
                   const QString &next = u"/"_s, const QString &workspace = u"default"_s)
    {
        const QByteArray csrf = signInCsrf(port);
        return exchange(port, "POST", u"/signin"_s, "quorum_signin_csrf=" + csrf,
                        formBody({{u"workspace"_s, workspace},
                                  {u"user"_s, user},
                                  {u"password"_s, password},
                                  {u"next"_s, next},
                                  {u"csrf_token"_s, QString::fromLatin1(csrf)}}));
    }

    QStringList auditActions(QuorumdProcess &server, const QString &token)
    {
        ApiClient client(server.baseUrl(), token);
        const ApiReply reply = client.get(u"/v1/audit?page_size=300"_s);
        QStringList actions;
        for (const QJsonValue &entry : reply.json().value(u"entries"_s).toArray())
            actions << entry.toObject().value(u"action"_s).toString();
        return actions;
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--signin-max-failures"_s, u"3"_s, u"--password-link-ttl"_s, u"2"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_adminToken = m_server->token();
        QVERIFY(!m_server->createUser(u"alice"_s, u"default"_s).isEmpty());
    }

    void cleanupTestCase() { m_server.reset(); }

    void signInFormSetsAStrictCsrfCookie()
    {
        const RawPage page = exchange(m_server->port(), "GET", u"/signin?next=/somewhere"_s);
        QCOMPARE(page.status, 200);
        const QByteArray cookie = page.setCookie("quorum_signin_csrf");
        QVERIFY2(cookie.contains("HttpOnly"), cookie.constData());
        QVERIFY(cookie.contains("SameSite=Strict"));
        QVERIFY(!cookie.contains("Secure")); // plain HTTP
        QCOMPARE(page.hiddenField(u"csrf_token"_s).toLatin1(),
                 page.cookieValue("quorum_signin_csrf"));
        QCOMPARE(page.hiddenField(u"next"_s), u"/somewhere"_s);
        QVERIFY(page.header("content-security-policy").contains("default-src 'none'"));
        QVERIFY(page.body.contains("<label for=\"password\">"));
    }

    void signInWithoutTheCsrfCookieIsRefused_data()
    {
        QTest::addColumn<QByteArray>("cookie");
        QTest::addColumn<QString>("field");
        QTest::newRow("no cookie and no field") << QByteArray() << QString();
        QTest::newRow("a field but no cookie") << QByteArray() << u"abc"_s;
        QTest::newRow("a cookie that differs from the field")
            << QByteArray("quorum_signin_csrf=abc") << u"abd"_s;
    }
    void signInWithoutTheCsrfCookieIsRefused()
    {
        QFETCH(QByteArray, cookie);
        QFETCH(QString, field);
        const RawPage page = exchange(m_server->port(), "POST", u"/signin"_s, cookie,
                                      formBody({{u"user"_s, u"alice"_s},
                                                {u"password"_s, QString::fromLatin1(kPassword)},
                                                {u"workspace"_s, u"default"_s},
                                                {u"csrf_token"_s, field}}));
        QCOMPARE(page.status, 403);
        QVERIFY(page.setCookie("quorum_session").isEmpty());
    }

    void signInSetsTheSessionCookieAndRefusesOpenRedirects_data()
    {
        QTest::addColumn<QString>("next");
        QTest::addColumn<QByteArray>("location");
        QTest::newRow("a local path is followed")
            << u"/oauth/authorize?x=1"_s << QByteArray("/oauth/authorize?x=1");
        QTest::newRow("another site is not") << u"https://evil.test/"_s << QByteArray("/");
        QTest::newRow("a scheme-relative URL is not") << u"//evil.test/"_s << QByteArray("/");
        QTest::newRow("a backslash URL is not") << u"/\\evil.test"_s << QByteArray("/");
    }
    void signInSetsTheSessionCookieAndRefusesOpenRedirects()
    {
        QFETCH(QString, next);
        QFETCH(QByteArray, location);
        const RawPage page
            = signIn(m_server->port(), u"alice"_s, QString::fromLatin1(kPassword), next);
        QCOMPARE(page.status, 303);
        QCOMPARE(page.header("location"), location);
        const QByteArray cookie = page.setCookie("quorum_session");
        QVERIFY2(cookie.contains("; HttpOnly"), cookie.constData());
        QVERIFY(cookie.contains("; SameSite=Lax"));
        QVERIFY(cookie.contains("; Path=/;") || cookie.contains("; Path=/ ;")
                || cookie.contains("; Path=/"));
        QVERIFY(cookie.contains("; Max-Age=43200"));
        QVERIFY(!cookie.contains("Secure"));
    }

    void signedInHomeAndSignOutWithCsrf()
    {
        const quint16 port = m_server->port();
        const RawPage signedIn = signIn(port, u"alice"_s, QString::fromLatin1(kPassword));
        const QByteArray session = "quorum_session=" + signedIn.cookieValue("quorum_session");

        const RawPage home = exchange(port, "GET", u"/"_s, session);
        QCOMPARE(home.status, 200);
        QVERIFY(home.body.contains("alice"));
        const QString csrf = home.hiddenField(u"csrf_token"_s);
        QVERIFY(!csrf.isEmpty());

        const RawPage forged = exchange(port, "POST", u"/signout"_s, session,
                                        formBody({{u"csrf_token"_s, u"wrong"_s}}));
        QCOMPARE(forged.status, 403);
        QCOMPARE(exchange(port, "GET", u"/"_s, session).status, 200); // still signed in

        const RawPage out
            = exchange(port, "POST", u"/signout"_s, session, formBody({{u"csrf_token"_s, csrf}}));
        QCOMPARE(out.status, 303);
        QCOMPARE(out.header("location"), QByteArray("/signin"));
        QVERIFY(out.setCookie("quorum_session").contains("Max-Age=0"));
        const RawPage after = exchange(port, "GET", u"/"_s, session);
        QCOMPARE(after.status, 303);
        QCOMPARE(after.header("location"), QByteArray("/signin"));
    }

    void signedOutHomeGoesToSignIn()
    {
        const RawPage page
            = exchange(m_server->port(), "GET", u"/"_s, "quorum_session=qses_not_a_real_session");
        QCOMPARE(page.status, 303);
        QCOMPARE(page.header("location"), QByteArray("/signin"));
    }

    void failedSignInsAreNeutralAuditedAndLimited()
    {
        QuorumdProcess server({u"--signin-max-failures"_s, u"2"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        const QString token = server.token();
        server.createUser(u"bob"_s, u"default"_s);

        const RawPage wrong = signIn(server.port(), u"bob"_s, u"not the password at all"_s);
        QCOMPARE(wrong.status, 401);
        QVERIFY(wrong.body.contains("not right"));
        QVERIFY(!wrong.body.contains("not the password at all"));
        const RawPage unknown = signIn(server.port(), u"nobody"_s, u"whatever password"_s);
        QCOMPARE(unknown.status, 401);
        QCOMPARE(unknown.body.contains("not right"), true);

        // Two failures from this address: the right password is refused too, for now.
        const RawPage limited = signIn(server.port(), u"bob"_s, QString::fromLatin1(kPassword));
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("retry-after").toInt() > 0);
        QVERIFY(limited.setCookie("quorum_session").isEmpty());

        const QStringList actions = auditActions(server, token);
        QCOMPARE(actions.count(u"auth.signin_failed"_s), 2);
        QVERIFY(!actions.contains(u"auth.signin"_s));
        ApiClient client(server.baseUrl(), token);
        QVERIFY(!client.get(u"/v1/audit?page_size=300"_s).body.contains("not the password"));
    }

    void successfulSignInIsAudited()
    {
        QVERIFY(signIn(m_server->port(), u"alice"_s, QString::fromLatin1(kPassword)).status == 303);
        QVERIFY(auditActions(*m_server, m_adminToken).contains(u"auth.signin"_s));
    }

    void setPasswordLinkIsSingleUse()
    {
        ApiClient client(m_server->baseUrl(), m_adminToken);
        const ApiReply created
            = client.post(u"/v1/users"_s, {{u"name"_s, u"carol"_s}, {u"role"_s, u"member"_s}});
        QCOMPARE(created.status, 201);
        const QUrl url(created.json().value(u"set_password_url"_s).toString());
        QCOMPARE(url.path(), u"/set-password"_s);
        const QString token = QUrlQuery(url).queryItemValue(u"token"_s);
        const quint16 port = m_server->port();

        const RawPage form = exchange(port, "GET", u"/set-password?token="_s + token);
        QCOMPARE(form.status, 200);
        QVERIFY(form.body.contains("carol"));

        const QByteArray mismatch = formBody({{u"token"_s, token},
                                              {u"password"_s, u"a new good password"_s},
                                              {u"password_again"_s, u"another one entirely"_s}});
        QCOMPARE(exchange(port, "POST", u"/set-password"_s, {}, mismatch).status, 400);
        const QByteArray tooShort = formBody(
            {{u"token"_s, token}, {u"password"_s, u"short"_s}, {u"password_again"_s, u"short"_s}});
        QCOMPARE(exchange(port, "POST", u"/set-password"_s, {}, tooShort).status, 400);

        const QByteArray good = formBody({{u"token"_s, token},
                                          {u"password"_s, u"a new good password"_s},
                                          {u"password_again"_s, u"a new good password"_s}});
        const RawPage set = exchange(port, "POST", u"/set-password"_s, {}, good);
        QCOMPARE(set.status, 303);
        QCOMPARE(set.header("location"), QByteArray("/signin"));
        QCOMPARE(exchange(port, "POST", u"/set-password"_s, {}, good).status, 404);
        QCOMPARE(exchange(port, "GET", u"/set-password?token="_s + token).status, 404);

        QCOMPARE(signIn(port, u"carol"_s, u"a new good password"_s).status, 303);
    }

    void setPasswordLinkExpires()
    {
        ApiClient client(m_server->baseUrl(), m_adminToken);
        const ApiReply created
            = client.post(u"/v1/users"_s, {{u"name"_s, u"dave"_s}, {u"role"_s, u"member"_s}});
        QCOMPARE(created.status, 201);
        const QUrl url(created.json().value(u"set_password_url"_s).toString());
        const QString path = url.path() + u'?' + url.query();
        // The server runs with --password-link-ttl 2: the link dies within seconds.
        QTRY_COMPARE_WITH_TIMEOUT(exchange(m_server->port(), "GET", path).status, 404, 10000);
    }

    void userNamesAreEscapedOnPages()
    {
        ApiClient client(m_server->baseUrl(), m_adminToken);
        const QString name = u"<script>alert(1)</script>"_s;
        const ApiReply created = client.post(u"/v1/users"_s,
                                             {{u"name"_s, name},
                                              {u"role"_s, u"member"_s},
                                              {u"password"_s, u"a long enough password"_s}});
        QCOMPARE(created.status, 201);
        const RawPage signedIn = signIn(m_server->port(), name, u"a long enough password"_s);
        QCOMPARE(signedIn.status, 303);
        const RawPage home = exchange(m_server->port(), "GET", u"/"_s,
                                      "quorum_session=" + signedIn.cookieValue("quorum_session"));
        QCOMPARE(home.status, 200);
        QVERIFY(!home.body.contains("<script>"));
        QVERIFY(home.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

        // A failed sign-in shows the typed name back, escaped.
        const RawPage failed = signIn(m_server->port(), u"\"><b>x</b>"_s, u"wrong password!"_s);
        QCOMPARE(failed.status, 401);
        QVERIFY(!failed.body.contains("<b>x</b>"));
        QVERIFY(failed.body.contains("&quot;&gt;&lt;b&gt;x&lt;/b&gt;"));
    }
};

QTEST_GUILESS_MAIN(tst_SigninPages)
#include "tst_signin_pages.moc"
