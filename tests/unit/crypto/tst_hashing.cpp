#include "crypto/Hashing.h"

#include <QTest>

using namespace quorum::crypto;

class tst_Hashing : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sha256MatchesFipsVectors_data();
    void sha256MatchesFipsVectors();
    void hmacSha256MatchesRfc4231_data();
    void hmacSha256MatchesRfc4231();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void base64UrlRoundTrips_data();
    void base64UrlRoundTrips();
    void base64UrlDecodesKnownText_data();
    void base64UrlDecodesKnownText();
    void base64UrlRejects_data();
    void base64UrlRejects();
};

void tst_Hashing::sha256MatchesFipsVectors_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("digest");

    QTest::newRow("the empty message")
        << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_qba;
    QTest::newRow("abc") << "abc"_qba
                         << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_qba;
    QTest::newRow("the two-block message")
        << "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"_qba
        << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"_qba;
    QTest::newRow("a million times a")
        << QByteArray(1000000, 'a')
        << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"_qba;
}

void tst_Hashing::sha256MatchesFipsVectors()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, digest);

    const QByteArray actual = sha256(data);

    QCOMPARE(actual.size(), 32);
    QCOMPARE(actual.toHex(), digest);
}

void tst_Hashing::hmacSha256MatchesRfc4231_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("mac");

    QByteArray sequentialKey;
    for (char c = 1; c <= 25; ++c)
        sequentialKey.append(c);

    QTest::newRow("case 1: a 20-byte key")
        << QByteArray(20, '\x0b') << "Hi There"_qba
        << "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"_qba;
    QTest::newRow("case 2: a key shorter than the output")
        << "Jefe"_qba
        << "what do ya want for nothing?"_qba
        << "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"_qba;
    QTest::newRow("case 3: 50 bytes of data")
        << QByteArray(20, '\xaa') << QByteArray(50, '\xdd')
        << "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"_qba;
    QTest::newRow("case 4: a 25-byte key")
        << sequentialKey << QByteArray(50, '\xcd')
        << "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"_qba;
    QTest::newRow("case 6: a key larger than a block")
        << QByteArray(131, '\xaa') << "Test Using Larger Than Block-Size Key - Hash Key First"_qba
        << "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"_qba;
    QTest::newRow("case 7: key and data larger than a block")
        << QByteArray(131, '\xaa')
        << "This is a test using a larger than block-size key and a larger than block-size data. "
           "The key needs to be hashed before being used by the HMAC algorithm."_qba
        << "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"_qba;
    QTest::newRow("an empty key and empty data")
        << QByteArray() << QByteArray()
        << "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"_qba;
}

void tst_Hashing::hmacSha256MatchesRfc4231()
{
    QFETCH(QByteArray, key);
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, mac);

    QCOMPARE(hmacSha256(key, data).toHex(), mac);
}

void tst_Hashing::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");

    QTest::newRow("equal strings are equal") << "secret"_qba
                                             << "secret"_qba << true;
    QTest::newRow("two empty strings are equal") << QByteArray() << QByteArray() << true;
    QTest::newRow("a difference in the last byte") << "secret"_qba
                                                   << "secrex"_qba << false;
    QTest::newRow("a difference in the first byte") << "secret"_qba
                                                    << "xecret"_qba << false;
    QTest::newRow("a prefix is not equal") << "secret"_qba
                                           << "secre"_qba << false;
    QTest::newRow("empty against non-empty") << QByteArray() << "s"_qba << false;
}

void tst_Hashing::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);

    QCOMPARE(quorum::crypto::constantTimeEquals(a, b), equal);
    QCOMPARE(quorum::crypto::constantTimeEquals(b, a), equal);
}

void tst_Hashing::base64UrlRoundTrips_data()
{
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("one byte, two characters") << "f"_qba;
    QTest::newRow("two bytes, three characters") << "fo"_qba;
    QTest::newRow("three bytes, four characters") << "foo"_qba;
    QTest::newRow("bytes that need the URL alphabet") << "\xfb\xff\xfe\xfa\xfb\xfc"_qba;
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all.append(char(i));
    QTest::newRow("every byte value") << all;
}

void tst_Hashing::base64UrlRoundTrips()
{
    QFETCH(QByteArray, data);

    const QByteArray encoded = base64UrlEncode(data);

    QVERIFY(!encoded.contains('='));
    QVERIFY(!encoded.contains('+'));
    QVERIFY(!encoded.contains('/'));
    const std::optional<QByteArray> decoded = base64UrlDecode(encoded);
    QVERIFY(decoded);
    QCOMPARE(*decoded, data);
}

void tst_Hashing::base64UrlDecodesKnownText_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("data");

    QTest::newRow("the empty text") << QByteArray() << QByteArray();
    QTest::newRow("Zg is f") << "Zg"_qba
                             << "f"_qba;
    QTest::newRow("Zm8 is fo") << "Zm8"_qba
                               << "fo"_qba;
    QTest::newRow("Zm9v is foo") << "Zm9v"_qba
                                 << "foo"_qba;
    QTest::newRow("minus and underscore stand for 62 and 63") << "-vv8_f7_"_qba
                                                              << "\xfa\xfb\xfc\xfd\xfe\xff"_qba;
}

void tst_Hashing::base64UrlDecodesKnownText()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, data);

    const std::optional<QByteArray> decoded = base64UrlDecode(text);

    QVERIFY(decoded);
    QCOMPARE(*decoded, data);
    QCOMPARE(base64UrlEncode(data), text);
}

void tst_Hashing::base64UrlRejects_data()
{
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("padding") << "Zg=="_qba;
    QTest::newRow("a single padding character") << "Zm8="_qba;
    QTest::newRow("plus from the standard alphabet") << "+vv8"_qba;
    QTest::newRow("slash from the standard alphabet") << "/f7_"_qba;
    QTest::newRow("a space") << "Zm9v Zm9v"_qba;
    QTest::newRow("a line break") << "Zm9v\nZm9v"_qba;
    QTest::newRow("a dot") << "Zm9v.Zm9v"_qba;
    QTest::newRow("a non-ASCII byte") << "Zm9v\xc3\xa9"_qba;
    QTest::newRow("a NUL byte") << QByteArray("Zm\0v", 4);
    QTest::newRow("a length no input can have") << "Zm9vY"_qba;
    QTest::newRow("unused bits set in the last character") << "Zh"_qba;
    QTest::newRow("unused bits set after two bytes") << "Zm9"_qba;
}

void tst_Hashing::base64UrlRejects()
{
    QFETCH(QByteArray, text);

    QCOMPARE(base64UrlDecode(text), std::nullopt);
}

QTEST_GUILESS_MAIN(tst_Hashing)
#include "tst_hashing.moc"
