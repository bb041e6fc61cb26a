// The route table: segment matching on the encoded path, placeholders with suffixes, 405.

#include "http/Router.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_Router : public QObject
{
    Q_OBJECT

private:
    static Router table()
    {
        Router router;
        const auto ok = [](ApiRequest &) { return ApiResponse::noContent(); };
        router.add({"GET", u"/v1/meetings"_s, AuthMode::Bearer, {}, false, ok});
        router.add({"POST", u"/v1/meetings"_s, AuthMode::Bearer, {}, false, ok});
        router.add({"GET", u"/v1/meetings/{id}"_s, AuthMode::Bearer, {}, false, ok});
        router.add({"POST", u"/v1/meetings/{id}:end"_s, AuthMode::Bearer, {}, false, ok});
        router.add({"POST", u"/v1/meetings/{id}/joinToken"_s, AuthMode::None, {}, false, ok});
        router.add({"POST",
                    u"/v1/meetings/{id}/participants/{pid}/mute"_s,
                    AuthMode::Bearer,
                    {},
                    false,
                    ok});
        router.add(
            {"GET", u"/v1/meetings/{id}/participants/stream"_s, AuthMode::Bearer, {}, false, ok});
        router.add(
            {"PATCH", u"/v1/meetings/{id}/participants/{pid}"_s, AuthMode::Bearer, {}, false, ok});
        return router;
    }

private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("pattern"); // empty: no route
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("methodNotAllowed");

        QTest::newRow("a collection")
            << QByteArray("GET") << u"/v1/meetings"_s << u"/v1/meetings"_s << QString() << false;
        QTest::newRow("a trailing slash is the same path")
            << QByteArray("GET") << u"/v1/meetings/"_s << u"/v1/meetings"_s << QString() << false;
        QTest::newRow("a single resource") << QByteArray("GET") << u"/v1/meetings/mtg_Ab3-x_"_s
                                           << u"/v1/meetings/{id}"_s << u"mtg_Ab3-x_"_s << false;
        QTest::newRow("a custom method after the id")
            << QByteArray("POST") << u"/v1/meetings/mtg_1:end"_s << u"/v1/meetings/{id}:end"_s
            << u"mtg_1"_s << false;
        QTest::newRow("GET on a custom method is 405, not a meeting named mtg_1:end")
            << QByteArray("GET") << u"/v1/meetings/mtg_1:end"_s << QString() << QString() << true;
        QTest::newRow("a nested resource with two placeholders")
            << QByteArray("POST") << u"/v1/meetings/m1/participants/p2/mute"_s
            << u"/v1/meetings/{id}/participants/{pid}/mute"_s << u"m1"_s << false;
        QTest::newRow("a literal segment beats a placeholder")
            << QByteArray("GET") << u"/v1/meetings/m1/participants/stream"_s
            << u"/v1/meetings/{id}/participants/stream"_s << u"m1"_s << false;
        QTest::newRow("PATCH on the literal path is 405, not a participant named stream")
            << QByteArray("PATCH") << u"/v1/meetings/m1/participants/stream"_s << QString()
            << QString() << true;
        QTest::newRow("another segment there is a participant")
            << QByteArray("PATCH") << u"/v1/meetings/m1/participants/par_1"_s
            << u"/v1/meetings/{id}/participants/{pid}"_s << u"m1"_s << false;
        QTest::newRow("an encoded slash never matches a placeholder")
            << QByteArray("GET") << u"/v1/meetings/abc%2F..%2Fx"_s << QString() << QString()
            << false;
        QTest::newRow("a dot is not an id character")
            << QByteArray("GET") << u"/v1/meetings/a.b"_s << QString() << QString() << false;
        QTest::newRow("an empty id with only the suffix")
            << QByteArray("POST") << u"/v1/meetings/:end"_s << QString() << QString() << false;
        QTest::newRow("a known path with another method is 405")
            << QByteArray("DELETE") << u"/v1/meetings"_s << QString() << QString() << true;
        QTest::newRow("an unknown path is 404")
            << QByteArray("GET") << u"/v2/meetings"_s << QString() << QString() << false;
    }

    void matches()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, path);
        QFETCH(QString, pattern);
        QFETCH(QString, id);
        QFETCH(bool, methodNotAllowed);

        const Router router = table();
        const Router::Match match = router.match(method, path);
        if (pattern.isEmpty()) {
            QVERIFY(!match.route);
            QCOMPARE(match.pathMatched, methodNotAllowed);
            return;
        }
        QVERIFY(match.route);
        QCOMPARE(match.route->pattern, pattern);
        QCOMPARE(match.params.value(u"id"_s), id);
    }

    void methodNotAllowedListsTheAllowedMethods()
    {
        const Router router = table();
        const Router::Match match = router.match("PUT", u"/v1/meetings"_s);
        QVERIFY(match.pathMatched);
        QCOMPARE(match.allowedMethods, QByteArrayList({"GET", "POST"}));

        const Router::Match stream = router.match("POST", u"/v1/meetings/m/participants/stream"_s);
        QCOMPARE(stream.allowedMethods, QByteArrayList({"GET"}));
    }
};

QTEST_GUILESS_MAIN(tst_Router)
#include "tst_router.moc"
