#include "crypto/Random.h"

#include <QSet>
#include <QTest>

using namespace quorum::crypto;

class tst_Random : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomBytesHaveTheAskedSize_data();
    void randomBytesHaveTheAskedSize();
    void randomBytesDiffer();
    void tokensAreBase62WithTheirPrefix_data();
    void tokensAreBase62WithTheirPrefix();
    void tokensDiffer();
};

void tst_Random::randomBytesHaveTheAskedSize_data()
{
    QTest::addColumn<int>("count");

    QTest::newRow("no bytes give an empty array") << 0;
    QTest::newRow("one byte") << 1;
    QTest::newRow("a nonce") << 12;
    QTest::newRow("a large buffer") << 4096;
}

void tst_Random::randomBytesHaveTheAskedSize()
{
    QFETCH(int, count);

    QCOMPARE(randomBytes(count).size(), count);
}

void tst_Random::randomBytesDiffer()
{
    QSet<QByteArray> seen;
    for (int i = 0; i < 1000; ++i)
        seen.insert(randomBytes(16));

    QCOMPARE(seen.size(), 1000);
}

void tst_Random::tokensAreBase62WithTheirPrefix_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("bytes");
    QTest::addColumn<int>("digits");

    QTest::newRow("a personal access token has 43 digits for 32 bytes") << "qpat_" << 32 << 43;
    QTest::newRow("a token without a prefix") << "" << 32 << 43;
    QTest::newRow("a short token of 16 bytes has 22 digits") << "qcs_" << 16 << 22;
    QTest::newRow("a single byte takes two digits") << "x" << 1 << 2;
}

void tst_Random::tokensAreBase62WithTheirPrefix()
{
    QFETCH(QString, prefix);
    QFETCH(int, bytes);
    QFETCH(int, digits);

    // Many draws, so that short numbers (leading zero bytes) are padded to the same length.
    for (int i = 0; i < 300; ++i) {
        const QString token = randomToken(prefix, bytes);

        QVERIFY2(token.startsWith(prefix), qPrintable(token));
        QCOMPARE(token.size(), prefix.size() + digits);
        for (const QChar c : QStringView(token).sliced(prefix.size())) {
            const bool base62
                = (c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z');
            QVERIFY2(base62, qPrintable(token));
        }
    }
}

void tst_Random::tokensDiffer()
{
    QSet<QString> seen;
    for (int i = 0; i < 1000; ++i)
        seen.insert(randomToken(u"qpat_"));

    QCOMPARE(seen.size(), 1000);
}

QTEST_GUILESS_MAIN(tst_Random)
#include "tst_random.moc"
