#include "core/Ids.h"

#include <QRegularExpression>
#include <QSet>
#include <QtTest/QTest>

using namespace quorum;

class tst_Ids : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void generate_data();
    void generate();
    void isWellFormed_data();
    void isWellFormed();
    void base62_data();
    void base62();
    void tenThousandIdsAreUnique();
    void idsAreNotSequential();
};

void tst_Ids::generate_data()
{
    QTest::addColumn<QString>("prefix");

    QTest::newRow("a meeting id starts with mtg") << QStringLiteral("mtg");
    QTest::newRow("a recording id starts with rec") << QStringLiteral("rec");
    QTest::newRow("a webhook id starts with wh") << QStringLiteral("wh");
    QTest::newRow("a delivery id starts with dlv") << QStringLiteral("dlv");
    QTest::newRow("a user id starts with usr") << QStringLiteral("usr");
}

void tst_Ids::generate()
{
    QFETCH(QString, prefix);

    const QString id = ids::generate(prefix);

    QVERIFY2(id.startsWith(prefix + QLatin1Char('_')), qPrintable(id));
    QCOMPARE(id.size(), prefix.size() + 1 + 22);
    static const QRegularExpression urlSafe(QStringLiteral("\\A[A-Za-z0-9_-]+\\z"));
    QVERIFY2(urlSafe.match(id).hasMatch(), qPrintable(id));
    QVERIFY(ids::isWellFormed(id, prefix));
}

void tst_Ids::isWellFormed_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<bool>("wellFormed");

    const QString digits = QStringLiteral("3xY9aZ0bC1dE2fG3hI4jK5");
    QTest::newRow("prefix, underscore and 22 base62 characters are well formed")
        << QStringLiteral("mtg_") + digits << QStringLiteral("mtg") << true;
    QTest::newRow("another type's prefix is refused")
        << QStringLiteral("rec_") + digits << QStringLiteral("mtg") << false;
    QTest::newRow("a prefix without the underscore is refused")
        << QStringLiteral("mtgx") + digits << QStringLiteral("mtg") << false;
    QTest::newRow("21 characters are refused")
        << QStringLiteral("mtg_") + digits.left(21) << QStringLiteral("mtg") << false;
    QTest::newRow("23 characters are refused")
        << QStringLiteral("mtg_") + digits + QLatin1Char('a') << QStringLiteral("mtg") << false;
    QTest::newRow("a dash among the digits is refused")
        << QStringLiteral("mtg_-") + digits.mid(1) << QStringLiteral("mtg") << false;
    QTest::newRow("a non-ASCII letter among the digits is refused")
        << QStringLiteral("mtg_\u00e9") + digits.mid(1) << QStringLiteral("mtg") << false;
    QTest::newRow("an empty id is refused") << QString() << QStringLiteral("mtg") << false;
    QTest::newRow("the prefix alone is refused")
        << QStringLiteral("mtg_") << QStringLiteral("mtg") << false;
}

void tst_Ids::isWellFormed()
{
    QFETCH(QString, id);
    QFETCH(QString, prefix);
    QFETCH(bool, wellFormed);

    QCOMPARE(ids::isWellFormed(id, prefix), wellFormed);
}

void tst_Ids::base62_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("width");
    QTest::addColumn<QString>("expected");

    QTest::newRow("zero is padded to the width")
        << QByteArray(1, '\0') << 3 << QStringLiteral("000");
    QTest::newRow("no bytes are zero") << QByteArray() << 2 << QStringLiteral("00");
    QTest::newRow("61 is the last digit, lower-case z")
        << QByteArray(1, char(61)) << 1 << QStringLiteral("z");
    QTest::newRow("62 takes two digits") << QByteArray(1, char(62)) << 2 << QStringLiteral("10");
    QTest::newRow("a number wider than the width keeps every digit")
        << QByteArray(1, char(62)) << 1 << QStringLiteral("10");
    QTest::newRow("bytes are read big-endian")
        << QByteArray::fromHex("ffff") << 4 << QStringLiteral("0H31");
    QTest::newRow("the largest 128-bit value fills 22 digits")
        << QByteArray(16, char(0xff)) << 22 << QStringLiteral("7n42DGM5Tflk9n8mt7Fhc7");
    QTest::newRow("a 128-bit value with leading zero digits is padded")
        << QByteArray::fromHex("0102030405060708090a0b0c0d0e0f10") << 22
        << QStringLiteral("01tuWckR0Qgud2DqqiTysq");
}

void tst_Ids::base62()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, width);
    QFETCH(QString, expected);

    QCOMPARE(ids::base62(bytes, width), expected);
}

void tst_Ids::tenThousandIdsAreUnique()
{
    QSet<QString> seen;
    for (int i = 0; i < 10'000; ++i)
        seen.insert(ids::generate(u"mtg"));

    QCOMPARE(seen.size(), 10'000);
}

void tst_Ids::idsAreNotSequential()
{
    // A counter or a clock would make neighbours share their leading digits; random ids share
    // five leading digits with a chance of about 1 in 10^8 (the first digit is 0-7).
    constexpr int count = 10'000;
    int sharedPrefixes = 0;
    QString previous = ids::generate(u"mtg");
    QSet<QChar> lastDigits;
    for (int i = 1; i < count; ++i) {
        const QString id = ids::generate(u"mtg");
        if (QStringView(id).left(9) == QStringView(previous).left(9))
            ++sharedPrefixes;
        lastDigits.insert(id.back());
        previous = id;
    }

    QVERIFY2(sharedPrefixes <= 2, qPrintable(QString::number(sharedPrefixes)));
    QCOMPARE(lastDigits.size(), 62);
}

QTEST_APPLESS_MAIN(tst_Ids)
#include "tst_ids.moc"
