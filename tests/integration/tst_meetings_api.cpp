// The meetings API end to end: a real quorumd, real HTTP over sockets.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_MeetingsApi : public QObject
{
    Q_OBJECT

private:
    QJsonObject newMeeting(const QString &topic = QStringLiteral("Weekly sync")) const
    {
        return {{QStringLiteral("topic"), topic},
                {QStringLiteral("start_time"), QStringLiteral("2030-05-04T09:00:00Z")},
                {QStringLiteral("duration_minutes"), 30},
                {QStringLiteral("timezone"), QStringLiteral("Europe/Berlin")}};
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_token;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_token = m_server->token();
        QVERIFY(m_token.startsWith(u"qpat_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    void createReadUpdateCancel()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        const ApiReply created = client.post(QStringLiteral("/v1/meetings"), newMeeting());
        QCOMPARE(created.status, 201);
        const QJsonObject meeting = created.json();
        const QString id = meeting.value(u"id").toString();
        QVERIFY(id.startsWith(u"mtg_"));
        QCOMPARE(meeting.value(u"state").toString(), QStringLiteral("SCHEDULED"));
        QCOMPARE(meeting.value(u"start_time").toString(), QStringLiteral("2030-05-04T09:00:00Z"));
        QCOMPARE(created.header("Location"), "/v1/meetings/" + id.toLatin1());
        QVERIFY(!created.header("X-Request-Id").isEmpty());
        QCOMPARE(meeting.value(u"join_url").toString(), m_server->baseUrl() + u"/j/"_s + id);

        const ApiReply read = client.get(u"/v1/meetings/"_s + id);
        QCOMPARE(read.status, 200);
        QCOMPARE(read.json().value(u"topic").toString(), QStringLiteral("Weekly sync"));
        const QByteArray etag = read.header("ETag");
        QVERIFY(!etag.isEmpty());

        const ApiReply patched = client.patch(
            u"/v1/meetings/"_s + id, {{QStringLiteral("topic"), QStringLiteral("Renamed")}},
            {{"If-Match", etag}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json().value(u"topic").toString(), QStringLiteral("Renamed"));
        QVERIFY(patched.header("ETag") != etag);

        const ApiReply stale = client.patch(u"/v1/meetings/"_s + id,
                                            {{QStringLiteral("topic"), QStringLiteral("Again")}},
                                            {{"If-Match", etag}});
        QCOMPARE(stale.status, 412);
        QCOMPARE(stale.code(), QStringLiteral("precondition_failed"));
        QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(u"topic").toString(),
                 QStringLiteral("Renamed"));

        QCOMPARE(client.del(u"/v1/meetings/"_s + id).status, 204);
        const ApiReply cancelled = client.get(u"/v1/meetings/"_s + id);
        QCOMPARE(cancelled.status, 200);
        QCOMPARE(cancelled.json().value(u"state").toString(), QStringLiteral("CANCELLED"));
        QCOMPARE(client.del(u"/v1/meetings/"_s + id).code(), QStringLiteral("meeting_closed"));
    }

    void badRequestsAreRefusedPrecisely_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");

        QTest::newRow("a body that is not JSON")
            << QByteArray("{topic") << QByteArray("application/json") << 400
            << QStringLiteral("invalid_request") << QString();
        QTest::newRow("a lone surrogate escape, which Qt would pair with the next character")
            << QByteArray(R"({"topic":"a\ud800b","start_time":"2030-01-01T00:00:00Z",)"
                          R"("duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("invalid_request")
            << QString();
        QTest::newRow("a low surrogate escape alone")
            << QByteArray(R"({"topic":"\udc00","start_time":"2030-01-01T00:00:00Z",)"
                          R"("duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("invalid_request")
            << QString();
        QTest::newRow("a control character in the topic")
            << QByteArray(R"({"topic":"a\u0000b","start_time":"2030-01-01T00:00:00Z",)"
                          R"("duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("topic");
        QTest::newRow("a JSON array instead of an object")
            << QByteArray("[]") << QByteArray("application/json") << 400
            << QStringLiteral("invalid_request") << QString();
        QTest::newRow("a form instead of JSON")
            << QByteArray("topic=x") << QByteArray("application/x-www-form-urlencoded") << 415
            << QStringLiteral("unsupported_media_type") << QString();
        QTest::newRow("an unknown field")
            << QByteArray(R"({"topic":"a","start_time":"2030-01-01T00:00:00Z",)"
                          R"("duration_minutes":5,"topik":"typo"})")
            << QByteArray("application/json") << 400 << QStringLiteral("unknown_field")
            << QStringLiteral("topik");
        QTest::newRow("a missing topic")
            << QByteArray(R"({"start_time":"2030-01-01T00:00:00Z","duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("topic");
        QTest::newRow("a start time in the past")
            << QByteArray(
                   R"({"topic":"a","start_time":"2020-01-01T00:00:00Z","duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("start_time");
        QTest::newRow("a past start time reported beside an empty topic")
            << QByteArray(
                   R"({"topic":"","start_time":"2020-01-01T00:00:00Z","duration_minutes":5})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("start_time");
        QTest::newRow("an unknown time zone")
            << QByteArray(R"({"topic":"a","start_time":"2030-01-01T00:00:00",)"
                          R"("duration_minutes":5,"timezone":"Mars/Olympus"})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("timezone");
        QTest::newRow("a nested setting out of its set")
            << QByteArray(R"({"topic":"a","start_time":"2030-01-01T00:00:00Z",)"
                          R"("duration_minutes":5,"settings":{"auto_recording":"tape"}})")
            << QByteArray("application/json") << 400 << QStringLiteral("validation_failed")
            << QStringLiteral("settings.auto_recording");
    }

    void badRequestsAreRefusedPrecisely()
    {
        QFETCH(QByteArray, body);
        QFETCH(QByteArray, contentType);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, field);

        ApiClient client(m_server->baseUrl(), m_token);
        const int before = client.get(QStringLiteral("/v1/meetings?page_size=300"))
                               .json()
                               .value(u"meetings")
                               .toArray()
                               .size();
        const ApiReply reply = client.send("POST", QStringLiteral("/v1/meetings"), body,
                                           {{"Content-Type", contentType}});
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(reply.code(), code);
        QCOMPARE(reply.json().value(u"type").toString(), u"urn:quorum:problem:"_s + code);
        if (!field.isEmpty()) {
            QStringList fields;
            for (const QJsonValue &error : reply.json().value(u"errors").toArray())
                fields << error.toObject().value(u"field").toString();
            QVERIFY2(fields.contains(field), qPrintable(fields.join(u", ")));
        }
        const int after = client.get(QStringLiteral("/v1/meetings?page_size=300"))
                              .json()
                              .value(u"meetings")
                              .toArray()
                              .size();
        QCOMPARE(after, before);
    }

    void aPatchThatChangesNothingKeepsTheVersion()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        const ApiReply created = client.post(QStringLiteral("/v1/meetings"), newMeeting());
        const QString path = u"/v1/meetings/"_s + created.json().value(u"id").toString();
        const ApiReply same
            = client.patch(path,
                           {{QStringLiteral("topic"), QStringLiteral("Weekly sync")},
                            {QStringLiteral("waiting_room"), true}},
                           {{"If-Match", created.header("ETag")}});
        QCOMPARE(same.status, 200);
        QCOMPARE(same.header("ETag"), created.header("ETag"));
        QCOMPARE(same.json().value(u"updated_at"), created.json().value(u"updated_at"));
    }

    void anEmptyBearerIsAnInvalidToken()
    {
        ApiClient client(m_server->baseUrl());
        const ApiReply reply
            = client.get(QStringLiteral("/v1/meetings"), {{"Authorization", "Bearer "}});
        QCOMPARE(reply.status, 401);
        QVERIFY(reply.header("WWW-Authenticate").contains("error=\"invalid_token\""));
    }

    void missingOrInvalidTokensAre401()
    {
        ApiClient anonymous(m_server->baseUrl());
        const ApiReply missing = anonymous.get(QStringLiteral("/v1/meetings"));
        QCOMPARE(missing.status, 401);
        QVERIFY(missing.header("WWW-Authenticate").startsWith("Bearer"));

        ApiClient forged(m_server->baseUrl(), QStringLiteral("qpat_forged"));
        const ApiReply invalid = forged.get(QStringLiteral("/v1/meetings"));
        QCOMPARE(invalid.status, 401);
        QVERIFY(invalid.header("WWW-Authenticate").contains("error=\"invalid_token\""));
    }

    void aMissingScopeIs403WithTheScopeNamed()
    {
        ApiClient reader(m_server->baseUrl(),
                         m_server->token(QStringLiteral("admin"), QStringLiteral("default"),
                                         {QStringLiteral("meeting.read")}));
        const ApiReply reply = reader.post(QStringLiteral("/v1/meetings"), newMeeting());
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.code(), QStringLiteral("insufficient_scope"));
        QVERIFY(reply.header("WWW-Authenticate").contains("scope=\"meeting.write\""));
    }

    void idempotentReplayAndConflicts()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        const QList<QPair<QByteArray, QByteArray>> key{{"Idempotency-Key", "retry-42"}};
        const ApiReply first = client.post(QStringLiteral("/v1/meetings"), newMeeting(), key);
        QCOMPARE(first.status, 201);
        const ApiReply replay = client.post(QStringLiteral("/v1/meetings"), newMeeting(), key);
        QCOMPARE(replay.status, 201);
        QCOMPARE(replay.json().value(u"id"), first.json().value(u"id"));
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));

        const ApiReply other
            = client.post(QStringLiteral("/v1/meetings"), newMeeting(QStringLiteral("Other")), key);
        QCOMPARE(other.status, 422);
        QCOMPARE(other.code(), QStringLiteral("idempotency_key_reused"));
    }
};

QTEST_GUILESS_MAIN(tst_MeetingsApi)
#include "tst_meetings_api.moc"
