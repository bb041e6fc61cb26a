#include "crypto/Hashing.h"
#include "crypto/Jwt.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace quorum::crypto;

namespace {

constexpr qint64 Now = 1'900'000'000;
const QString Kid = QStringLiteral("key-2026-12-04");
const QString Audience = QStringLiteral("media-1.example");

// Debian's interpreter, which has python3-jwt and python3-cryptography; a python3 found
// earlier on PATH (pyenv) may lack them.
const QString Python = QStringLiteral("/usr/bin/python3");

QByteArray segment(const QJsonObject &object)
{
    return base64UrlEncode(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QByteArray outcome(const std::variant<jwt::Verified, jwt::VerifyError> &result)
{
    if (const auto *error = std::get_if<jwt::VerifyError>(&result))
        return jwt::toString(*error);
    return "Valid";
}

} // namespace

class tst_Jwt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signsTheDocumentedHeader();
    void publishesTheDocumentedJwk();
    void roundTripsTheClaims();
    void jsonStringRoundTrips_data();
    void jsonStringRoundTrips();
    void verify_data();
    void verify();
    void independentVerifier_data();
    void independentVerifier();

private:
    QJsonObject claims(qint64 now) const;
    // header.payload signed with our key, or with `signature` when one is given.
    QByteArray craft(const QJsonObject &header, const QByteArray &payload,
                     std::optional<QByteArray> signature = std::nullopt) const;
    QByteArray withChangedSignatureByte(const QByteArray &token) const;
    QByteArray publicKeyFor(const QString &kid) const;

    SigningKey m_key;
    SigningKey m_otherKey;
    QJsonObject m_header;
};

void tst_Jwt::initTestCase()
{
    m_key = SigningKey::generateEd25519();
    m_otherKey = SigningKey::generateEd25519();
    m_header = QJsonObject{{"alg", "EdDSA"}, {"typ", "JWT"}, {"kid", Kid}};
}

QJsonObject tst_Jwt::claims(qint64 now) const
{
    return QJsonObject{
        {"iss", "https://quorum.example"},
        {"aud", Audience},
        {"sub", "usr_1"},
        {"mid", "mtg_1"},
        {"role", "host"},
        {"name", "Ada Lovelace"},
        {"iat", now},
        {"nbf", now},
        {"exp", now + 300},
        {"jti", "jti_1"},
    };
}

QByteArray tst_Jwt::craft(const QJsonObject &header, const QByteArray &payload,
                          std::optional<QByteArray> signature) const
{
    const QByteArray signingInput = segment(header) + '.' + payload;
    return signingInput + '.' + base64UrlEncode(signature.value_or(m_key.sign(signingInput)));
}

QByteArray tst_Jwt::withChangedSignatureByte(const QByteArray &token) const
{
    const qsizetype dot = token.lastIndexOf('.');
    QByteArray signature = *base64UrlDecode(token.sliced(dot + 1));
    signature[10] = char(signature.at(10) ^ 0x01);
    return token.first(dot + 1) + base64UrlEncode(signature);
}

QByteArray tst_Jwt::publicKeyFor(const QString &kid) const
{
    if (kid == Kid)
        return m_key.publicRaw();
    if (kid == "other")
        return m_otherKey.publicRaw();
    return {};
}

void tst_Jwt::signsTheDocumentedHeader()
{
    const QByteArray token = jwt::sign(claims(Now), Kid, m_key);

    const QList<QByteArray> parts = token.split('.');
    QCOMPARE(parts.size(), 3);
    const QJsonDocument header = QJsonDocument::fromJson(*base64UrlDecode(parts[0]));
    QCOMPARE(header.object(), m_header);
    QCOMPARE(base64UrlDecode(parts[2])->size(), 64);
    QVERIFY(!token.contains('='));
}

void tst_Jwt::publishesTheDocumentedJwk()
{
    const QJsonObject jwk = jwt::publicJwk(Kid, m_key);

    const QJsonObject expected{
        {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", QString(base64UrlEncode(m_key.publicRaw()))},
        {"kid", Kid},   {"alg", "EdDSA"},   {"use", "sig"},
    };
    QCOMPARE(jwk, expected);
}

void tst_Jwt::roundTripsTheClaims()
{
    const QByteArray token = jwt::sign(claims(Now), Kid, m_key);

    const auto result = jwt::verify(
        token, [this](const QString &kid) { return publicKeyFor(kid); }, Now, Audience);

    QCOMPARE(outcome(result), "Valid");
    QCOMPARE(std::get<jwt::Verified>(result).claims, claims(Now));
    QCOMPARE(std::get<jwt::Verified>(result).header, m_header);
}

void tst_Jwt::verify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<qint64>("now");
    QTest::addColumn<QString>("audience");
    QTest::addColumn<QByteArray>("expected");

    const QByteArray valid = jwt::sign(claims(Now), Kid, m_key);
    const QByteArray payload = segment(claims(Now));
    auto with = [this](const QString &name, const QJsonValue &value) {
        QJsonObject changed = claims(Now);
        if (value.isUndefined())
            changed.remove(name);
        else
            changed.insert(name, value);
        return jwt::sign(changed, Kid, m_key);
    };
    auto headerWith = [this](const QString &name, const QJsonValue &value) {
        QJsonObject changed = m_header;
        if (value.isUndefined())
            changed.remove(name);
        else
            changed.insert(name, value);
        return changed;
    };

    QTest::newRow("a token we signed is valid") << valid << Now << Audience << "Valid"_qba;
    QTest::newRow("one second before exp it is still valid")
        << valid << Now + 299 << Audience << "Valid"_qba;
    QTest::newRow("at exactly exp it has expired")
        << valid << Now + 300 << Audience << "Expired"_qba;
    QTest::newRow("long after exp it has expired")
        << valid << Now + 86400 << Audience << "Expired"_qba;
    QTest::newRow("at exactly nbf it is valid")
        << with("nbf", Now + 10) << Now + 10 << Audience << "Valid"_qba;
    QTest::newRow("one second before nbf it is not yet valid")
        << with("nbf", Now + 10) << Now + 9 << Audience << "NotYetValid"_qba;
    QTest::newRow("without nbf it is valid at once")
        << with("nbf", QJsonValue::Undefined) << Now << Audience << "Valid"_qba;

    QTest::newRow("a changed signature byte is a bad signature")
        << withChangedSignatureByte(valid) << Now << Audience << "BadSignature"_qba;
    QJsonObject promoted = claims(Now);
    promoted.insert("role", "co_host");
    const QByteArray forged = valid.first(valid.indexOf('.') + 1) + segment(promoted)
        + valid.sliced(valid.lastIndexOf('.'));
    QTest::newRow("a changed role keeps the old signature and fails")
        << forged << Now << Audience << "BadSignature"_qba;
    QTest::newRow("a signature by another key is a bad signature")
        << craft(m_header, payload, m_otherKey.sign(segment(m_header) + '.' + payload)) << Now
        << Audience << "BadSignature"_qba;
    QTest::newRow("an empty signature is a bad signature")
        << craft(m_header, payload, QByteArray()) << Now << Audience << "BadSignature"_qba;

    QTest::newRow("alg none with an empty signature is refused")
        << craft(headerWith("alg", "none"), payload, QByteArray()) << Now << Audience
        << "BadAlgorithm"_qba;
    QTest::newRow("alg None in another case is refused")
        << craft(headerWith("alg", "None"), payload, QByteArray()) << Now << Audience
        << "BadAlgorithm"_qba;
    // The classic confusion: HS256 "signed" with the published public key as the HMAC secret.
    const QByteArray hsInput = segment(headerWith("alg", "HS256")) + '.' + payload;
    QTest::newRow("HS256 keyed with the raw public key is refused")
        << craft(headerWith("alg", "HS256"), payload, hmacSha256(m_key.publicRaw(), hsInput)) << Now
        << Audience << "BadAlgorithm"_qba;
    const QByteArray jwkX = base64UrlEncode(m_key.publicRaw());
    QTest::newRow("HS256 keyed with the JWK's x is refused")
        << craft(headerWith("alg", "HS256"), payload, hmacSha256(jwkX, hsInput)) << Now << Audience
        << "BadAlgorithm"_qba;
    QTest::newRow("a missing alg is refused")
        << craft(headerWith("alg", QJsonValue::Undefined), payload) << Now << Audience
        << "BadAlgorithm"_qba;
    QTest::newRow("ES256 is not accepted")
        << craft(headerWith("alg", "ES256"), payload) << Now << Audience << "BadAlgorithm"_qba;

    QTest::newRow("an unknown kid")
        << craft(headerWith("kid", "retired"), payload) << Now << Audience << "UnknownKey"_qba;
    QTest::newRow("a missing kid") << craft(headerWith("kid", QJsonValue::Undefined), payload)
                                   << Now << Audience << "UnknownKey"_qba;
    QTest::newRow("a known kid whose key did not sign")
        << craft(headerWith("kid", "other"), payload) << Now << Audience << "BadSignature"_qba;

    QTest::newRow("a wrong audience") << valid << Now << "media-2.example"
                                      << "WrongAudience"_qba;
    QTest::newRow("a missing audience when one is expected")
        << with("aud", QJsonValue::Undefined) << Now << Audience << "WrongAudience"_qba;
    QTest::newRow("an audience list that names us")
        << with("aud", QJsonArray{"media-2.example", Audience}) << Now << Audience << "Valid"_qba;
    QTest::newRow("an audience list that does not name us")
        << with("aud", QJsonArray{"media-2.example"}) << Now << Audience << "WrongAudience"_qba;
    QTest::newRow("no expected audience leaves aud unchecked")
        << valid << Now << QString() << "Valid"_qba;

    QTest::newRow("a missing exp is malformed")
        << with("exp", QJsonValue::Undefined) << Now << Audience << "Malformed"_qba;
    QTest::newRow("an exp that is a string is malformed")
        << with("exp", QString::number(Now + 300)) << Now << Audience << "Malformed"_qba;
    QTest::newRow("an nbf that is a string is malformed")
        << with("nbf", "soon") << Now << Audience << "Malformed"_qba;
    QTest::newRow("a critical header extension is malformed")
        << craft(headerWith("crit", QJsonArray{"b64"}), payload) << Now << Audience
        << "Malformed"_qba;
    QTest::newRow("a kid that is not a string is malformed")
        << craft(headerWith("kid", 7), payload) << Now << Audience << "Malformed"_qba;

    const QList<QByteArray> parts = valid.split('.');
    QTest::newRow("an empty token") << QByteArray() << Now << Audience << "Malformed"_qba;
    QTest::newRow("two segments") << parts[0] + '.' + parts[1] << Now << Audience
                                  << "Malformed"_qba;
    QTest::newRow("four segments") << valid + ".x" << Now << Audience << "Malformed"_qba;
    QTest::newRow("an empty header")
        << '.' + parts[1] + '.' + parts[2] << Now << Audience << "Malformed"_qba;
    QTest::newRow("an empty payload")
        << parts[0] + ".." + parts[2] << Now << Audience << "Malformed"_qba;
    QTest::newRow("a header in standard base64") << parts[0].toBase64() + '.' + parts[1] + '.'
            + parts[2] << Now << Audience << "Malformed"_qba;
    QTest::newRow("a header that is not JSON")
        << base64UrlEncode("{\"alg\":\"EdDSA\"") + '.' + parts[1] + '.' + parts[2] << Now
        << Audience << "Malformed"_qba;
    QTest::newRow("a header that is a JSON array")
        << base64UrlEncode("[\"EdDSA\"]") + '.' + parts[1] + '.' + parts[2] << Now << Audience
        << "Malformed"_qba;
    QTest::newRow("a signed payload that is not JSON")
        << craft(m_header, base64UrlEncode("not json")) << Now << Audience << "Malformed"_qba;
    QTest::newRow("a signed payload that is a JSON string")
        << craft(m_header, base64UrlEncode("\"claims\"")) << Now << Audience << "Malformed"_qba;
    QTest::newRow("a padded signature") << valid + "==" << Now << Audience << "Malformed"_qba;
    QTest::newRow("a signature with a space") << valid + " " << Now << Audience << "Malformed"_qba;
    QTest::newRow("a token of 20 kilobytes")
        << with("name", QString(20000, 'a')) << Now << Audience << "Malformed"_qba;
}

void tst_Jwt::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(qint64, now);
    QFETCH(QString, audience);
    QFETCH(QByteArray, expected);

    const auto result = jwt::verify(
        token, [this](const QString &kid) { return publicKeyFor(kid); }, now, audience);

    QCOMPARE(outcome(result), expected);
}

void tst_Jwt::independentVerifier_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QByteArray>("reason");

    // PyJWT checks exp against the real clock.
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QByteArray valid = jwt::sign(claims(now), Kid, m_key);
    const QByteArray payload = segment(claims(now));
    QJsonObject hsHeader = m_header;
    hsHeader.insert("alg", "HS256");
    QJsonObject noneHeader = m_header;
    noneHeader.insert("alg", "none");
    QJsonObject otherAudience = claims(now);
    otherAudience.insert("aud", "media-2.example");

    QTest::newRow("a token we signed is accepted") << valid << true << QByteArray();
    QTest::newRow("a changed signature byte is refused")
        << withChangedSignatureByte(valid) << false << "InvalidSignatureError"_qba;
    QTest::newRow("alg none with an empty signature is refused")
        << craft(noneHeader, payload, QByteArray()) << false << "InvalidAlgorithmError"_qba;
    QTest::newRow("HS256 keyed with the public key is refused")
        << craft(hsHeader, payload,
                 hmacSha256(m_key.publicRaw(), segment(hsHeader) + '.' + payload))
        << false << "InvalidAlgorithmError"_qba;
    QTest::newRow("a wrong audience is refused")
        << jwt::sign(otherAudience, Kid, m_key) << false << "InvalidAudienceError"_qba;
    QTest::newRow("an expired token is refused")
        << jwt::sign(claims(now - 600), Kid, m_key) << false << "ExpiredSignatureError"_qba;
}

void tst_Jwt::independentVerifier()
{
    QFETCH(QByteArray, token);
    QFETCH(bool, accepted);
    QFETCH(QByteArray, reason);
    if (!QFile::exists(Python))
        QSKIP("/usr/bin/python3 is not installed");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile jwks(dir.filePath("jwks.json"));
    QVERIFY(jwks.open(QIODevice::WriteOnly));
    const QJsonObject keySet{{"keys", QJsonArray{jwt::publicJwk(Kid, m_key)}}};
    jwks.write(QJsonDocument(keySet).toJson());
    jwks.close();

    QProcess python;
    python.start(Python,
                 {QStringLiteral(QUORUM_VERIFY_JWT_SCRIPT), jwks.fileName(),
                  QString::fromLatin1(token), Audience});
    QVERIFY2(python.waitForFinished(30000), "the verifier did not finish in 30 s");

    const QByteArray errors = python.readAllStandardError();
    QCOMPARE(python.exitStatus(), QProcess::NormalExit);
    if (!accepted) {
        // 1 is a refusal; anything else (a missing module, a usage error) is a broken test.
        QVERIFY2(python.exitCode() == 1, errors.constData());
        QVERIFY2(errors.startsWith("refused: " + reason + ':'), errors.constData());
        return;
    }
    QVERIFY2(python.exitCode() == 0, errors.constData());
    const QJsonObject claims = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    const auto ours = jwt::verify(
        token, [this](const QString &kid) { return publicKeyFor(kid); },
        QDateTime::currentSecsSinceEpoch(), Audience);
    QCOMPARE(outcome(ours), "Valid");
    QCOMPARE(claims, std::get<jwt::Verified>(ours).claims);
}

void tst_Jwt::jsonStringRoundTrips_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("plain ASCII") << QStringLiteral("Ann");
    QTest::newRow("quotes and backslashes") << QStringLiteral("a \"quoted\" \\ name");
    QTest::newRow("control characters") << QStringLiteral("tab\tnew\nline\x01");
    QTest::newRow("accents and CJK") << QStringLiteral("Zoë 東京");
    QTest::newRow("emoji as surrogate pairs") << QStringLiteral("🚒 Test 😀😀");
    QTest::newRow("the empty string") << QString();
}

void tst_Jwt::jsonStringRoundTrips()
{
    QFETCH(QString, text);
    const QByteArray json = "{\"v\":" + jwt::jsonString(text) + '}';
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(document.object().value(QStringLiteral("v")).toString(), text);
    QVERIFY(!json.contains("\\ud83d")); // emoji travel as UTF-8, not as escapes
}

QTEST_GUILESS_MAIN(tst_Jwt)
#include "tst_jwt.moc"
