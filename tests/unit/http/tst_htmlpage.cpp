// html::escape and html::page: what our browser pages are built on, and the `next` check
// that keeps the sign-in page from redirecting off the site.

#include "http/HtmlPage.h"
#include "server/BrowserSessions.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_HtmlPage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void escapesText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("plain text stays as it is") << u"Weekly sync"_s << u"Weekly sync"_s;
        QTest::newRow("a script tag becomes text")
            << u"<script>alert(1)</script>"_s << u"&lt;script&gt;alert(1)&lt;/script&gt;"_s;
        QTest::newRow("quotes cannot end an attribute")
            << u"\" onmouseover='x'"_s << u"&quot; onmouseover=&#39;x&#39;"_s;
        QTest::newRow("an ampersand is escaped first, once") << u"a&amp;b"_s << u"a&amp;amp;b"_s;
        QTest::newRow("non-ASCII text is kept") << u"Zoë 会議"_s << u"Zoë 会議"_s;
        QTest::newRow("empty text stays empty") << QString() << QString();
    }
    void escapesText()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QCOMPARE(html::escape(text), expected);
    }

    void pageHasTheSafetyHeaders_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("mustContain");
        QTest::newRow("the content type is HTML in UTF-8")
            << QByteArray("Content-Type") << QByteArray("text/html; charset=utf-8");
        QTest::newRow("the CSP allows no scripts")
            << QByteArray("Content-Security-Policy") << QByteArray("default-src 'none'");
        QTest::newRow("the CSP forbids framing")
            << QByteArray("Content-Security-Policy") << QByteArray("frame-ancestors 'none'");
        QTest::newRow("old browsers are told not to frame it")
            << QByteArray("X-Frame-Options") << QByteArray("DENY");
        QTest::newRow("the URL does not leak")
            << QByteArray("Referrer-Policy") << QByteArray("no-referrer");
        QTest::newRow("nothing caches it") << QByteArray("Cache-Control") << QByteArray("no-store");
    }
    void pageHasTheSafetyHeaders()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, mustContain);
        const ApiResponse page = html::page(200, u"Title"_s, u"<p>x</p>"_s);
        const QByteArray value = header == "Content-Type" ? page.contentType : page.header(header);
        QVERIFY2(value.contains(mustContain), value.constData());
        QVERIFY(!page.body.contains("<script"));
    }

    void pageEscapesTheTitleAndKeepsTheBody()
    {
        const ApiResponse page = html::page(403, u"<b>T</b>"_s, u"<h1>Body</h1>"_s);
        QCOMPARE(page.status, 403);
        QVERIFY(page.body.contains("<title>&lt;b&gt;T&lt;/b&gt; · Quorum</title>"));
        QVERIFY(page.body.contains("<h1>Body</h1>"));
        QVERIFY(page.body.contains("Quorum"));
        QVERIFY(page.body.startsWith("<!DOCTYPE html>"));
    }

    void nextStaysOnThisSite_data()
    {
        QTest::addColumn<QString>("next");
        QTest::addColumn<QString>("expected");
        QTest::newRow("a local path is kept")
            << u"/oauth/authorize?a=1&b=2"_s << u"/oauth/authorize?a=1&b=2"_s;
        QTest::newRow("the root is kept") << u"/"_s << u"/"_s;
        QTest::newRow("an absolute URL becomes the root") << u"https://evil.test/"_s << u"/"_s;
        QTest::newRow("a scheme-relative URL becomes the root") << u"//evil.test"_s << u"/"_s;
        QTest::newRow("a backslash trick becomes the root") << u"/\\evil.test"_s << u"/"_s;
        QTest::newRow("a tab trick becomes the root") << u"/\t/evil.test"_s << u"/"_s;
        QTest::newRow("a header injection becomes the root") << u"/a\r\nSet-Cookie: x"_s << u"/"_s;
        QTest::newRow("a relative path becomes the root") << u"signin"_s << u"/"_s;
        QTest::newRow("nothing becomes the root") << QString() << u"/"_s;
    }
    void nextStaysOnThisSite()
    {
        QFETCH(QString, next);
        QFETCH(QString, expected);
        QCOMPARE(BrowserSessions::safeNext(next), expected);
    }

    void signInPathCarriesTheEncodedNext()
    {
        QCOMPARE(BrowserSessions::signInPath(u"/oauth/authorize?client_id=a&x=1"_s),
                 u"/signin?next=/oauth/authorize%3Fclient_id%3Da%26x%3D1"_s);
        QCOMPARE(BrowserSessions::signInPath(u"//evil"_s), u"/signin?next=/"_s);
    }
};

QTEST_GUILESS_MAIN(tst_HtmlPage)
#include "tst_htmlpage.moc"
