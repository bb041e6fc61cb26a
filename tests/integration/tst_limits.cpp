// The general rate limits (per credential, per client address, and switched off) and
// Idempotency-Key on POST, against real quorumd processes with the limits shrunk by flags.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

constexpr int kLimit = 5;
constexpr int kWindowSeconds = 2;

using Headers = QList<QPair<QByteArray, QByteArray>>;

QJsonObject newMeeting(const QString &topic)
{
    return {{u"topic"_s, topic},
            {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
            {u"duration_minutes"_s, 30}};
}

// Sends the same POST on separate connections at once (one QNetworkAccessManager each, so
// no connection is shared) and waits for every answer.
QList<ApiReply> postConcurrently(const QString &url, const QString &bearer, const QJsonObject &body,
                                 const Headers &headers, int count)
{
    std::vector<std::unique_ptr<QNetworkAccessManager>> managers;
    QList<QNetworkReply *> replies;
    QEventLoop loop;
    int pending = count;
    for (int i = 0; i < count; ++i) {
        managers.push_back(std::make_unique<QNetworkAccessManager>());
        QNetworkRequest request{QUrl(url)};
        request.setRawHeader("Authorization", "Bearer " + bearer.toLatin1());
        request.setRawHeader("Content-Type", "application/json");
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        QNetworkReply *reply
            = managers.back()->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&pending, &loop] {
            if (--pending == 0)
                loop.quit();
        });
        replies << reply;
    }
    QTimer::singleShot(15000, &loop, &QEventLoop::quit);
    if (pending > 0)
        loop.exec();

    QList<ApiReply> results;
    for (QNetworkReply *reply : std::as_const(replies)) {
        ApiReply result;
        if (reply->isFinished()) {
            result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            result.headers = reply->rawHeaderPairs();
            result.body = reply->readAll();
        }
        results << result;
    }
    return results;
}

int countTopic(ApiClient &client, const QString &topic)
{
    int count = 0;
    const ApiReply list = client.get(u"/v1/meetings?page_size=300"_s);
    for (const QJsonValue &meeting : list.json().value(u"meetings").toArray())
        count += meeting.toObject().value(u"topic").toString() == topic ? 1 : 0;
    return count;
}

} // namespace

class tst_Limits : public QObject
{
    Q_OBJECT

private:
    static std::unique_ptr<QuorumdProcess> startServer(const QStringList &arguments)
    {
        auto server = std::make_unique<QuorumdProcess>(arguments);
        if (!server->start())
            qWarning("quorumd did not start: %s", server->standardError().constData());
        return server;
    }

    std::unique_ptr<QuorumdProcess> m_perCredential;
    std::unique_ptr<QuorumdProcess> m_perAddress;
    std::unique_ptr<QuorumdProcess> m_unlimited;

private Q_SLOTS:
    void initTestCase()
    {
        m_perCredential = startServer({u"--rate-limit-per-credential"_s, QString::number(kLimit),
                                       u"--rate-limit-window"_s, QString::number(kWindowSeconds)});
        m_perAddress = startServer({u"--rate-limit-per-address"_s, QString::number(kLimit),
                                    u"--rate-limit-window"_s, QString::number(kWindowSeconds)});
        m_unlimited = startServer({u"--rate-limits"_s, u"off"_s, u"--rate-limit-per-credential"_s,
                                   QString::number(kLimit), u"--rate-limit-per-address"_s,
                                   QString::number(kLimit)});
        QVERIFY(m_perCredential->isRunning() && m_perCredential->port() != 0);
        QVERIFY(m_perAddress->isRunning() && m_perAddress->port() != 0);
        QVERIFY(m_unlimited->isRunning() && m_unlimited->port() != 0);
    }

    void cleanupTestCase()
    {
        m_perCredential.reset();
        m_perAddress.reset();
        m_unlimited.reset();
    }

    void aCredentialOverItsLimitGets429()
    {
        ApiClient client(m_perCredential->baseUrl(), m_perCredential->token());
        ApiClient otherCredential(m_perCredential->baseUrl(), m_perCredential->token());

        QList<ApiReply> allowed;
        for (int i = 0; i < kLimit; ++i)
            allowed << client.get(u"/v1/meetings"_s);
        const ApiReply limited = client.get(u"/v1/meetings"_s);
        const ApiReply other = otherCredential.get(u"/v1/meetings"_s);

        for (int i = 0; i < kLimit; ++i) {
            QCOMPARE(allowed.at(i).status, 200);
            QCOMPARE(allowed.at(i).header("RateLimit-Limit"), QByteArray::number(kLimit));
            QCOMPARE(allowed.at(i).header("RateLimit-Remaining"),
                     QByteArray::number(kLimit - 1 - i));
            const int reset = allowed.at(i).header("RateLimit-Reset").toInt();
            QVERIFY(reset >= 1 && reset <= kWindowSeconds);
        }
        QCOMPARE(limited.status, 429);
        QCOMPARE(limited.code(), u"rate_limited"_s);
        const int retryAfter = limited.header("Retry-After").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= kWindowSeconds,
                 limited.header("Retry-After").constData());
        QCOMPARE(limited.header("RateLimit-Limit"), QByteArray::number(kLimit));
        QCOMPARE(limited.header("RateLimit-Remaining"), QByteArray("0"));
        QVERIFY(!limited.header("RateLimit-Reset").isEmpty());
        QVERIFY(!limited.header("X-Request-Id").isEmpty());
        QCOMPARE(other.status, 200);

        // A new window lets the credential in again.
        QTRY_COMPARE_WITH_TIMEOUT(client.get(u"/v1/meetings"_s).status, 200,
                                  (kWindowSeconds + 3) * 1000);
    }

    void anAddressOverItsLimitGets429WhateverTheToken()
    {
        ApiClient first(m_perAddress->baseUrl(), m_perAddress->token());
        ApiClient second(m_perAddress->baseUrl(), m_perAddress->token());
        ApiClient anonymous(m_perAddress->baseUrl());

        QList<ApiReply> allowed;
        for (int i = 0; i < kLimit; ++i)
            allowed << (i % 2 == 0 ? first : second).get(u"/v1/meetings"_s);
        const ApiReply limited = second.get(u"/v1/meetings"_s);
        const ApiReply limitedAnonymous = anonymous.get(u"/v1/meetings"_s);

        for (const ApiReply &reply : std::as_const(allowed)) {
            QCOMPARE(reply.status, 200);
            QCOMPARE(reply.header("RateLimit-Limit"), QByteArray::number(kLimit));
        }
        QCOMPARE(allowed.last().header("RateLimit-Remaining"), QByteArray("0"));
        QCOMPARE(limited.status, 429);
        QVERIFY(limited.header("Retry-After").toInt() >= 1);
        QCOMPARE(limited.header("RateLimit-Remaining"), QByteArray("0"));
        QCOMPARE(limitedAnonymous.status, 429);

        // The public routes that do work share the address's limit; probes never do.
        const QByteArray form = "grant_type=client_credentials";
        const QByteArray token
            = rawExchange(m_perAddress->port(),
                          "POST /oauth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                              + QByteArray::number(form.size()) + "\r\n\r\n" + form);
        QVERIFY2(token.startsWith("HTTP/1.1 429 "), token.constData());
        const QByteArray health
            = rawExchange(m_perAddress->port(),
                          "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        QVERIFY2(health.startsWith("HTTP/1.1 200 "), health.constData());

        QTRY_COMPARE_WITH_TIMEOUT(first.get(u"/v1/meetings"_s).status, 200,
                                  (kWindowSeconds + 3) * 1000);
    }

    void withRateLimitsOffNothingIs429()
    {
        ApiClient client(m_unlimited->baseUrl(), m_unlimited->token());

        QList<int> statuses;
        for (int i = 0; i < kLimit * 4; ++i)
            statuses << client.get(u"/v1/meetings"_s).status;

        QCOMPARE(statuses, QList<int>(kLimit * 4, 200));
        QVERIFY(client.get(u"/v1/meetings"_s).header("RateLimit-Limit").isEmpty());
    }

    void anIdempotencyKeyReplaysTheFirstAnswer()
    {
        ApiClient client(m_unlimited->baseUrl(), m_unlimited->token());
        const Headers key{{"Idempotency-Key", "limits-replay-1"}};

        const ApiReply first = client.post(u"/v1/meetings"_s, newMeeting(u"Replayed"_s), key);
        const ApiReply replay = client.post(u"/v1/meetings"_s, newMeeting(u"Replayed"_s), key);
        const ApiReply otherBody = client.post(u"/v1/meetings"_s, newMeeting(u"Other"_s), key);

        QCOMPARE(first.status, 201);
        QVERIFY(first.header("Idempotent-Replayed").isEmpty());
        QCOMPARE(replay.status, 201);
        QCOMPARE(replay.json().value(u"id"), first.json().value(u"id"));
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(replay.header("Location"), first.header("Location"));
        QCOMPARE(otherBody.status, 422);
        QCOMPARE(otherBody.code(), u"idempotency_key_reused"_s);
        QCOMPARE(countTopic(client, u"Replayed"_s), 1);
        QCOMPARE(countTopic(client, u"Other"_s), 0);
    }

    void anIdempotencyKeyBelongsToItsCredential()
    {
        // Two tokens of the same user: the key is scoped to the credential, not the user.
        ApiClient first(m_unlimited->baseUrl(), m_unlimited->token());
        ApiClient second(m_unlimited->baseUrl(), m_unlimited->token());
        const Headers key{{"Idempotency-Key", "limits-shared-key"}};

        const ApiReply a = first.post(u"/v1/meetings"_s, newMeeting(u"Scoped"_s), key);
        const ApiReply b = second.post(u"/v1/meetings"_s, newMeeting(u"Scoped"_s), key);

        QCOMPARE(a.status, 201);
        QCOMPARE(b.status, 201);
        QVERIFY(b.header("Idempotent-Replayed").isEmpty());
        QVERIFY(a.json().value(u"id") != b.json().value(u"id"));
        QCOMPARE(countTopic(first, u"Scoped"_s), 2);
    }

    void concurrentDuplicatesNeverCreateTwoMeetings_data()
    {
        QTest::addColumn<int>("connections");

        QTest::newRow("two identical requests at once") << 2;
        QTest::newRow("four identical requests at once") << 4;
    }

    void concurrentDuplicatesNeverCreateTwoMeetings()
    {
        QFETCH(int, connections);
        const QString token = m_unlimited->token();
        ApiClient client(m_unlimited->baseUrl(), token);

        // A few rounds, since whether the requests overlap is up to the scheduler.
        for (int round = 0; round < 5; ++round) {
            const QString topic = u"Race %1 of %2"_s.arg(round).arg(connections);
            const Headers key{{"Idempotency-Key", topic.toLatin1().replace(' ', '-')}};

            const QList<ApiReply> replies
                = postConcurrently(m_unlimited->baseUrl() + u"/v1/meetings"_s, token,
                                   newMeeting(topic), key, connections);

            QSet<QString> ids;
            for (const ApiReply &reply : replies) {
                QVERIFY2(reply.status == 201 || reply.status == 409, reply.body.constData());
                if (reply.status == 201)
                    ids << reply.json().value(u"id").toString();
                else
                    QCOMPARE(reply.code(), u"idempotency_in_progress"_s);
            }
            QCOMPARE(ids.size(), 1);
            QCOMPARE(countTopic(client, topic), 1);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Limits)
#include "tst_limits.moc"
