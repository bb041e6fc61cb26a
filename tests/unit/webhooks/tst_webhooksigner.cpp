// WebhookSigner against two independent computations: digests computed with
// `openssl dgst -sha256 -hmac <secret>` when the test was written, and Qt's own HMAC.

#include "webhooks/WebhookSigner.h"

#include <QMessageAuthenticationCode>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

class tst_WebhookSigner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void v1MatchesOpenSslVectors_data();
    void v1MatchesOpenSslVectors();
    void headerListsEveryLiveSecret_data();
    void headerListsEveryLiveSecret();
    void signsTheRawBytesNotATextRoundTrip();
};

namespace {

const QByteArray kEmojiBody
    = "{\"event\":\"meeting.started\",\"event_id\":\"evt_1\",\"ts\":\"2026-05-04T09:00:00.000Z\","
      "\"data\":{\"topic\":\"Plan ✅ – Q3 “draft” 🚒\"}}";

QByteArray qtHmac(const QByteArray &secret, qint64 t, const QByteArray &body)
{
    return QMessageAuthenticationCode::hash("v1:" + QByteArray::number(t) + ':' + body, secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

} // namespace

void tst_WebhookSigner::v1MatchesOpenSslVectors_data()
{
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("an empty body signs the prefix alone")
        << "whsec_test"_ba << QByteArray()
        << "77ced2bfd1ba6e36e37ad213c7956401a59a752c96317406527369d19e95bd7e"_ba;
    QTest::newRow("an empty object")
        << "whsec_test"_ba
        << "{}"_ba
        << "bc26d74dd4db1c3f3e2df57b17cd9c1c0a0a17d3cc6f5eb6a348a9fae4fc1403"_ba;
    QTest::newRow("another secret gives another digest")
        << "whsec_old"_ba
        << "{}"_ba
        << "4a0b9b209f6ba61f482ed2fc93cbffa5eea0557e0139b7a0b5a1c4bc0a7b7c1d"_ba;
    QTest::newRow("a body with emoji and typographic quotes is signed as UTF-8")
        << "whsec_test"_ba << kEmojiBody
        << "beb7114be9fdeb66aedc9e1cdf778ee562b6ee23d07e7f9067e0b4b9bc1199d0"_ba;
}

void tst_WebhookSigner::v1MatchesOpenSslVectors()
{
    QFETCH(QByteArray, secret);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expected);

    const QByteArray v1 = WebhookSigner::v1(secret, 1750000000, body);

    QCOMPARE(v1, expected);
    QCOMPARE(v1, qtHmac(secret, 1750000000, body));
}

void tst_WebhookSigner::headerListsEveryLiveSecret_data()
{
    QTest::addColumn<QList<QByteArray>>("secrets");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("one secret gives one v1")
        << QList<QByteArray>{"whsec_test"}
        << "t=1750000000,v1=bc26d74dd4db1c3f3e2df57b17cd9c1c0a0a17d3cc6f5eb6a348a9fae4fc1403"_ba;
    QTest::newRow("during a rotation the new secret's v1 comes before the old one's")
        << QList<QByteArray>{"whsec_test", "whsec_old"}
        << "t=1750000000,v1=bc26d74dd4db1c3f3e2df57b17cd9c1c0a0a17d3cc6f5eb6a348a9fae4fc1403,"
           "v1=4a0b9b209f6ba61f482ed2fc93cbffa5eea0557e0139b7a0b5a1c4bc0a7b7c1d"_ba;
}

void tst_WebhookSigner::headerListsEveryLiveSecret()
{
    QFETCH(QList<QByteArray>, secrets);
    QFETCH(QByteArray, expected);

    QCOMPARE(WebhookSigner(secrets).signatureHeader(1750000000, "{}"), expected);
}

void tst_WebhookSigner::signsTheRawBytesNotATextRoundTrip()
{
    // The same text escaped as \u sequences is other bytes, so another signature: what is
    // signed must be what is sent, never a re-serialisation of it.
    const QByteArray escaped = "{\"topic\":\"\\u2705\"}";
    const QByteArray literal = "{\"topic\":\"✅\"}";

    QCOMPARE(WebhookSigner::v1("s", 1, escaped), qtHmac("s", 1, escaped));
    QCOMPARE(WebhookSigner::v1("s", 1, literal), qtHmac("s", 1, literal));
    QVERIFY(WebhookSigner::v1("s", 1, escaped) != WebhookSigner::v1("s", 1, literal));
    QVERIFY(WebhookSigner::v1("s", 1, literal)
            != qtHmac("s", 1, QString::fromUtf8(literal).toLatin1()));
}

} // namespace quorum

QTEST_APPLESS_MAIN(quorum::tst_WebhookSigner)
#include "tst_webhooksigner.moc"
