// The signed links of recording files: what is signed, what a tampered, expired or oddly spelled
// link gets, and a known answer computed independently (Python's hmac) so the scheme itself is
// pinned, not only its round trip.

#include "crypto/SecretBox.h"
#include "crypto/SignedUrl.h"

#include <QUrl>
#include <QUrlQuery>
#include <QtTest>

using namespace quorum::crypto;
using namespace Qt::StringLiterals;

namespace {

// The master key 00 01 02 ... 1f.
QByteArray masterKey()
{
    QByteArray key;
    for (char i = 0; i < 32; ++i)
        key.append(i);
    return key;
}

SignedUrl signer()
{
    return SignedUrl(SecretBox(masterKey()).deriveKey("recording-file-url"));
}

const QString kPath = u"/v1/recordings/rec_abc/files/fil_def"_s;
const QDateTime kExpires = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);
const QDateTime kBefore = kExpires.addSecs(-3600);

// python3 -c 'import hmac,hashlib,base64; m=bytes(range(32));
//   k=hmac.new(m,b"quorum-derive:recording-file-url",hashlib.sha256).digest();
//   print(base64.urlsafe_b64encode(hmac.new(k,
//     b"v1:/v1/recordings/rec_abc/files/fil_def:1700000000",hashlib.sha256).digest()))'
const QString kKnownSignature = u"V9JmMJsjtJhTLuWj3uE7_ASFgCwgzItWsOrwP-M5SRE"_s;

QString signatureOf(const QString &url)
{
    return QUrlQuery(QUrl(url)).queryItemValue(u"sig"_s);
}

} // namespace

Q_DECLARE_METATYPE(quorum::crypto::SignedUrl::Check)

class tst_SignedUrl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signsPathAndExpiry()
    {
        const QString url = signer().sign(u"https://q.example"_s, kPath, kExpires);

        QCOMPARE(url,
                 u"https://q.example/v1/recordings/rec_abc/files/fil_def?expires=1700000000&sig="_s
                     + kKnownSignature);
    }

    void derivesTheDocumentedKey()
    {
        QCOMPARE(SecretBox(masterKey()).deriveKey("recording-file-url").toHex(),
                 QByteArray("7b7e6faa0c730b2445c6e8ffeeb326e305fe1e43482fb0704f09ed8d716401f5"));
    }

    void verify_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("expires");
        QTest::addColumn<QString>("signature");
        QTest::addColumn<QDateTime>("now");
        QTest::addColumn<SignedUrl::Check>("expected");

        const QString expires = u"1700000000"_s;
        const QString sig = kKnownSignature;
        using Check = SignedUrl::Check;

        QTest::newRow("the signed link is valid before it expires")
            << kPath << expires << sig << kBefore << Check::Valid;
        QTest::newRow("it is valid one second before its expiry")
            << kPath << expires << sig << kExpires.addSecs(-1) << Check::Valid;
        QTest::newRow("it has expired at its expiry")
            << kPath << expires << sig << kExpires << Check::Expired;
        QTest::newRow("it has expired after its expiry")
            << kPath << expires << sig << kExpires.addDays(30) << Check::Expired;
        QTest::newRow("another file of the recording is refused")
            << u"/v1/recordings/rec_abc/files/fil_deg"_s << expires << sig << kBefore
            << Check::BadSignature;
        QTest::newRow("another recording is refused")
            << u"/v1/recordings/rec_abd/files/fil_def"_s << expires << sig << kBefore
            << Check::BadSignature;
        QTest::newRow("a later expiry is refused")
            << kPath << u"1700000001"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("a tampered expiry that has passed is refused, not expired")
            << kPath << u"1600000000"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("expiry with a leading zero is refused")
            << kPath << u"01700000000"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("expiry with a plus sign is refused")
            << kPath << u"+1700000000"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("expiry with spaces is refused")
            << kPath << u" 1700000000"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("a negative expiry is refused")
            << kPath << u"-1700000000"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("a zero expiry is refused")
            << kPath << u"0"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("an overflowing expiry is refused")
            << kPath << u"99999999999999999999999"_s << sig << kBefore << Check::BadSignature;
        QTest::newRow("a missing expiry is refused")
            << kPath << QString() << sig << kBefore << Check::BadSignature;
        QTest::newRow("a missing signature is refused")
            << kPath << expires << QString() << kBefore << Check::BadSignature;
        QTest::newRow("a signature with one character changed is refused")
            << kPath << expires << u"W"_s + sig.mid(1) << kBefore << Check::BadSignature;
        QTest::newRow("a truncated signature is refused")
            << kPath << expires << sig.chopped(1) << kBefore << Check::BadSignature;
        QTest::newRow("a signature in standard base64 is refused")
            << kPath << expires << QString(sig).replace(u'_', u'/').replace(u'-', u'+') << kBefore
            << Check::BadSignature;
        QTest::newRow("a signature that is not base64 is refused")
            << kPath << expires << u"!!!not base64!!!"_s << kBefore << Check::BadSignature;
        QTest::newRow("a signature by another key is refused")
            << kPath << expires
            << signatureOf(SignedUrl(QByteArray(32, 'x')).sign({}, kPath, kExpires)) << kBefore
            << Check::BadSignature;
    }

    void verify()
    {
        QFETCH(QString, path);
        QFETCH(QString, expires);
        QFETCH(QString, signature);
        QFETCH(QDateTime, now);
        QFETCH(SignedUrl::Check, expected);

        QCOMPARE(signer().verify(path, expires, signature, now), expected);
    }

    void roundTrips()
    {
        const SignedUrl urls(QByteArray(32, '\x42'));
        const QDateTime expiresAt = QDateTime::fromSecsSinceEpoch(2000000000, Qt::UTC);
        const QUrl url(urls.sign(u"http://127.0.0.1:8080"_s, kPath, expiresAt));
        const QUrlQuery query(url);

        QCOMPARE(url.path(), kPath);
        QCOMPARE(urls.verify(url.path(), query.queryItemValue(u"expires"_s),
                             query.queryItemValue(u"sig"_s), expiresAt.addSecs(-1)),
                 SignedUrl::Check::Valid);
    }
};

QTEST_GUILESS_MAIN(tst_SignedUrl)
#include "tst_signedurl.moc"
