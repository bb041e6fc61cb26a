// Join-token issuance end to end (DESIGN.md *Join tokens*): who gets which identity and role,
// what the answer carries, and that the JWT verifies outside Quorum (PyJWT, openssl) the way a
// media node would check it, across a key rotation too.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// Debian's interpreter: it has python3-jwt and python3-cryptography, a pyenv python3 on PATH
// does not.
const QString kPython = u"/usr/bin/python3"_s;

QJsonObject newMeeting(const QString &topic = u"Join tokens"_s)
{
    return {{u"topic"_s, topic},
            {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
            {u"duration_minutes"_s, 30}};
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray fromBase64Url(const QByteArray &text)
{
    return QByteArray::fromBase64(text, QByteArray::Base64UrlEncoding);
}

// One of the token's JSON parts, read without verifying anything.
QJsonObject jwtPart(const QString &jwt, int index)
{
    return QJsonDocument::fromJson(fromBase64Url(jwt.toLatin1().split('.').value(index))).object();
}

QJsonObject claimsOf(const QString &jwt)
{
    return jwtPart(jwt, 1);
}

QString kidOf(const QString &jwt)
{
    return jwtPart(jwt, 0).value(u"kid").toString();
}

QString verifierScript()
{
    const QString sourceDir = qEnvironmentVariable("QUORUM_SOURCE_DIR");
    if (!sourceDir.isEmpty())
        return sourceDir + u"/tests/integration/verify_join_token.py"_s;
    return QFINDTESTDATA("verify_join_token.py");
}

struct Verification
{
    bool accepted = false;
    QJsonObject header;
    QJsonObject claims;
    QByteArray error;
};

// Runs verify_join_token.py: JWKS from the server, EdDSA signature, audience, times.
Verification verifyWithPython(const QString &baseUrl, const QString &jwt, const QString &audience,
                              std::optional<qint64> now = std::nullopt)
{
    QStringList arguments{verifierScript(), baseUrl, jwt, u"--audience"_s, audience};
    if (now)
        arguments << u"--now"_s << QString::number(*now);

    QProcess process;
    process.start(kPython, arguments);
    Verification result;
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished(5000);
        result.error = "the verifier did not finish";
        return result;
    }

    result.error = process.readAllStandardError();
    const QJsonObject out = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    result.accepted = process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    result.header = out.value(u"header").toObject();
    result.claims = out.value(u"claims").toObject();
    return result;
}

QStringList kidsIn(const QJsonObject &jwks)
{
    QStringList kids;
    for (const QJsonValue &key : jwks.value(u"keys").toArray())
        kids << key.toObject().value(u"kid").toString();
    return kids;
}

} // namespace

class tst_JoinTokens : public QObject
{
    Q_OBJECT

private:
    QString createMeeting(QuorumdProcess &server, const QString &token) const
    {
        ApiClient client(server.baseUrl(), token);
        const ApiReply created = client.post(u"/v1/meetings"_s, newMeeting());
        return created.status == 201 ? created.json().value(u"id").toString() : QString();
    }

    ApiReply requestToken(const QString &bearer, const QString &meetingId,
                          const QJsonObject &body) const
    {
        return requestTokenFrom(*m_server, bearer, meetingId, body);
    }

    static ApiReply requestTokenFrom(QuorumdProcess &server, const QString &bearer,
                                     const QString &meetingId, const QJsonObject &body)
    {
        ApiClient client(server.baseUrl(), bearer);
        return client.post(u"/v1/meetings/"_s + meetingId + u"/joinToken"_s, body);
    }

    QString bearerFor(const QString &kind) const
    {
        if (kind == u"host")
            return m_hostToken;
        if (kind == u"member")
            return m_memberToken;
        if (kind == u"forged")
            return u"qpat_forged"_s;
        if (kind == u"noJoin")
            return m_noJoinToken;
        return {};
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_hostToken;
    QString m_hostId;
    QString m_memberToken;
    QString m_memberId;
    QString m_noJoinToken;
    QString m_meetingId;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(QStringList{
            u"--advertise-url"_s, u"http://sfu.quorum.test:8443"_s, u"--node-name"_s, u"node-a"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());

        m_hostToken = m_server->token();
        QVERIFY(m_hostToken.startsWith(u"qpat_"));
        m_memberId = m_server->createUser(u"bob"_s, u"default"_s);
        QVERIFY(m_memberId.startsWith(u"usr_"));
        m_memberToken = m_server->token(u"bob"_s);
        QVERIFY(m_memberToken.startsWith(u"qpat_"));
        m_noJoinToken
            = m_server->token(u"admin"_s, u"default"_s, {u"meeting.read"_s, u"meeting.write"_s});
        QVERIFY(m_noJoinToken.startsWith(u"qpat_"));

        ApiClient host(m_server->baseUrl(), m_hostToken);
        m_hostId = host.get(u"/v1/me"_s).json().value(u"user").toObject().value(u"id").toString();
        QVERIFY(m_hostId.startsWith(u"usr_"));
        m_meetingId = createMeeting(*m_server, m_hostToken);
        QVERIFY(m_meetingId.startsWith(u"mtg_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    // Removal is signalling's job; until it exists the ban is written straight into the
    // database, which is what removal will do, to show that joinToken honours it.
    void aRemovedUserGets403RemovedFromMeetingButOthersStillJoin()
    {
        const QString meetingId = createMeeting(*m_server, m_hostToken);
        QVERIFY(!meetingId.isEmpty());
        QCOMPARE(requestToken(m_memberToken, meetingId, {}).status, 200);

        {
            QSqlDatabase db = m_server->openDatabase(u"bans"_s, DatabaseAccess::ReadWrite);
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery insert(db);
            insert.prepare(u"INSERT INTO meeting_bans (meeting_id, subject, created_at) "
                           "VALUES (?, ?, 0)"_s);
            insert.addBindValue(meetingId);
            insert.addBindValue(m_memberId);
            QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
        }
        QSqlDatabase::removeDatabase(u"bans"_s);

        // Another process wrote the ban: the server's cache of bans lasts at most 2 s.
        QTRY_COMPARE_WITH_TIMEOUT(requestToken(m_memberToken, meetingId, {}).code(),
                                  u"removed_from_meeting"_s, 10000);
        const ApiReply refused = requestToken(m_memberToken, meetingId, {});
        QCOMPARE(refused.status, 403);
        QCOMPARE(requestToken(m_hostToken, meetingId, {}).status, 200);
        const ApiReply guest = requestToken(QString(), meetingId,
                                            {{u"guest"_s, true}, {u"display_name"_s, u"Gail"_s}});
        QCOMPARE(guest.status, 200);
    }

    void issuanceFollowsTheCaller_data()
    {
        QTest::addColumn<QString>("bearer");
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("role");
        QTest::addColumn<QString>("subject"); // host, member or guest
        QTest::addColumn<QString>("name");

        const QJsonObject guest{{u"guest"_s, true}, {u"display_name"_s, u"Gail"_s}};
        QTest::newRow("a guest without a bearer gets a fresh guest identity as attendee")
            << u"none"_s << guest << 200 << QString() << u"attendee"_s << u"guest"_s << u"Gail"_s;
        QTest::newRow("without a bearer and without guest true the answer is 401")
            << u"none"_s << QJsonObject{{u"display_name"_s, u"Gail"_s}} << 401 << u"unauthorized"_s
            << QString() << QString() << QString();
        QTest::newRow("without a bearer an empty body is 401")
            << u"none"_s << QJsonObject() << 401 << u"unauthorized"_s << QString() << QString()
            << QString();
        QTest::newRow("a guest without a display name is 400")
            << u"none"_s << QJsonObject{{u"guest"_s, true}} << 400 << u"validation_failed"_s
            << QString() << QString() << QString();
        QTest::newRow("the host's own token gets the host role")
            << u"host"_s << QJsonObject() << 200 << QString() << u"host"_s << u"host"_s
            << u"admin"_s;
        QTest::newRow("another member's token gets the attendee role")
            << u"member"_s << QJsonObject() << 200 << QString() << u"attendee"_s << u"member"_s
            << u"bob"_s;
        QTest::newRow("a member's display name is the name in the token")
            << u"member"_s << QJsonObject{{u"display_name"_s, u"Robert"_s}} << 200 << QString()
            << u"attendee"_s << u"member"_s << u"Robert"_s;
        QTest::newRow("a bearer with guest true vouches for a fresh guest attendee")
            << u"host"_s << QJsonObject{{u"guest"_s, true}, {u"display_name"_s, u"Vouched"_s}}
            << 200 << QString() << u"attendee"_s << u"guest"_s << u"Vouched"_s;
        QTest::newRow("an invalid bearer is 401 and never falls back to a guest")
            << u"forged"_s << guest << 401 << u"unauthorized"_s << QString() << QString()
            << QString();
        QTest::newRow("a bearer without meeting.join is 403")
            << u"noJoin"_s << QJsonObject() << 403 << u"insufficient_scope"_s << QString()
            << QString() << QString();
        QTest::newRow("a bearer without meeting.join may not vouch for a guest either")
            << u"noJoin"_s << guest << 403 << u"insufficient_scope"_s << QString() << QString()
            << QString();
    }

    void issuanceFollowsTheCaller()
    {
        QFETCH(QString, bearer);
        QFETCH(QJsonObject, body);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, role);
        QFETCH(QString, subject);
        QFETCH(QString, name);

        const ApiReply reply = requestToken(bearerFor(bearer), m_meetingId, body);

        QCOMPARE(reply.status, status);
        if (status != 200) {
            QCOMPARE(reply.code(), code);
            QVERIFY(!reply.json().contains(u"jwt"));
            if (status == 401)
                QVERIFY(reply.header("WWW-Authenticate").startsWith("Bearer"));
            if (bearer == u"forged")
                QVERIFY(reply.header("WWW-Authenticate").contains("error=\"invalid_token\""));
            if (status == 403)
                QVERIFY(reply.header("WWW-Authenticate").contains("scope=\"meeting.join\""));
            return;
        }
        QCOMPARE(reply.json().value(u"participant_role").toString(), role);
        const QJsonObject claims = claimsOf(reply.json().value(u"jwt").toString());
        QCOMPARE(claims.value(u"role").toString(), role);
        QCOMPARE(claims.value(u"name").toString(), name);
        QCOMPARE(claims.value(u"mid").toString(), m_meetingId);
        if (subject == u"host")
            QCOMPARE(claims.value(u"sub").toString(), m_hostId);
        else if (subject == u"member")
            QCOMPARE(claims.value(u"sub").toString(), m_memberId);
        else
            QVERIFY2(claims.value(u"sub").toString().startsWith(u"gst_"),
                     qPrintable(claims.value(u"sub").toString()));
    }

    void everyGuestTokenIsAFreshIdentity()
    {
        const QJsonObject guest{{u"guest"_s, true}, {u"display_name"_s, u"Gail"_s}};
        QStringList subjects;
        for (const QString &bearer : {QString(), m_hostToken, QString(), m_hostToken}) {
            const ApiReply reply = requestToken(bearer, m_meetingId, guest);
            QCOMPARE(reply.status, 200);
            subjects << claimsOf(reply.json().value(u"jwt").toString()).value(u"sub").toString();
        }

        QCOMPARE(QSet<QString>(subjects.begin(), subjects.end()).size(), subjects.size());
        for (const QString &subject : std::as_const(subjects))
            QVERIFY2(subject.startsWith(u"gst_"), qPrintable(subject));
    }

    void unknownOrForeignMeetingsAre404_data()
    {
        QTest::addColumn<QString>("who"); // host, guest or foreign
        QTest::addColumn<bool>("randomId");

        QTest::newRow("an unknown id asked for by a member") << u"host"_s << true;
        QTest::newRow("an unknown id asked for by a guest") << u"guest"_s << true;
        QTest::newRow("a meeting of another workspace looks unknown") << u"foreign"_s << false;
    }

    void unknownOrForeignMeetingsAre404()
    {
        QFETCH(QString, who);
        QFETCH(bool, randomId);

        QString bearer = who == u"host" ? m_hostToken : QString();
        if (who == u"foreign") {
            QVERIFY(m_server->createWorkspace(u"elsewhere"_s).startsWith(u"wsp_"));
            QVERIFY(m_server->createUser(u"outsider"_s, u"elsewhere"_s).startsWith(u"usr_"));
            bearer = m_server->token(u"outsider"_s, u"elsewhere"_s);
            QVERIFY(bearer.startsWith(u"qpat_"));
        }
        const QString id = randomId ? u"mtg_0000000000000000000000"_s : m_meetingId;
        const QJsonObject body = who == u"guest"
            ? QJsonObject{{u"guest"_s, true}, {u"display_name"_s, u"Gail"_s}}
            : QJsonObject();

        const ApiReply reply = requestToken(bearer, id, body);

        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.code(), u"not_found"_s);
        QVERIFY(!reply.json().contains(u"jwt"));
    }

    void aCancelledMeetingIs410()
    {
        const QString id = createMeeting(*m_server, m_hostToken);
        QVERIFY(!id.isEmpty());
        ApiClient host(m_server->baseUrl(), m_hostToken);
        QCOMPARE(host.del(u"/v1/meetings/"_s + id).status, 204);

        const ApiReply asHost = requestToken(m_hostToken, id, {});
        const ApiReply asGuest
            = requestToken({}, id, {{u"guest"_s, true}, {u"display_name"_s, u"Gail"_s}});

        QCOMPARE(asHost.status, 410);
        QCOMPARE(asHost.code(), u"meeting_cancelled"_s);
        QCOMPARE(asGuest.status, 410);
        QCOMPARE(asGuest.code(), u"meeting_cancelled"_s);
    }

    void theAnswerCarriesTokenUrlLifetimeAndRole()
    {
        const ApiReply reply = requestToken(m_memberToken, m_meetingId, {});

        QCOMPARE(reply.status, 200);
        const QJsonObject answer = reply.json();
        const QStringList keys = answer.keys();
        QCOMPARE(QSet<QString>(keys.begin(), keys.end()),
                 (QSet<QString>{u"jwt"_s, u"sfu_url"_s, u"expires_in"_s, u"participant_role"_s}));
        QCOMPARE(answer.value(u"sfu_url").toString(), u"ws://sfu.quorum.test:8443/v1/signal"_s);
        QCOMPARE(answer.value(u"expires_in").toInt(), 300);
        QCOMPARE(answer.value(u"participant_role").toString(), u"attendee"_s);
        QCOMPARE(answer.value(u"jwt").toString().count(u'.'), 2);
        QVERIFY(!reply.header("X-Request-Id").isEmpty());
    }

    void sfuUrlFollowsTheAdvertiseUrl_data()
    {
        QTest::addColumn<QString>("advertiseUrl");
        QTest::addColumn<QString>("sfuUrl"); // %1: the server's port

        QTest::newRow("an http advertise URL gives ws")
            << u"http://edge.quorum.test:9000"_s << u"ws://edge.quorum.test:9000/v1/signal"_s;
        QTest::newRow("an https advertise URL gives wss")
            << u"https://edge.quorum.test"_s << u"wss://edge.quorum.test/v1/signal"_s;
        QTest::newRow("without an advertise URL the listen address is used")
            << QString() << u"ws://127.0.0.1:%1/v1/signal"_s;
    }

    void sfuUrlFollowsTheAdvertiseUrl()
    {
        QFETCH(QString, advertiseUrl);
        QFETCH(QString, sfuUrl);
        QStringList arguments;
        if (!advertiseUrl.isEmpty())
            arguments << u"--advertise-url"_s << advertiseUrl;
        QuorumdProcess server(arguments);
        QVERIFY2(server.start(), server.standardError().constData());
        const QString token = server.token();
        const QString id = createMeeting(server, token);
        QVERIFY(!id.isEmpty());

        const ApiReply reply = requestTokenFrom(server, token, id, {});

        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"sfu_url").toString(),
                 sfuUrl.contains(u"%1") ? sfuUrl.arg(server.port()) : sfuUrl);
    }

    void theMediaNodeIsChosenOncePerMeeting()
    {
        // Every token of the meeting names the node chosen with its first token...
        QuorumdProcess first({u"--node-name"_s, u"node-a"_s});
        QVERIFY2(first.start(), first.standardError().constData());
        const QString firstToken = first.token();
        const QString id = createMeeting(first, firstToken);
        QVERIFY(!id.isEmpty());
        QStringList audiences;
        for (const QJsonObject &body :
             {QJsonObject(), QJsonObject{{u"guest"_s, true}, {u"display_name"_s, u"G"_s}}}) {
            const ApiReply reply = requestTokenFrom(first, firstToken, id, body);
            QCOMPARE(reply.status, 200);
            audiences << claimsOf(reply.json().value(u"jwt").toString()).value(u"aud").toString();
        }
        first.stop();

        // ... even when another node, on the same database, issues the next one.
        QuorumdProcess second(first, u"node-b"_s);
        QVERIFY2(second.start(), second.standardError().constData());
        const QString secondToken = second.token();
        const ApiReply later = requestTokenFrom(second, secondToken, id, {});
        QCOMPARE(later.status, 200);
        audiences << claimsOf(later.json().value(u"jwt").toString()).value(u"aud").toString();
        const QString fresh = createMeeting(second, secondToken);
        const ApiReply other = requestTokenFrom(second, secondToken, fresh, {});
        QCOMPARE(other.status, 200);

        QCOMPARE(audiences, (QStringList{u"node-a"_s, u"node-a"_s, u"node-a"_s}));
        QCOMPARE(claimsOf(other.json().value(u"jwt").toString()).value(u"aud").toString(),
                 u"node-b"_s);
    }

    void theTokenVerifiesIndependently()
    {
        if (!QFileInfo(kPython).isExecutable())
            QSKIP("/usr/bin/python3 is not installed");
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        const ApiReply reply
            = requestToken(m_memberToken, m_meetingId, {{u"display_name"_s, u"Bobby"_s}});
        const qint64 after = QDateTime::currentSecsSinceEpoch();
        QCOMPARE(reply.status, 200);
        const QString jwt = reply.json().value(u"jwt").toString();

        const Verification verified = verifyWithPython(m_server->baseUrl(), jwt, u"node-a"_s);

        QVERIFY2(verified.accepted, verified.error.constData());
        const QJsonObject &claims = verified.claims;
        QCOMPARE(claims.value(u"iss").toString(), m_server->baseUrl());
        QCOMPARE(claims.value(u"aud").toString(), u"node-a"_s);
        QCOMPARE(claims.value(u"sub").toString(), m_memberId);
        QCOMPARE(claims.value(u"mid").toString(), m_meetingId);
        QCOMPARE(claims.value(u"role").toString(), u"attendee"_s);
        QCOMPARE(claims.value(u"name").toString(), u"Bobby"_s);
        const qint64 iat = claims.value(u"iat").toInteger();
        QVERIFY2(iat >= before - 1 && iat <= after + 1, qPrintable(QString::number(iat)));
        QCOMPARE(claims.value(u"nbf").toInteger(), iat);
        QCOMPARE(claims.value(u"exp").toInteger(), iat + 300);
        QVERIFY(!claims.value(u"jti").toString().isEmpty());
        QCOMPARE(verified.header.value(u"alg").toString(), u"EdDSA"_s);
        const QString kid = verified.header.value(u"kid").toString();
        QVERIFY(!kid.isEmpty());
        ApiClient anonymous(m_server->baseUrl());
        QVERIFY(kidsIn(anonymous.get(u"/.well-known/jwks.json"_s).json()).contains(kid));

        // Every token has its own jti, so each can be redeemed once.
        const ApiReply again = requestToken(m_memberToken, m_meetingId, {});
        QVERIFY(claimsOf(again.json().value(u"jwt").toString()).value(u"jti")
                != claims.value(u"jti"));
    }

    void aVerifierRefusesWhatItMust_data()
    {
        QTest::addColumn<QString>("mutation"); // none, signature, payload, algNone
        QTest::addColumn<QString>("when"); // real, or a Unix time relative to exp / nbf
        QTest::addColumn<QString>("audience");
        QTest::addColumn<QByteArray>("refusal"); // empty: accepted

        QTest::newRow("the token as issued is accepted")
            << u"none"_s << u"real"_s << u"node-a"_s << QByteArray();
        QTest::newRow("one second before exp it is still accepted")
            << u"none"_s << u"exp-1"_s << u"node-a"_s << QByteArray();
        QTest::newRow("at exp it is refused, with no leeway")
            << u"none"_s << u"exp"_s << u"node-a"_s << QByteArray("has expired");
        QTest::newRow("a minute after exp it is refused")
            << u"none"_s << u"exp+60"_s << u"node-a"_s << QByteArray("has expired");
        QTest::newRow("before nbf it is refused")
            << u"none"_s << u"nbf-1"_s << u"node-a"_s << QByteArray("not valid yet");
        QTest::newRow("another media node refuses it")
            << u"none"_s << u"real"_s << u"node-z"_s << QByteArray("InvalidAudienceError");
        QTest::newRow("a changed signature is refused")
            << u"signature"_s << u"real"_s << u"node-a"_s << QByteArray("InvalidSignatureError");
        QTest::newRow("a changed payload under the old signature is refused")
            << u"payload"_s << u"real"_s << u"node-a"_s << QByteArray("InvalidSignatureError");
        QTest::newRow("alg none without a signature is refused")
            << u"algNone"_s << u"real"_s << u"node-a"_s << QByteArray("unexpected alg 'none'");
    }

    void aVerifierRefusesWhatItMust()
    {
        QFETCH(QString, mutation);
        QFETCH(QString, when);
        QFETCH(QString, audience);
        QFETCH(QByteArray, refusal);
        if (!QFileInfo(kPython).isExecutable())
            QSKIP("/usr/bin/python3 is not installed");
        const ApiReply reply = requestToken(m_memberToken, m_meetingId, {});
        QCOMPARE(reply.status, 200);
        const QString jwt = reply.json().value(u"jwt").toString();
        QList<QByteArray> parts = jwt.toLatin1().split('.');
        QCOMPARE(parts.size(), 3);
        const QJsonObject claims = claimsOf(jwt);

        if (mutation == u"signature") {
            // A character in the middle: the last one may only carry padding bits.
            QByteArray &signature = parts[2];
            signature[20] = signature.at(20) == 'A' ? 'B' : 'A';
        } else if (mutation == u"payload") {
            QJsonObject promoted = claims;
            promoted.insert(u"role"_s, u"host"_s);
            parts[1] = base64Url(QJsonDocument(promoted).toJson(QJsonDocument::Compact));
        } else if (mutation == u"algNone") {
            QJsonObject header = jwtPart(jwt, 0);
            header.insert(u"alg"_s, u"none"_s);
            parts[0] = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact));
            parts[2].clear();
        }
        std::optional<qint64> now;
        const qint64 exp = claims.value(u"exp").toInteger();
        const qint64 nbf = claims.value(u"nbf").toInteger();
        if (when == u"exp-1")
            now = exp - 1;
        else if (when == u"exp")
            now = exp;
        else if (when == u"exp+60")
            now = exp + 60;
        else if (when == u"nbf-1")
            now = nbf - 1;

        const Verification verified = verifyWithPython(
            m_server->baseUrl(), QString::fromLatin1(parts.join('.')), audience, now);

        QVERIFY2(verified.accepted == refusal.isEmpty(), verified.error.constData());
        QVERIFY2(verified.error.contains(refusal), verified.error.constData());
    }

    void opensslVerifiesTheSignature()
    {
        const QString openssl = QStandardPaths::findExecutable(u"openssl"_s);
        if (openssl.isEmpty())
            QSKIP("the openssl command line is not installed");
        const ApiReply reply = requestToken(m_hostToken, m_meetingId, {});
        QCOMPARE(reply.status, 200);
        const QByteArray jwt = reply.json().value(u"jwt").toString().toLatin1();
        const QList<QByteArray> parts = jwt.split('.');
        const QString kid = kidOf(QString::fromLatin1(jwt));
        ApiClient anonymous(m_server->baseUrl());
        QByteArray x;
        for (const QJsonValue &key :
             anonymous.get(u"/.well-known/jwks.json"_s).json().value(u"keys").toArray()) {
            const QJsonObject jwk = key.toObject();
            if (jwk.value(u"kid").toString() == kid) {
                QCOMPARE(jwk.value(u"kty").toString(), u"OKP"_s);
                QCOMPARE(jwk.value(u"crv").toString(), u"Ed25519"_s);
                x = fromBase64Url(jwk.value(u"x").toString().toLatin1());
            }
        }
        QCOMPARE(x.size(), 32);

        // An Ed25519 SubjectPublicKeyInfo is a fixed 12-byte DER prefix and the raw key.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        auto writeFile = [&dir](const QString &name, const QByteArray &bytes) {
            QFile file(dir.filePath(name));
            return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
        };
        QVERIFY(writeFile(u"key.der"_s, QByteArray::fromHex("302a300506032b6570032100") + x));
        QVERIFY(writeFile(u"signed.bin"_s, parts.at(0) + '.' + parts.at(1)));
        QVERIFY(writeFile(u"tampered.bin"_s, parts.at(0) + '.' + parts.at(1) + 'x'));
        QVERIFY(writeFile(u"signature.bin"_s, fromBase64Url(parts.at(2))));
        auto verify = [&](const QString &input) {
            QProcess process;
            process.start(openssl,
                          {u"pkeyutl"_s, u"-verify"_s, u"-pubin"_s, u"-keyform"_s, u"DER"_s,
                           u"-inkey"_s, dir.filePath(u"key.der"_s), u"-rawin"_s, u"-in"_s,
                           dir.filePath(input), u"-sigfile"_s, dir.filePath(u"signature.bin"_s)});
            if (!process.waitForFinished(30000)) {
                process.kill();
                process.waitForFinished(5000);
                return -1;
            }
            return process.exitCode();
        };

        QCOMPARE(verify(u"signed.bin"_s), 0);
        QVERIFY(verify(u"tampered.bin"_s) != 0);
    }

    void aRotatedKeyStaysPublishedForItsTokens()
    {
        if (!QFileInfo(kPython).isExecutable())
            QSKIP("/usr/bin/python3 is not installed");
        // Named, as the audience to verify: on PostgreSQL an unnamed node's name is random.
        QuorumdProcess server({u"--key-rotation"_s, u"2"_s, u"--node-name"_s, u"node-r"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        const QString token = server.token();
        const QString id = createMeeting(server, token);
        QVERIFY(!id.isEmpty());
        const ApiReply before = requestTokenFrom(server, token, id, {});
        QCOMPARE(before.status, 200);
        const QString oldJwt = before.json().value(u"jwt").toString();
        const QString oldKid = kidOf(oldJwt);
        QVERIFY(!oldKid.isEmpty());
        ApiClient anonymous(server.baseUrl());

        // The ring is refreshed every second and rotates every two.
        QTRY_VERIFY_WITH_TIMEOUT(
            kidsIn(anonymous.get(u"/.well-known/jwks.json"_s).json()).size() >= 2, 15000);
        const ApiReply after = requestTokenFrom(server, token, id, {});
        QCOMPARE(after.status, 200);
        const QString newJwt = after.json().value(u"jwt").toString();
        const QStringList kids = kidsIn(anonymous.get(u"/.well-known/jwks.json"_s).json());

        QVERIFY(kidOf(newJwt) != oldKid);
        QVERIFY2(kids.contains(oldKid), qPrintable(kids.join(u", ")));
        QVERIFY2(kids.contains(kidOf(newJwt)), qPrintable(kids.join(u", ")));
        const Verification oldVerified = verifyWithPython(server.baseUrl(), oldJwt, u"node-r"_s);
        QVERIFY2(oldVerified.accepted, oldVerified.error.constData());
        const Verification newVerified = verifyWithPython(server.baseUrl(), newJwt, u"node-r"_s);
        QVERIFY2(newVerified.accepted, newVerified.error.constData());
    }
};

QTEST_GUILESS_MAIN(tst_JoinTokens)
#include "tst_join_tokens.moc"
