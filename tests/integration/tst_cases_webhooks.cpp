// Webhooks end to end, from a state change in a real quorumd to the bytes a receiver of ours
// gets over loopback: cases C01, C02, C04 (the event side of a-c) and C05 of
// ../shared/cases/cases.md, retries on the compressed schedule, degraded and disabled,
// redelivery, and event filtering by ownership and scope. Signatures are checked by
// verify_webhook.py, Python's hmac, so that the test does not share the server's signer.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "RawSignalSocket.h"
#include "WebhookReceiver.h"
#include "WebhookSignatureCheck.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;
using Receiver = quorum::test::WebhookReceiver;
using quorum::testing::WebhookSignatureCheck::Verification;
using quorum::testing::WebhookSignatureCheck::verifierScript;
using quorum::testing::WebhookSignatureCheck::verify;

namespace {

// Attempts follow each other quickly, and a silent receiver is given up on after 1 s.
const QString kRetrySchedule = u"300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,"
                               "300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms,300ms"_s;
const QStringList kFastWebhooks{u"--webhooks-allow-private-networks"_s,
                                u"--rate-limits"_s,
                                u"off"_s,
                                u"--webhook-retry-schedule"_s,
                                kRetrySchedule,
                                u"--webhook-timeout"_s,
                                u"1s"_s};

QJsonObject bodyOf(const Receiver::Request &request)
{
    return QJsonDocument::fromJson(request.body).object();
}

QString meetingOf(const Receiver::Request &request)
{
    return bodyOf(request).value(u"data"_s).toObject().value(u"meeting_id"_s).toString();
}

// The requests about one meeting, one per event id (the first arrival), in sequence order.
QList<Receiver::Request> eventsAbout(const Receiver &receiver, const QString &meetingId)
{
    QList<Receiver::Request> unique;
    QSet<QByteArray> seen;
    for (const Receiver::Request &request : receiver.requests()) {
        const QByteArray eventId = request.header("X-Quorum-Event-Id");
        if (meetingOf(request) == meetingId && !seen.contains(eventId)) {
            seen.insert(eventId);
            unique << request;
        }
    }
    std::sort(unique.begin(), unique.end(), [](const auto &a, const auto &b) {
        return bodyOf(a).value(u"data"_s).toObject().value(u"sequence"_s).toInteger()
            < bodyOf(b).value(u"data"_s).toObject().value(u"sequence"_s).toInteger();
    });
    return unique;
}

QString typeOf(const Receiver::Request &request)
{
    return bodyOf(request).value(u"event"_s).toString();
}

} // namespace

class tst_CasesWebhooks : public QObject
{
    Q_OBJECT

private:
    struct Subscription
    {
        QString id;
        QString secret;
    };

    // Subscribes `url` for `user` on the live server; empty when refused.
    Subscription subscribe(const QByteArray &url, const QStringList &events,
                           const QString &user = u"admin"_s)
    {
        ApiClient api = m_live->api(user);
        return subscribeOn(api, url, events);
    }

    static Subscription subscribeOn(ApiClient &api, const QByteArray &url,
                                    const QStringList &events)
    {
        const ApiReply created = api.post(u"/v1/webhooks"_s,
                                          {{u"url"_s, QString::fromLatin1(url)},
                                           {u"events"_s, QJsonArray::fromStringList(events)}});
        if (created.status != 201) {
            qWarning() << "subscribe:" << created.status << created.body;
            return {};
        }
        return {created.json().value(u"id"_s).toString(),
                created.json().value(u"secret"_s).toString()};
    }

    // Removes a test's subscription, so that later tests' events do not go to its receiver.
    void unsubscribe(const QString &id) { m_live->api().del(u"/v1/webhooks/"_s + id); }

    // A meeting that opens as soon as someone joins, hosted by `user`; its id or empty.
    QString createMeeting(const QString &topic, const QString &user = u"admin"_s)
    {
        const ApiReply created = m_live->api(user).post(
            u"/v1/meetings"_s,
            {{u"topic"_s, topic},
             {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
             {u"duration_minutes"_s, 30},
             {u"timezone"_s, u"Europe/Berlin"_s},
             {u"waiting_room"_s, false},
             {u"settings"_s, QJsonObject{{u"allow_join_before_host"_s, true}}}});
        return created.status == 201 ? created.json().value(u"id"_s).toString() : QString();
    }

    QString endMeeting(const QString &meetingId)
    {
        const ApiReply ended = m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {});
        return ended.status == 200 ? QString() : QString::fromUtf8(ended.body);
    }

    // The delivery's JSON as GET …/deliveries shows it (with its attempt log), or empty.
    static QJsonObject deliveryShown(ApiClient &api, const QString &webhookId,
                                     const QString &deliveryId)
    {
        const ApiReply listed
            = api.get(u"/v1/webhooks/"_s + webhookId + u"/deliveries?page_size=100"_s);
        for (const QJsonValue &value : listed.json().value(u"deliveries"_s).toArray()) {
            if (value.toObject().value(u"id"_s).toString() == deliveryId)
                return value.toObject();
        }
        return {};
    }

    // Every request a receiver got verifies with the secret given (and only with it).
    static void verifyAll(const QList<Receiver::Request> &requests, const QString &secret)
    {
        for (const Receiver::Request &request : requests) {
            const Verification check
                = verify(request.body, request.header("X-Quorum-Signature"), {secret});
            QVERIFY(check.ran);
            QCOMPARE(check.verified, QList<bool>{true});
            QCOMPARE(QByteArray::number(check.t), request.header("X-Quorum-Timestamp"));
        }
    }

    std::unique_ptr<LiveScenario> m_live;
    // A server with the defaults: private networks are not allowed.
    std::unique_ptr<QuorumdProcess> m_strict;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!verifierScript().isEmpty(), "verify_webhook.py not found");
        m_live = std::make_unique<LiveScenario>(kFastWebhooks);
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
    }

    void cleanupTestCase()
    {
        if (!m_live->server().isRunning())
            qWarning() << "quorumd ended early:" << m_live->server().standardError();
        m_live.reset();
        m_strict.reset();
    }

    // C01: the signature covers the exact UTF-8 bytes sent, whatever the text holds.
    void C01_signatureCoversTheExactUtf8Bytes()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        const Subscription hook
            = subscribe(receiver.url(), {u"meeting.started"_s, u"participant.joined"_s});
        QVERIFY(!hook.id.isEmpty());
        const QString topic = u"Plan ✅ – Q3 “draft” 🚒"_s;
        const QString name = u"Zoë Ågren–Ñúñez 🚒"_s;
        const ApiReply created = m_live->api().post(
            u"/v1/meetings"_s,
            {{u"topic"_s, topic},
             {u"start_time"_s, u"2026-05-04T09:00:00Z"_s},
             {u"duration_minutes"_s, 30},
             {u"timezone"_s, u"Europe/Berlin"_s},
             {u"settings"_s, QJsonObject{{u"allow_join_before_host"_s, true}}}});
        // The case's start time lies in the past today; a meeting of the future stands in
        // for it if the server refuses that (the topic is what matters here).
        QString meetingId = created.status == 201 ? created.json().value(u"id"_s).toString()
                                                  : createMeeting(topic);
        QVERIFY(!meetingId.isEmpty());

        // The host, and a guest whose display name is not ASCII.
        QJsonObject answer;
        const auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const ApiReply guestToken = ApiClient(m_live->server().baseUrl())
                                        .post(u"/v1/meetings/"_s + meetingId + u"/joinToken"_s,
                                              {{u"guest"_s, true}, {u"display_name"_s, name}});
        QCOMPARE(guestToken.status, 200);
        const auto guest = m_live->connect();
        QVERIFY(guest);
        QCOMPARE(
            guest->join(guestToken.json().value(u"jwt"_s).toString()).value(u"type"_s).toString(),
            u"joined"_s);

        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(receiver, meetingId).size(), 3, 10000);
        bool sawTopic = false;
        bool sawName = false;
        for (const Receiver::Request &request : eventsAbout(receiver, meetingId)) {
            // The signed bytes are the sent bytes: an independent HMAC over the raw body.
            const Verification check
                = verify(request.body, request.header("X-Quorum-Signature"), {hook.secret});
            QVERIFY(check.ran);
            QCOMPARE(check.v1Count, 1);
            QCOMPARE(check.verified, QList<bool>{true});
            QCOMPARE(QByteArray::number(check.t), request.header("X-Quorum-Timestamp"));
            // Content-Length counts bytes, not UTF-16 units or characters.
            QCOMPARE(request.header("Content-Length").toLongLong(), request.body.size());
            QVERIFY(request.raw.endsWith(request.body));
            QVERIFY(request.header("Content-Type").startsWith("application/json"));
            QCOMPARE(request.header("X-Quorum-Event-Id"),
                     bodyOf(request).value(u"event_id"_s).toString().toLatin1());

            const QJsonObject data = bodyOf(request).value(u"data"_s).toObject();
            if (typeOf(request) == u"meeting.started") {
                QCOMPARE(data.value(u"topic"_s).toString(), topic);
                // Sent as UTF-8 text: the body holds the topic's own bytes, longer than its
                // length in characters.
                QVERIFY(request.body.contains(topic.toUtf8()));
                QVERIFY(request.body.size() > QString::fromUtf8(request.body).size());
                sawTopic = true;
            } else if (data.value(u"display_name"_s).toString() == name) {
                sawName = true;
            }
        }
        QVERIFY(sawTopic);
        QVERIFY(sawName);

        // The same check with OpenSSL's command line, a third implementation.
        const Receiver::Request first = eventsAbout(receiver, meetingId).constFirst();
        QProcess openssl;
        openssl.start(
            u"openssl"_s,
            {u"dgst"_s, u"-sha256"_s, u"-mac"_s, u"HMAC"_s, u"-macopt"_s, u"key:"_s + hook.secret});
        QVERIFY(openssl.waitForStarted(5000));
        openssl.write("v1:" + first.header("X-Quorum-Timestamp") + ':' + first.body);
        openssl.closeWriteChannel();
        QVERIFY(openssl.waitForFinished(10000));
        const QByteArray digest = openssl.readAllStandardOutput().trimmed().split(' ').last();
        QCOMPARE(first.header("X-Quorum-Signature"),
                 "t=" + first.header("X-Quorum-Timestamp") + ",v1=" + digest);

        QCOMPARE(endMeeting(meetingId), QString());
        unsubscribe(hook.id);
    }

    // C02: during a rotation's grace two v1 values, each verifying with one secret; after it
    // only the new one; a verifier ignores v0 and accepts any matching v1.
    void C02_rotationSignsWithBothSecretsDuringTheGrace()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        const Subscription hook = subscribe(receiver.url(), {u"meeting.started"_s});
        QVERIFY(!hook.id.isEmpty());
        ApiClient admin = m_live->api();

        const ApiReply rotated = admin.post(u"/v1/webhooks/"_s + hook.id + u":rotateSecret"_s,
                                            {{u"grace_seconds"_s, 3}});
        QCOMPARE(rotated.status, 200);
        const QString newSecret = rotated.json().value(u"secret"_s).toString();
        QVERIFY(newSecret.startsWith(u"whsec_"));
        QVERIFY(newSecret != hook.secret);
        const ApiReply shown = admin.get(u"/v1/webhooks/"_s + hook.id);
        QVERIFY(!shown.json().contains(u"secret"_s));
        QVERIFY(!shown.body.contains(newSecret.toUtf8()));
        QVERIFY(!shown.body.contains(hook.secret.toUtf8()));
        QVERIFY(shown.json().value(u"previous_secret_expires_at"_s).isString());

        // An event during the grace.
        const QString during = createMeeting(u"During the grace"_s);
        QJsonObject answer;
        auto host = m_live->join(u"admin"_s, during, &answer);
        QVERIFY(host);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(receiver, during).size(), 1, 10000);
        const Receiver::Request inGrace = eventsAbout(receiver, during).constFirst();
        const QByteArray header = inGrace.header("X-Quorum-Signature");
        Verification check = verify(inGrace.body, header, {hook.secret, newSecret});
        QVERIFY(check.ran);
        QCOMPARE(check.v1Count, 2);
        QCOMPARE(check.verified, (QList<bool>{true, true}));
        // Each v1 is one secret's: the old alone, and the new alone, verify.
        const QList<QByteArray> parts = header.split(',');
        QCOMPARE(parts.size(), 3);
        const QByteArray t = parts[0];
        QCOMPARE(verify(inGrace.body, t + ',' + parts[1], {newSecret, hook.secret}).verified,
                 (QList<bool>{true, false}));
        QCOMPARE(verify(inGrace.body, t + ',' + parts[2], {newSecret, hook.secret}).verified,
                 (QList<bool>{false, true}));

        // The verifier rule: an unknown v0 and a bad v1 before the good one do not matter.
        const QByteArray good = parts[1].mid(3);
        const QByteArray bad
            = QByteArray(good).replace(0, 4, good.startsWith("0000") ? "1111" : "0000");
        QCOMPARE(verify(inGrace.body, t + ",v0=deadbeef,v1=" + bad + ",v1=" + good, {newSecret})
                     .verified,
                 QList<bool>{true});
        QCOMPARE(verify(inGrace.body, t + ",v0=deadbeef,v1=" + bad, {newSecret}).verified,
                 QList<bool>{false});
        QCOMPARE(verify(inGrace.body + ' ', t + ",v1=" + good, {newSecret}).verified,
                 QList<bool>{false});

        // After the grace the old secret is retired: one v1, the new secret's.
        QTRY_VERIFY_WITH_TIMEOUT(admin.get(u"/v1/webhooks/"_s + hook.id)
                                     .json()
                                     .value(u"previous_secret_expires_at"_s)
                                     .isNull(),
                                 8000);
        const QString after = createMeeting(u"After the grace"_s);
        auto secondHost = m_live->join(u"admin"_s, after, &answer);
        QVERIFY(secondHost);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(receiver, after).size(), 1, 10000);
        const Receiver::Request retired = eventsAbout(receiver, after).constFirst();
        check
            = verify(retired.body, retired.header("X-Quorum-Signature"), {hook.secret, newSecret});
        QVERIFY(check.ran);
        QCOMPARE(check.v1Count, 1);
        QCOMPARE(check.verified, (QList<bool>{false, true}));

        QCOMPARE(endMeeting(during), QString());
        QCOMPARE(endMeeting(after), QString());
        unsubscribe(hook.id);
    }

    // C04 (a-c), the event side: what two subscribers of one meeting receive. A join cut
    // short leaves no trace or a matched pair; a killed client leaves with reason timeout; a
    // removed one with reason removed; the host, at :end, with meeting_ended; then
    // meeting.ended. Every joined has exactly one left.
    void C04_subscribersReceiveMatchedJoinedAndLeft()
    {
        Receiver everything;
        Receiver departures;
        QVERIFY(everything.listen());
        QVERIFY(departures.listen());
        const Subscription all = subscribe(everything.url(),
                                           {u"meeting.started"_s, u"meeting.ended"_s,
                                            u"participant.joined"_s, u"participant.left"_s});
        const Subscription left
            = subscribe(departures.url(), {u"participant.left"_s, u"meeting.ended"_s});
        QVERIFY(!all.id.isEmpty() && !left.id.isEmpty());

        const QString meetingId = createMeeting(u"C04 pairs"_s);
        QVERIFY(!meetingId.isEmpty());
        QJsonObject answer;
        const auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);
        const QString hostId = answer.value(u"participant_id"_s).toString();

        // (a) half a join frame, then the connection drops; and a whole one that drops.
        for (const bool whole : {false, true}) {
            RawSignalSocket raw;
            QVERIFY(raw.open(m_live->port()));
            raw.sendText(
                QJsonDocument(QJsonObject{{u"type"_s, u"join"_s},
                                          {u"id"_s, u"1"_s},
                                          {u"token"_s, m_live->joinToken(u"dave"_s, meetingId)}})
                    .toJson(QJsonDocument::Compact),
                !whole);
            raw.abort();
        }
        // (b) a full join, then the client is killed (no close frame).
        auto bob = m_live->join(u"bob"_s, meetingId, &answer);
        QVERIFY(bob);
        const QString bobId = answer.value(u"participant_id"_s).toString();
        bob->abort();
        // (c) a join, then the host removes her.
        auto carol = m_live->join(u"carol"_s, meetingId, &answer);
        QVERIFY(carol);
        const QString carolId = answer.value(u"participant_id"_s).toString();
        QCOMPARE(
            m_live->api().del(u"/v1/meetings/%1/participants/%2"_s.arg(meetingId, carolId)).status,
            204);
        QVERIFY(carol->waitForClosed());

        QVERIFY(host->waitFor(u"participant_left"_s, 8000).contains(u"reason"_s));
        DatabaseReader db(m_live->server());
        // Bob's timeout comes after the resume grace (2 s).
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const EventRow &event : db.events(meetingId)) {
                    if (event.type == u"participant.left"
                        && event.data.value(u"participant_id"_s).toString() == bobId)
                        return true;
                }
                return false;
            }(),
            10000);
        QCOMPARE(endMeeting(meetingId), QString());

        // Each subscriber gets every event of its types that the database holds.
        const QList<EventRow> rows = db.events(meetingId);
        auto expected = [&](const QStringList &types) {
            QStringList kinds;
            for (const EventRow &row : rows) {
                if (types.contains(row.type))
                    kinds << row.type;
            }
            return kinds;
        };
        const QStringList allTypes{u"meeting.started"_s, u"meeting.ended"_s,
                                   u"participant.joined"_s, u"participant.left"_s};
        const QStringList leftTypes{u"participant.left"_s, u"meeting.ended"_s};
        const QStringList allExpected = expected(allTypes);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(everything, meetingId).size(), allExpected.size(),
                                  10000);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(departures, meetingId).size(),
                                  expected(leftTypes).size(), 10000);
        QStringList received;
        for (const Receiver::Request &request : eventsAbout(everything, meetingId))
            received << typeOf(request);
        QCOMPARE(received, allExpected);
        received.clear();
        for (const Receiver::Request &request : eventsAbout(departures, meetingId))
            received << typeOf(request);
        QCOMPARE(received, expected(leftTypes));
        verifyAll(everything.requests(), all.secret);
        verifyAll(departures.requests(), left.secret);

        // Pairs, reasons and order, as the subscriber sees them.
        QHash<QString, int> joined;
        QHash<QString, QStringList> reasons;
        qint64 endedSequence = -1;
        qint64 lastLeftSequence = -1;
        for (const Receiver::Request &request : eventsAbout(everything, meetingId)) {
            const QJsonObject data = bodyOf(request).value(u"data"_s).toObject();
            const QString participant = data.value(u"participant_id"_s).toString();
            if (typeOf(request) == u"participant.joined") {
                ++joined[participant];
            } else if (typeOf(request) == u"participant.left") {
                QVERIFY2(joined.value(participant) == 1, qPrintable(participant));
                reasons[participant] << data.value(u"reason"_s).toString();
                lastLeftSequence = data.value(u"sequence"_s).toInteger();
            } else if (typeOf(request) == u"meeting.ended") {
                endedSequence = data.value(u"sequence"_s).toInteger();
                QCOMPARE(data.value(u"reason"_s).toString(), u"host_ended"_s);
            }
        }
        for (auto it = joined.cbegin(); it != joined.cend(); ++it) {
            QCOMPARE(it.value(), 1);
            QCOMPARE(reasons.value(it.key()).size(), 1);
        }
        QCOMPARE(reasons.size(), joined.size());
        QCOMPARE(reasons.value(bobId), QStringList{u"timeout"_s});
        QCOMPARE(reasons.value(carolId), QStringList{u"removed"_s});
        QCOMPARE(reasons.value(hostId), QStringList{u"meeting_ended"_s});
        // Dave's cut joins: nothing, or a pair ending in timeout.
        for (auto it = reasons.cbegin(); it != reasons.cend(); ++it) {
            if (it.key() != bobId && it.key() != carolId && it.key() != hostId)
                QCOMPARE(it.value(), QStringList{u"timeout"_s});
        }
        QVERIFY(endedSequence > lastLeftSequence);
        QCOMPARE(typeOf(eventsAbout(everything, meetingId).constLast()), u"meeting.ended"_s);

        unsubscribe(all.id);
        unsubscribe(left.id);
    }

    // C05 at subscribe time, with private networks off (the default).
    void C05_everyInternalUrlIsRefused_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("cloud metadata is refused")
            << u"https://169.254.169.254/latest/meta-data/"_s;
        QTest::newRow("IPv4 loopback with a port is refused") << u"https://127.0.0.1:8443/h"_s;
        QTest::newRow("IPv6 loopback is refused") << u"https://[::1]/h"_s;
        QTest::newRow("mapped metadata is refused") << u"https://[::ffff:169.254.169.254]/h"_s;
        QTest::newRow("a private 10/8 address is refused") << u"https://10.1.2.3/h"_s;
        QTest::newRow("plain http is refused") << u"http://hooks.example.com/h"_s;
        QTest::newRow("credentials in the url are refused")
            << u"https://user:pw@hooks.example.com/h"_s;
    }

    void C05_everyInternalUrlIsRefused()
    {
        QFETCH(QString, url);
        if (!m_strict) {
            m_strict = std::make_unique<QuorumdProcess>(QStringList{u"--rate-limits"_s, u"off"_s});
            QVERIFY2(m_strict->start(), m_strict->standardError().constData());
        }
        ApiClient admin(m_strict->baseUrl(), m_strict->token());

        const ApiReply reply = admin.post(
            u"/v1/webhooks"_s, {{u"url"_s, url}, {u"events"_s, QJsonArray{u"meeting.started"_s}}});

        QCOMPARE(reply.status, 422);
        QCOMPARE(reply.errorFields(), QStringList{u"url"_s});
        QVERIFY(!reply.body.contains("secret"));
        QCOMPARE(admin.get(u"/v1/webhooks"_s).json().value(u"webhooks"_s).toArray().size(), 0);
    }

    // C05, the redirect: a 302 to another of our ports is a failed attempt, never followed,
    // and the target's answer is never shown.
    void C05_redirectsAreNotFollowed()
    {
        Receiver redirecting;
        Receiver internal;
        QVERIFY(redirecting.listen());
        QVERIFY(internal.listen());
        redirecting.setDefaultAnswer(Receiver::Answer::redirect(internal.url("/")));
        const Subscription hook = subscribe(redirecting.url(), {u"meeting.started"_s});
        QVERIFY(!hook.id.isEmpty());
        ApiClient admin = m_live->api();

        const QString deliveryId = admin.post(u"/v1/webhooks/"_s + hook.id + u":test"_s, {})
                                       .json()
                                       .value(u"delivery_id"_s)
                                       .toString();
        QVERIFY(!deliveryId.isEmpty());

        // Retried on the schedule: the 302 counts as a failure.
        QTRY_VERIFY_WITH_TIMEOUT(redirecting.requests().size() >= 3, 10000);
        const QJsonObject shown = deliveryShown(admin, hook.id, deliveryId);
        QCOMPARE(shown.value(u"state"_s).toString(), u"pending"_s);
        QCOMPARE(shown.value(u"last_status"_s).toInt(), 302);
        const QJsonArray attempts = shown.value(u"attempt_log"_s).toArray();
        QVERIFY(attempts.size() >= 2);
        for (const QJsonValue &attempt : attempts)
            QCOMPARE(attempt.toObject().value(u"status_code"_s).toInt(), 302);
        QVERIFY(!shown.value(u"next_attempt_at"_s).isNull());
        QCOMPARE(internal.requests().size(), 0);
        // Nothing the target answered is shown back.
        const ApiReply listed = admin.get(u"/v1/webhooks/"_s + hook.id + u"/deliveries"_s);
        QVERIFY(!listed.body.contains("Location"));
        QVERIFY(!listed.body.contains(internal.url("/")));

        unsubscribe(hook.id);
        QCOMPARE(internal.requests().size(), 0);
    }

    // C05, a name that resolves to loopback: accepted while private networks are allowed,
    // refused at delivery once they are not, and nothing reaches the receiver.
    void C05_nameResolvingToLoopbackIsRefusedAtDelivery()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        QuorumdProcess server(QStringList{u"--webhooks-allow-private-networks"_s,
                                          u"--webhook-retry-schedule"_s, kRetrySchedule});
        QVERIFY2(server.start(), server.standardError().constData());
        const QString token = server.token();
        const QByteArray url = "http://localhost:" + QByteArray::number(receiver.port()) + "/h";
        ApiClient before(server.baseUrl(), token);
        const Subscription hook = subscribeOn(before, url, {u"meeting.started"_s});
        QVERIFY(!hook.id.isEmpty());

        server.stop();
        QCOMPARE(server.exitCode(), 0);
        server.setExtraArguments({u"--webhook-retry-schedule"_s, kRetrySchedule});
        QVERIFY2(server.start(), server.standardError().constData());
        ApiClient admin(server.baseUrl(), token);

        // A plain http URL with private networks off is not even accepted any more.
        QCOMPARE(subscribeOn(admin, url, {u"meeting.started"_s}).id, QString());
        const QString deliveryId = admin.post(u"/v1/webhooks/"_s + hook.id + u":test"_s, {})
                                       .json()
                                       .value(u"delivery_id"_s)
                                       .toString();
        QVERIFY(!deliveryId.isEmpty());

        QTRY_VERIFY_WITH_TIMEOUT(
            deliveryShown(admin, hook.id, deliveryId).value(u"attempt_log"_s).toArray().size() >= 2,
            10000);
        const QJsonObject shown = deliveryShown(admin, hook.id, deliveryId);
        for (const QJsonValue &attempt : shown.value(u"attempt_log"_s).toArray()) {
            QVERIFY(attempt.toObject().value(u"status_code"_s).isNull());
            QVERIFY2(
                attempt.toObject().value(u"error"_s).toString().startsWith(u"forbidden_address"_s),
                qPrintable(attempt.toObject().value(u"error"_s).toString()));
        }
        QCOMPARE(receiver.requests().size(), 0);
    }

    // Retries end to end: a 500, a timeout and a refused connection, then a 200 that stops
    // them; every attempt freshly timestamped and signed over the same bytes.
    void retriesRunOnTheScheduleUntilSuccess()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        receiver.queueAnswers({{500, 0}, {0, 0}});
        const Subscription hook = subscribe(receiver.url(), {u"meeting.started"_s});
        QVERIFY(!hook.id.isEmpty());
        ApiClient admin = m_live->api();

        const QString meetingId = createMeeting(u"Retries"_s);
        QJsonObject answer;
        const auto host = m_live->join(u"admin"_s, meetingId, &answer);
        QVERIFY(host);

        // 500, then silence (the attempt times out after 1 s), then the port is closed.
        QTRY_COMPARE_WITH_TIMEOUT(receiver.requests().size(), 2, 10000);
        const quint16 port = receiver.port();
        const QString deliveryId = admin.get(u"/v1/webhooks/"_s + hook.id + u"/deliveries"_s)
                                       .json()
                                       .value(u"deliveries"_s)
                                       .toArray()
                                       .first()
                                       .toObject()
                                       .value(u"id"_s)
                                       .toString();
        QVERIFY(deliveryId.startsWith(u"dlv_"));
        QTRY_COMPARE_WITH_TIMEOUT(
            deliveryShown(admin, hook.id, deliveryId).value(u"attempts"_s).toInt(), 2, 5000);
        receiver.close();
        QTRY_VERIFY_WITH_TIMEOUT(
            deliveryShown(admin, hook.id, deliveryId).value(u"attempts"_s).toInt() >= 3, 5000);
        QVERIFY(receiver.listen(port));
        QTRY_COMPARE_WITH_TIMEOUT(
            deliveryShown(admin, hook.id, deliveryId).value(u"state"_s).toString(), u"succeeded"_s,
            10000);

        const QJsonObject shown = deliveryShown(admin, hook.id, deliveryId);
        const QJsonArray log = shown.value(u"attempt_log"_s).toArray();
        QVERIFY(log.size() >= 4);
        QCOMPARE(log[0].toObject().value(u"status_code"_s).toInt(), 500);
        QCOMPARE(log[1].toObject().value(u"error"_s).toString(), u"timeout"_s);
        QVERIFY(log[1].toObject().value(u"status_code"_s).isNull());
        QCOMPARE(log[2].toObject().value(u"error"_s).toString(), u"connection_refused"_s);
        QCOMPARE(log.last().toObject().value(u"status_code"_s).toInt(), 200);
        QCOMPARE(shown.value(u"attempts"_s).toInt(), log.size());
        QVERIFY(shown.value(u"next_attempt_at"_s).isNull());
        // Success stops the retries: the delivery is finished and a new event still flows.
        const int received = receiver.requests().size();
        QCOMPARE(received, log.size() - 1); // the refused attempt never arrived
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + hook.id).json().value(u"state"_s).toString(),
                 u"active"_s);

        const QList<Receiver::Request> attempts = receiver.requestsWith(
            "X-Quorum-Event-Id", receiver.requests().constFirst().header("X-Quorum-Event-Id"));
        QCOMPARE(attempts.size(), received);
        qint64 previousT = 0;
        for (const Receiver::Request &attempt : attempts) {
            QCOMPARE(attempt.body, attempts.constFirst().body);
            const qint64 t = attempt.header("X-Quorum-Timestamp").toLongLong();
            // Fresh: the attempt's own time, not the first attempt's or the event's.
            QVERIFY(qAbs(t - attempt.receivedAtMs / 1000) <= 1);
            QVERIFY(t >= previousT);
            previousT = t;
        }
        QVERIFY2(attempts.constLast().header("X-Quorum-Timestamp").toLongLong()
                     > attempts.constFirst().header("X-Quorum-Timestamp").toLongLong(),
                 "the attempts span more than a second (a 1 s timeout), so t must move");
        verifyAll(attempts, hook.secret);

        QCOMPARE(endMeeting(meetingId), QString());
        unsubscribe(hook.id);
    }

    // degraded, then disabled (with the audit entry), re-enabling sends new events only, and
    // redelivery sends a finished delivery again with the same bytes.
    void degradedDisabledReenabledAndRedelivered()
    {
        Receiver receiver;
        QVERIFY(receiver.listen());
        receiver.setDefaultAnswer({500, 0});
        LiveScenario live(kFastWebhooks
                          + QStringList{u"--webhook-degraded-after"_s, u"1"_s,
                                        u"--webhook-disabled-after"_s, u"3"_s});
        QVERIFY2(live.start(), live.server().standardError().constData());
        ApiClient admin = live.api();
        const Subscription hook = subscribeOn(admin, receiver.url(), {u"meeting.started"_s});
        QVERIFY(!hook.id.isEmpty());
        const QString path = u"/v1/webhooks/"_s + hook.id;

        const QString failed
            = admin.post(path + u":test"_s, {}).json().value(u"delivery_id"_s).toString();
        QVERIFY(!failed.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(admin.get(path).json().value(u"state"_s).toString(),
                                  u"degraded"_s, 8000);
        QVERIFY(admin.get(path).json().value(u"failing_since"_s).isString());
        QCOMPARE(admin.get(path).json().value(u"enabled"_s).toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(admin.get(path).json().value(u"state"_s).toString(),
                                  u"disabled"_s, 10000);
        const QJsonObject disabled = admin.get(path).json();
        QCOMPARE(disabled.value(u"enabled"_s).toBool(), false);
        QCOMPARE(disabled.value(u"disabled_reason"_s).toString(), u"failing"_s);
        QCOMPARE(deliveryShown(admin, hook.id, failed).value(u"state"_s).toString(),
                 u"cancelled"_s);

        // The audit log shows the disable.
        bool audited = false;
        for (const QJsonValue &entry :
             admin.get(u"/v1/audit?page_size=100"_s).json().value(u"entries"_s).toArray()) {
            if (entry.toObject().value(u"action"_s).toString() == u"webhook.disabled"
                && entry.toObject().value(u"target_id"_s).toString() == hook.id)
                audited = true;
        }
        QVERIFY(audited);

        // An event while disabled is not queued for it.
        receiver.setDefaultAnswer({200, 0});
        const int before = receiver.requests().size();
        const ApiReply meeting = admin.post(u"/v1/meetings"_s,
                                            {{u"topic"_s, u"While disabled"_s},
                                             {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                             {u"duration_minutes"_s, 30},
                                             {u"waiting_room"_s, false}});
        QCOMPARE(meeting.status, 201);
        const QString whileDisabled = meeting.json().value(u"id"_s).toString();
        QJsonObject answer;
        auto host = live.join(u"admin"_s, whileDisabled, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        DatabaseReader db(live.server());
        QTRY_VERIFY_WITH_TIMEOUT(!db.events(whileDisabled).isEmpty(), 5000);

        // Re-enabled: new events only.
        QCOMPARE(admin.patch(path, {{u"enabled"_s, true}}).status, 200);
        QCOMPARE(admin.get(path).json().value(u"state"_s).toString(), u"active"_s);
        const QString fresh
            = admin.post(path + u":test"_s, {}).json().value(u"delivery_id"_s).toString();
        QTRY_COMPARE_WITH_TIMEOUT(deliveryShown(admin, hook.id, fresh).value(u"state"_s),
                                  QJsonValue(u"succeeded"_s), 10000);
        QCOMPARE(receiver.requests().size(), before + 1);
        for (const Receiver::Request &request : receiver.requests().mid(before))
            QVERIFY(meetingOf(request) != whileDisabled);
        QCOMPARE(deliveryShown(admin, hook.id, failed).value(u"state"_s).toString(),
                 u"cancelled"_s);

        // Redelivery of the cancelled one: the same event id and bytes, signed afresh.
        const QByteArray failedBody = receiver.requests().constFirst().body;
        const ApiReply redelivered
            = admin.post(path + u"/deliveries/"_s + failed + u":redeliver"_s, {});
        QCOMPARE(redelivered.status, 202);
        QTRY_COMPARE_WITH_TIMEOUT(deliveryShown(admin, hook.id, failed).value(u"state"_s),
                                  QJsonValue(u"succeeded"_s), 10000);
        const Receiver::Request again = receiver.requests().constLast();
        QCOMPARE(again.body, failedBody);
        QCOMPARE(again.header("X-Quorum-Event-Id"),
                 receiver.requests().constFirst().header("X-Quorum-Event-Id"));
        verifyAll({again}, hook.secret);
        QCOMPARE(admin.get(path).json().value(u"last_success_at"_s).isString(), true);
    }

    // A member's subscription hears only the meetings the member may read; a credential
    // without meeting.read cannot subscribe to meeting or participant events.
    void eventsAreFilteredByOwnershipAndScope()
    {
        Receiver bobs;
        Receiver admins;
        QVERIFY(bobs.listen());
        QVERIFY(admins.listen());
        const Subscription bobHook = subscribe(bobs.url(), {u"meeting.started"_s}, u"bob"_s);
        const Subscription adminHook = subscribe(admins.url(), {u"meeting.started"_s});
        QVERIFY(!bobHook.id.isEmpty() && !adminHook.id.isEmpty());

        const QString adminMeeting = createMeeting(u"The admin's"_s);
        const QString bobMeeting = createMeeting(u"Bob's"_s, u"bob"_s);
        QVERIFY(!adminMeeting.isEmpty() && !bobMeeting.isEmpty());
        QJsonObject answer;
        auto adminHost = m_live->join(u"admin"_s, adminMeeting, &answer);
        auto bobHost = m_live->join(u"bob"_s, bobMeeting, &answer);
        QVERIFY(adminHost && bobHost);

        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(admins, adminMeeting).size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(admins, bobMeeting).size(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(eventsAbout(bobs, bobMeeting).size(), 1, 10000);
        // Everything queued before bob's meeting started has gone out by now; none of it
        // was the admin's meeting.
        QCOMPARE(eventsAbout(bobs, adminMeeting).size(), 0);
        verifyAll(bobs.requests(), bobHook.secret);

        const QString narrow = m_live->server().token(
            u"dave"_s, u"default"_s, {u"webhook.read"_s, u"webhook.write"_s, u"recording.read"_s});
        for (const QString &event : {u"meeting.started"_s, u"participant.joined"_s}) {
            const ApiReply refused = ApiClient(m_live->server().baseUrl(), narrow)
                                         .post(u"/v1/webhooks"_s,
                                               {{u"url"_s, QString::fromLatin1(bobs.url())},
                                                {u"events"_s, QJsonArray{event}}});
            QCOMPARE(refused.status, 422);
            QCOMPARE(refused.errorFields(), QStringList{u"events"_s});
        }
        // recording.* events do not exist yet, so a subscription without recording.read
        // cannot be shown to miss them; the API refuses such subscriptions (tst_webhooks_api).
    }
};

QTEST_GUILESS_MAIN(tst_CasesWebhooks)
#include "tst_cases_webhooks.moc"
