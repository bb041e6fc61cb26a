// Pagination cursors: opaque, URL-safe, bound to their list, refused when tampered with.

#include "http/CursorCodec.h"

#include <QRegularExpression>
#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_CursorCodec : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTripsAPosition()
    {
        const CursorCodec codec(QByteArray(32, 'k'));
        const QString cursor = codec.encode(u"meetings|wsp_1"_s, {1767225600000, u"mtg_x"_s});
        QVERIFY(QRegularExpression(u"^[A-Za-z0-9_-]+$"_s).match(cursor).hasMatch());

        const auto position = codec.decode(u"meetings|wsp_1"_s, cursor);
        QVERIFY(position.ok());
        QCOMPARE(position->sortKey, 1767225600000);
        QCOMPARE(position->id, u"mtg_x"_s);
    }

    void refusesWhatItDidNotIssueForThisList_data()
    {
        QTest::addColumn<QString>("scope");
        QTest::addColumn<QString>("cursor");

        const CursorCodec codec(QByteArray(32, 'k'));
        const QString good = codec.encode(u"meetings|wsp_1"_s, {42, u"mtg_x"_s});
        QString flipped = good;
        flipped[5] = flipped[5] == u'A' ? u'B' : u'A';

        QTest::newRow("one character changed") << u"meetings|wsp_1"_s << flipped;
        QTest::newRow("a cursor of another list") << u"meetings|wsp_2"_s << good;
        QTest::newRow("a cursor of another key")
            << u"meetings|wsp_1"_s
            << CursorCodec(QByteArray(32, 'z')).encode(u"meetings|wsp_1"_s, {42, u"mtg_x"_s});
        QTest::newRow("truncated") << u"meetings|wsp_1"_s << good.left(good.size() - 3);
        QTest::newRow("not base64url") << u"meetings|wsp_1"_s << u"!!!"_s;
        QTest::newRow("empty") << u"meetings|wsp_1"_s << QString();
        QTest::newRow("absurdly long") << u"meetings|wsp_1"_s << QString(600, u'A');
    }

    void refusesWhatItDidNotIssueForThisList()
    {
        QFETCH(QString, scope);
        QFETCH(QString, cursor);
        const CursorCodec codec(QByteArray(32, 'k'));
        const auto position = codec.decode(scope, cursor);
        QVERIFY(!position.ok());
        QCOMPARE(position.error().code, ErrorCode::InvalidCursor);
    }
};

QTEST_GUILESS_MAIN(tst_CursorCodec)
#include "tst_cursorcodec.moc"
