#include "crypto/SecretBox.h"

#include <QTest>

using namespace quorum::crypto;

namespace {

QByteArray testKey()
{
    QByteArray key;
    for (int i = 0; i < 32; ++i)
        key.append(char(i));
    return key;
}

constexpr int Overhead = 1 + SecretBox::NonceSize + SecretBox::TagSize;

} // namespace

class tst_SecretBox : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sealedOpens_data();
    void sealedOpens();
    void opensWhatAnotherAesGcmSealed();
    void tamperingIsDetected_data();
    void tamperingIsDetected();
    void wrongKeyFails();
    void wrongAssociatedDataFails_data();
    void wrongAssociatedDataFails();
    void truncatedInputFails();
    void twoSealsDiffer();
    void fingerprintIsStable();
    void derivedKeysArePerPurpose();
};

void tst_SecretBox::sealedOpens_data()
{
    QTest::addColumn<QByteArray>("plaintext");
    QTest::addColumn<QByteArray>("associatedData");

    QTest::newRow("an empty secret") << QByteArray() << QByteArray();
    QTest::newRow("a webhook secret") << "whsec_0123456789abcdef"_qba << QByteArray();
    QTest::newRow("a secret bound to its row") << "whsec_0123456789abcdef"_qba
                                               << "webhook:42"_qba;
    QTest::newRow("a megabyte of binary data")
        << QByteArray(1024 * 1024, '\0').replace(0, 3, "\xff\x00\x01") << "blob"_qba;
}

void tst_SecretBox::sealedOpens()
{
    QFETCH(QByteArray, plaintext);
    QFETCH(QByteArray, associatedData);
    const SecretBox box(testKey());

    const QByteArray sealed = box.seal(plaintext, associatedData);

    QCOMPARE(sealed.size(), plaintext.size() + Overhead);
    QCOMPARE(sealed.at(0), '\x01');
    const std::optional<QByteArray> opened = box.open(sealed, associatedData);
    QVERIFY(opened);
    QCOMPARE(*opened, plaintext);
}

void tst_SecretBox::opensWhatAnotherAesGcmSealed()
{
    // Sealed by Python's cryptography (AESGCM) with key 00..1f and nonce 64..6f, as
    // 0x01 | nonce | ciphertext | tag: the format is plain AES-256-GCM.
    const QByteArray sealed = QByteArray::fromHex(
        "016465666768696a6b6c6d6e6f3f7ebc0e16863dbe4d073c9abf1131b9132b4c8cda8a9e0d6e59b1e5e400");
    const SecretBox box(testKey());

    const std::optional<QByteArray> opened = box.open(sealed, "subscription 42");

    QVERIFY(opened);
    QCOMPARE(*opened, "webhook secret"_qba);
}

void tst_SecretBox::tamperingIsDetected_data()
{
    QTest::addColumn<int>("offset");

    const int plaintextSize = 20;
    QTest::newRow("the version byte") << 0;
    QTest::newRow("the first nonce byte") << 1;
    QTest::newRow("the last nonce byte") << SecretBox::NonceSize;
    QTest::newRow("the first ciphertext byte") << 1 + SecretBox::NonceSize;
    QTest::newRow("the last ciphertext byte") << SecretBox::NonceSize + plaintextSize;
    QTest::newRow("the first tag byte") << 1 + SecretBox::NonceSize + plaintextSize;
    QTest::newRow("the last tag byte") << plaintextSize + Overhead - 1;
}

void tst_SecretBox::tamperingIsDetected()
{
    QFETCH(int, offset);
    const SecretBox box(testKey());
    QByteArray sealed = box.seal(QByteArray(20, 'p'), "ad");
    QVERIFY(box.open(sealed, "ad"));

    sealed[offset] = char(sealed.at(offset) ^ 0x01);

    QCOMPARE(box.open(sealed, "ad"), std::nullopt);
}

void tst_SecretBox::wrongKeyFails()
{
    QByteArray otherKey = testKey();
    otherKey[31] = char(otherKey.at(31) ^ 0x80);
    const QByteArray sealed = SecretBox(testKey()).seal("secret");

    QCOMPARE(SecretBox(otherKey).open(sealed), std::nullopt);
}

void tst_SecretBox::wrongAssociatedDataFails_data()
{
    QTest::addColumn<QByteArray>("sealedWith");
    QTest::addColumn<QByteArray>("openedWith");

    QTest::newRow("another row's associated data") << "webhook:1"_qba
                                                   << "webhook:2"_qba;
    QTest::newRow("associated data left out when opening") << "webhook:1"_qba << QByteArray();
    QTest::newRow("associated data added when opening") << QByteArray() << "webhook:1"_qba;
}

void tst_SecretBox::wrongAssociatedDataFails()
{
    QFETCH(QByteArray, sealedWith);
    QFETCH(QByteArray, openedWith);
    const SecretBox box(testKey());

    const QByteArray sealed = box.seal("secret", sealedWith);

    QCOMPARE(box.open(sealed, openedWith), std::nullopt);
}

void tst_SecretBox::truncatedInputFails()
{
    const SecretBox box(testKey());
    const QByteArray sealed = box.seal("secret");

    // Every proper prefix, from nothing to one byte short of the whole.
    for (qsizetype length = 0; length < sealed.size(); ++length)
        QVERIFY2(!box.open(sealed.first(length)), qPrintable(QString::number(length)));
}

void tst_SecretBox::twoSealsDiffer()
{
    const SecretBox box(testKey());

    const QByteArray first = box.seal("the same secret");
    const QByteArray second = box.seal("the same secret");

    QVERIFY(first != second);
    QVERIFY(first.mid(1, SecretBox::NonceSize) != second.mid(1, SecretBox::NonceSize));
}

void tst_SecretBox::fingerprintIsStable()
{
    QByteArray otherKey = testKey();
    otherKey[0] = 'x';

    // Hex of the first 16 bytes of SHA-256("quorum-master-key-fingerprint:" + key).
    QCOMPARE(SecretBox(testKey()).fingerprint(), "8cebfd93a921d2babbf25a981999b8b9"_qba);
    QCOMPARE(SecretBox(testKey()).fingerprint(), SecretBox(testKey()).fingerprint());
    QVERIFY(SecretBox(otherKey).fingerprint() != SecretBox(testKey()).fingerprint());
}

void tst_SecretBox::derivedKeysArePerPurpose()
{
    const SecretBox box(testKey());

    // HMAC-SHA256(key, "quorum-derive:cursors"), computed independently.
    QCOMPARE(box.deriveKey("cursors").toHex(),
             "275a0db7c5f345d1986f7f075e1fcb7fd1ab9cb70b3425f5c2c73f1f18911d86"_qba);
    QVERIFY(box.deriveKey("signed-urls") != box.deriveKey("cursors"));
    QVERIFY(box.deriveKey("cursors") != testKey());
}

QTEST_GUILESS_MAIN(tst_SecretBox)
#include "tst_secretbox.moc"
