#include "crypto/PasswordHash.h"

#include <QElapsedTimer>
#include <QTest>

using namespace quorum::crypto;

namespace {

// Cheap parameters keep the suite fast; the format and the checks are the same.
QByteArray fastHash(const QString &password)
{
    return password::hashWithParameters(password, 1024, 8, 1);
}

} // namespace

class tst_PasswordHash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultHashHasTheDocumentedFormat();
    void verifiesOnlyTheRightPassword_data();
    void verifiesOnlyTheRightPassword();
    void matchesRfc7914();
    void twoHashesOfOnePasswordDiffer();
    void rejectsMalformedStoredStrings_data();
    void rejectsMalformedStoredStrings();
};

void tst_PasswordHash::defaultHashHasTheDocumentedFormat()
{
    QElapsedTimer timer;
    timer.start();

    const QByteArray stored = password::hash("correct horse battery staple");

    const qint64 elapsed = timer.elapsed();
    qInfo() << "scrypt N=32768 r=8 p=1 took" << elapsed << "ms";
    QVERIFY2(stored.startsWith("scrypt$N=32768,r=8,p=1$"), stored.constData());
    const QList<QByteArray> fields = stored.split('$');
    QCOMPARE(fields.size(), 4);
    QCOMPARE(QByteArray::fromBase64(fields[2]).size(), 16);
    QCOMPARE(QByteArray::fromBase64(fields[3]).size(), 32);
    QVERIFY(password::verify("correct horse battery staple", stored));
    QVERIFY(!password::verify("correct horse battery stapler", stored));
}

void tst_PasswordHash::verifiesOnlyTheRightPassword_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("attempt");
    QTest::addColumn<bool>("accepted");

    QTest::newRow("the right password") << "s3cret!"
                                        << "s3cret!" << true;
    QTest::newRow("a wrong password") << "s3cret!"
                                      << "s3cret?" << false;
    QTest::newRow("a different case") << "s3cret!"
                                      << "S3cret!" << false;
    QTest::newRow("a prefix of the password") << "s3cret!"
                                              << "s3cret" << false;
    QTest::newRow("an empty attempt") << "s3cret!"
                                      << "" << false;
    QTest::newRow("an empty password is still a hash") << ""
                                                       << "" << true;
    QTest::newRow("non-ASCII characters") << "pässwörd ✓"
                                          << "pässwörd ✓" << true;
    // "é" as one code point, and as "e" + combining acute accent: the same text.
    QTest::newRow("composed and decomposed accents are one password")
        << QString::fromUtf8("caf\xc3\xa9") << QString::fromUtf8("cafe\xcc\x81") << true;
}

void tst_PasswordHash::verifiesOnlyTheRightPassword()
{
    QFETCH(QString, password);
    QFETCH(QString, attempt);
    QFETCH(bool, accepted);

    const QByteArray stored = fastHash(password);

    QCOMPARE(password::verify(attempt, stored), accepted);
}

void tst_PasswordHash::matchesRfc7914()
{
    // RFC 7914, section 12: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
    const QByteArray stored = "scrypt$N=1024,r=8,p=16$" + "NaCl"_qba.toBase64() + '$'
        + QByteArray::fromHex("fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
                              "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640")
              .toBase64();

    QVERIFY(password::verify("password", stored));
    QVERIFY(!password::verify("Password", stored));
}

void tst_PasswordHash::twoHashesOfOnePasswordDiffer()
{
    const QByteArray first = fastHash("same password");
    const QByteArray second = fastHash("same password");

    QVERIFY(first != second);
    QVERIFY(first.split('$')[2] != second.split('$')[2]);
    QVERIFY(password::verify("same password", first));
    QVERIFY(password::verify("same password", second));
}

void tst_PasswordHash::rejectsMalformedStoredStrings_data()
{
    QTest::addColumn<QByteArray>("stored");

    const QByteArray good = fastHash("pw");
    const QList<QByteArray> f = good.split('$');
    const QByteArray salt = f[2];
    const QByteArray hash = f[3];
    QVERIFY(password::verify("pw", good));

    QTest::newRow("an empty string") << QByteArray();
    QTest::newRow("the scheme alone") << "scrypt"_qba;
    QTest::newRow("another scheme") << "bcrypt$" + f[1] + '$' + salt + '$' + hash;
    QTest::newRow("a missing hash") << "scrypt$" + f[1] + '$' + salt;
    QTest::newRow("an extra field") << good + "$x";
    QTest::newRow("parameters in another order") << "scrypt$r=8,N=1024,p=1$" + salt + '$' + hash;
    QTest::newRow("N not a power of two") << "scrypt$N=1000,r=8,p=1$" + salt + '$' + hash;
    QTest::newRow("N that would need gigabytes")
        << "scrypt$N=1048576,r=64,p=1$" + salt + '$' + hash;
    QTest::newRow("r of zero") << "scrypt$N=1024,r=0,p=1$" + salt + '$' + hash;
    QTest::newRow("a negative p") << "scrypt$N=1024,r=8,p=-1$" + salt + '$' + hash;
    QTest::newRow("a number with a sign") << "scrypt$N=+1024,r=8,p=1$" + salt + '$' + hash;
    QTest::newRow("a number too long") << "scrypt$N=000000000001024,r=8,p=1$" + salt + '$' + hash;
    QTest::newRow("a salt that is not base64") << "scrypt$" + f[1] + "$!!!!$" + hash;
    QTest::newRow("an empty salt") << "scrypt$" + f[1] + "$$" + hash;
    QTest::newRow("a hash that is not base64") << "scrypt$" + f[1] + '$' + salt + "$@@@@";
    QTest::newRow("a hash too short to mean anything")
        << "scrypt$" + f[1] + '$' + salt + '$' + QByteArray(8, 'x').toBase64();
    QTest::newRow("a hash of the wrong value")
        << "scrypt$" + f[1] + '$' + salt + '$' + QByteArray(32, 'x').toBase64();
    QTest::newRow("a huge string") << good + QByteArray(4096, 'A');
}

void tst_PasswordHash::rejectsMalformedStoredStrings()
{
    QFETCH(QByteArray, stored);

    QVERIFY(!password::verify("pw", stored));
}

QTEST_GUILESS_MAIN(tst_PasswordHash)
#include "tst_passwordhash.moc"
