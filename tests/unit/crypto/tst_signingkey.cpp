#include "crypto/SigningKey.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace quorum::crypto;

namespace {

// PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410): this DER prefix, then the 32 bytes.
QByteArray pemForSeed(const QByteArray &seed)
{
    const QByteArray der = QByteArray::fromHex("302e020100300506032b657004220420") + seed;
    return "-----BEGIN PRIVATE KEY-----\n" + der.toBase64() + "\n-----END PRIVATE KEY-----\n";
}

const QByteArray X25519Pem = "-----BEGIN PRIVATE KEY-----\n"
                             "MC4CAQAwBQYDK2VuBCIEILikGmMlldn7rmFj/YqYyIuIDWJr/WDwk57Sbc/GF2lS\n"
                             "-----END PRIVATE KEY-----\n";

const QByteArray EncryptedPem = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAix9APJHG+s+QICCAAw\n"
                                "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEBxdIjW+40uoubhC19sp39QEQDJL\n"
                                "cmLq/a9BYABDZ2AIa3HwC1Br+gOOhxiZk1ZxryTDf0+e6Sr0oCNBYgKPt0rheH12\n"
                                "DBizemvhngYgLyEorVA=\n"
                                "-----END ENCRYPTED PRIVATE KEY-----\n";

} // namespace

class tst_SigningKey : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesRfc8032_data();
    void matchesRfc8032();
    void generatedKeysSignAndVerify();
    void pemRoundTrips();
    void pemOfAKnownSeedIsPkcs8();
    void fromPrivatePemRejects_data();
    void fromPrivatePemRejects();
    void fromPrivateRawRejectsWrongSizes();
    void verifyRejects_data();
    void verifyRejects();
    void copiesShareTheKey();
    void nullKeyDoesNothing();
    void signsOnManyThreadsAtOnce();
    void eachSignatureIsByItsOwnKey();
};

void tst_SigningKey::matchesRfc8032_data()
{
    QTest::addColumn<QByteArray>("seed");
    QTest::addColumn<QByteArray>("publicKey");
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QByteArray>("signature");

    QTest::newRow("test 1: the empty message")
        << "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"_qba
        << "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"_qba << QByteArray()
        << "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6"
           "1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"_qba;
    QTest::newRow("test 2: a one-byte message")
        << "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"_qba
        << "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"_qba
        << "72"_qba
        << "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e45"
           "8f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"_qba;
}

void tst_SigningKey::matchesRfc8032()
{
    QFETCH(QByteArray, seed);
    QFETCH(QByteArray, publicKey);
    QFETCH(QByteArray, message);
    QFETCH(QByteArray, signature);
    const QByteArray data = QByteArray::fromHex(message);

    const std::optional<SigningKey> key = SigningKey::fromPrivateRaw(QByteArray::fromHex(seed));

    QVERIFY(key);
    QCOMPARE(key->algorithm(), "EdDSA");
    QCOMPARE(key->publicRaw().toHex(), publicKey);
    QCOMPARE(key->sign(data).toHex(), signature);
    QVERIFY(verifyEd25519(QByteArray::fromHex(publicKey), data, QByteArray::fromHex(signature)));
}

void tst_SigningKey::generatedKeysSignAndVerify()
{
    const SigningKey key = SigningKey::generateEd25519();
    const SigningKey other = SigningKey::generateEd25519();

    const QByteArray signature = key.sign("header.payload");

    QVERIFY(!key.isNull());
    QCOMPARE(key.publicRaw().size(), 32);
    QCOMPARE(signature.size(), 64);
    QVERIFY(key.publicRaw() != other.publicRaw());
    QVERIFY(verifyEd25519(key.publicRaw(), "header.payload", signature));
    QVERIFY(!verifyEd25519(other.publicRaw(), "header.payload", signature));
}

void tst_SigningKey::pemRoundTrips()
{
    const SigningKey key = SigningKey::generateEd25519();

    const QByteArray pem = key.privatePem();
    const std::optional<SigningKey> restored = SigningKey::fromPrivatePem(pem);

    QVERIFY(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
    QVERIFY(restored);
    QCOMPARE(restored->publicRaw(), key.publicRaw());
    QCOMPARE(restored->privatePem(), pem);
    QVERIFY(verifyEd25519(key.publicRaw(), "data", restored->sign("data")));
}

void tst_SigningKey::pemOfAKnownSeedIsPkcs8()
{
    const QByteArray seed
        = QByteArray::fromHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

    const std::optional<SigningKey> fromRaw = SigningKey::fromPrivateRaw(seed);
    const std::optional<SigningKey> fromPem = SigningKey::fromPrivatePem(pemForSeed(seed));

    QVERIFY(fromRaw);
    QVERIFY(fromPem);
    QCOMPARE(fromRaw->privatePem(), pemForSeed(seed));
    QCOMPARE(fromPem->publicRaw().toHex(),
             "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"_qba);
}

void tst_SigningKey::fromPrivatePemRejects_data()
{
    QTest::addColumn<QByteArray>("pem");

    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("text that is not PEM") << "not a key"_qba;
    QTest::newRow("a PKCS#8 key of another type (X25519)") << X25519Pem;
    QTest::newRow("an encrypted key, without asking for a passphrase") << EncryptedPem;
    QTest::newRow("a public key")
        << "-----BEGIN PUBLIC KEY-----\n"
           "MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
           "-----END PUBLIC KEY-----\n"_qba;
    QByteArray truncated = pemForSeed(QByteArray(32, 'k'));
    truncated.remove(40, 10);
    QTest::newRow("a damaged body") << truncated;
}

void tst_SigningKey::fromPrivatePemRejects()
{
    QFETCH(QByteArray, pem);

    QVERIFY(!SigningKey::fromPrivatePem(pem));
}

void tst_SigningKey::fromPrivateRawRejectsWrongSizes()
{
    QVERIFY(!SigningKey::fromPrivateRaw(QByteArray()));
    QVERIFY(!SigningKey::fromPrivateRaw(QByteArray(31, 'k')));
    QVERIFY(!SigningKey::fromPrivateRaw(QByteArray(64, 'k')));
}

void tst_SigningKey::verifyRejects_data()
{
    QTest::addColumn<int>("part");
    QTest::addColumn<int>("offset");

    QTest::newRow("a flipped bit in the first signature byte") << 0 << 0;
    QTest::newRow("a flipped bit in the last signature byte") << 0 << 63;
    QTest::newRow("a flipped bit in the message") << 1 << 3;
    QTest::newRow("a flipped bit in the public key") << 2 << 5;
    QTest::newRow("a signature one byte short") << 3 << 0;
    QTest::newRow("a public key one byte short") << 4 << 0;
}

void tst_SigningKey::verifyRejects()
{
    QFETCH(int, part);
    QFETCH(int, offset);
    const SigningKey key = SigningKey::generateEd25519();
    QByteArray publicKey = key.publicRaw();
    QByteArray message = "a message";
    QByteArray signature = key.sign(message);
    QVERIFY(verifyEd25519(publicKey, message, signature));

    switch (part) {
    case 0:
        signature[offset] = char(signature.at(offset) ^ 0x01);
        break;
    case 1:
        message[offset] = char(message.at(offset) ^ 0x01);
        break;
    case 2:
        publicKey[offset] = char(publicKey.at(offset) ^ 0x01);
        break;
    case 3:
        signature.chop(1);
        break;
    default:
        publicKey.chop(1);
    }

    QVERIFY(!verifyEd25519(publicKey, message, signature));
}

void tst_SigningKey::copiesShareTheKey()
{
    SigningKey copy;
    QByteArray publicKey;
    {
        const SigningKey original = SigningKey::generateEd25519();
        publicKey = original.publicRaw();
        copy = original;
        SigningKey constructed(original);
        QCOMPARE(constructed.publicRaw(), publicKey);
    }

    // The copy outlives the original and still signs.
    QCOMPARE(copy.publicRaw(), publicKey);
    QVERIFY(verifyEd25519(publicKey, "data", copy.sign("data")));

    SigningKey moved(std::move(copy));
    QCOMPARE(moved.publicRaw(), publicKey);
}

void tst_SigningKey::nullKeyDoesNothing()
{
    const SigningKey key;

    QVERIFY(key.isNull());
    QVERIFY(key.algorithm().isEmpty());
    QVERIFY(key.sign("data").isEmpty());
    QVERIFY(key.publicRaw().isEmpty());
    QVERIFY(key.privatePem().isEmpty());
}

void tst_SigningKey::signsOnManyThreadsAtOnce()
{
    const SigningKey key = SigningKey::generateEd25519();
    const QByteArray publicKey = key.publicRaw();
    std::atomic<int> failures = 0;

    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&key, &publicKey, &failures, t] {
            for (int i = 0; i < 200; ++i) {
                const QByteArray data = QByteArray::number(t) + ':' + QByteArray::number(i);
                if (!verifyEd25519(publicKey, data, key.sign(data)))
                    ++failures;
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();

    QCOMPARE(failures.load(), 0);
}

void tst_SigningKey::eachSignatureIsByItsOwnKey()
{
    // Signing contexts are kept per thread for the last key: switching keys, and a new key
    // made where a dropped one lived, must never sign with the previous key.
    const QByteArray message = "the same message for every key";
    const SigningKey first = SigningKey::generateEd25519();
    const SigningKey second = SigningKey::generateEd25519();
    const QList<const SigningKey *> order{&first, &second, &first, &first, &second};
    for (const SigningKey *key : order)
        QVERIFY(verifyEd25519(key->publicRaw(), message, key->sign(message)));

    for (int round = 0; round < 8; ++round) {
        const auto seed = QByteArray(32, char('a' + round));
        const auto key = SigningKey::fromPrivateRaw(seed);
        QVERIFY(key);
        QVERIFY(verifyEd25519(key->publicRaw(), message, key->sign(message)));
        QVERIFY(!verifyEd25519(first.publicRaw(), message, key->sign(message)));
    }
}

QTEST_GUILESS_MAIN(tst_SigningKey)
#include "tst_signingkey.moc"
