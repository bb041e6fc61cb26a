// The webhook subscriptions API end to end (a real quorumd, real HTTP over sockets): the
// secret shown once, ownership, PATCH with ETags, bad inputs, the URL guard at subscribe time
// (case C05), secret rotation (the API part of C02), test pings, deliveries and redelivery,
// DELETE, and the outbox fan-out a live meeting's events make, read from the database.
//
// Subscriptions point at a loopback port this test holds open (and never answers), so a
// dispatcher, once there is one, reaches nothing but this process.

#include "ApiClient.h"
#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpServer>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_WebhooksApi : public QObject
{
    Q_OBJECT

private:
    QString receiverUrl(const QString &path = u"/hook"_s) const
    {
        return u"http://127.0.0.1:%1%2"_s.arg(m_receiver.serverPort()).arg(path);
    }

    QJsonObject subscription(const QStringList &events) const
    {
        return {{u"url"_s, receiverUrl()}, {u"events"_s, QJsonArray::fromStringList(events)}};
    }

    // Creates a subscription as `user`; its JSON (with the secret), or an empty object.
    QJsonObject subscribe(const QString &user, const QStringList &events) const
    {
        const ApiReply created = m_live->api(user).post(u"/v1/webhooks"_s, subscription(events));
        return created.status == 201 ? created.json() : QJsonObject();
    }

    // Every subscription id a user's list shows, across pages.
    QStringList listedIds(const QString &user) const
    {
        QStringList ids;
        QString cursor;
        do {
            const QString query = cursor.isEmpty() ? QString() : u"&cursor="_s + cursor;
            const ApiReply page = m_live->api(user).get(u"/v1/webhooks?page_size=2"_s + query);
            if (page.status != 200)
                return {u"status %1"_s.arg(page.status)};
            for (const QJsonValue &item : page.json().value(u"webhooks"_s).toArray())
                ids << item.toObject().value(u"id"_s).toString();
            cursor = page.json().value(u"next_cursor"_s).toString();
        } while (!cursor.isEmpty());
        return ids;
    }

    // The body every attempt of an event's delivery must send, made from the events row.
    static QByteArray expectedBody(const QJsonObject &delivery)
    {
        const QDateTime ts
            = QDateTime::fromMSecsSinceEpoch(delivery.value(u"occurred_at"_s).toInteger(), Qt::UTC);
        return "{\"event\":\"" + delivery.value(u"event_type"_s).toString().toUtf8()
            + "\",\"event_id\":\"" + delivery.value(u"event_id"_s).toString().toUtf8()
            + "\",\"ts\":\"" + ts.toString(Qt::ISODateWithMs).toUtf8()
            + "\",\"data\":" + delivery.value(u"event_data"_s).toString().toUtf8() + '}';
    }

    std::unique_ptr<LiveScenario> m_live;
    // A server with the defaults: private networks are not allowed.
    std::unique_ptr<QuorumdProcess> m_strict;
    QString m_strictToken;
    QTcpServer m_receiver;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen(QHostAddress::LocalHost, 0));
        m_live = std::make_unique<LiveScenario>(
            QStringList{u"--webhooks-allow-private-networks"_s, u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
        m_strict = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_strict->start(), m_strict->standardError().constData());
        m_strictToken = m_strict->token();
    }

    void cleanupTestCase()
    {
        m_live.reset();
        m_strict.reset();
    }

    void createShowsTheSecretOnce()
    {
        ApiClient admin = m_live->api();

        const ApiReply created
            = admin.post(u"/v1/webhooks"_s, subscription({u"meeting.started"_s}));

        QCOMPARE(created.status, 201);
        const QJsonObject json = created.json();
        const QString id = json.value(u"id"_s).toString();
        const QString secret = json.value(u"secret"_s).toString();
        QVERIFY(id.startsWith(u"wh_"));
        QVERIFY(secret.startsWith(u"whsec_"));
        QVERIFY(secret.size() > 40);
        QCOMPARE(json.value(u"url"_s).toString(), receiverUrl());
        QCOMPARE(json.value(u"events"_s).toArray(), QJsonArray{u"meeting.started"_s});
        QCOMPARE(json.value(u"enabled"_s).toBool(), true);
        QCOMPARE(json.value(u"state"_s).toString(), u"active"_s);
        QVERIFY(json.value(u"previous_secret_expires_at"_s).isNull());
        QVERIFY(json.value(u"failing_since"_s).isNull());
        QVERIFY(json.value(u"last_success_at"_s).isNull());
        QCOMPARE(created.header("Location"), "/v1/webhooks/" + id.toLatin1());
        QCOMPARE(created.header("ETag"), QByteArray("\"v1\""));

        const ApiReply read = admin.get(u"/v1/webhooks/"_s + id);
        QCOMPARE(read.status, 200);
        QVERIFY(!read.json().contains(u"secret"_s));
        QVERIFY(!read.body.contains(secret.toUtf8()));
        const ApiReply listed = admin.get(u"/v1/webhooks?page_size=300"_s);
        QCOMPARE(listed.status, 200);
        QVERIFY(!listed.body.contains(secret.toUtf8()));
        QVERIFY(!listed.body.contains("\"secret\""));

        // Stored sealed, never in plain text.
        DatabaseReader reader(m_live->server());
        const QJsonObject row = reader.webhook(id);
        QVERIFY(!row.isEmpty());
        QVERIFY(!row.value(u"secret_sealed"_s).toString().isEmpty());
        for (const QJsonValue &value : row)
            QVERIFY(!value.toString().contains(secret));
    }

    void eachClientSeesItsOwnAndAdminsSeeAll()
    {
        const QString bobs
            = subscribe(u"bob"_s, {u"participant.joined"_s}).value(u"id"_s).toString();
        const QString carols
            = subscribe(u"carol"_s, {u"participant.left"_s}).value(u"id"_s).toString();
        const QString admins
            = subscribe(u"admin"_s, {u"meeting.ended"_s}).value(u"id"_s).toString();
        QVERIFY(!bobs.isEmpty() && !carols.isEmpty() && !admins.isEmpty());

        const QStringList bobSees = listedIds(u"bob"_s);
        QVERIFY2(bobSees.contains(bobs), qPrintable(bobSees.join(u',')));
        QVERIFY(!bobSees.contains(carols));
        QVERIFY(!bobSees.contains(admins));
        const QStringList adminSees = listedIds(u"admin"_s);
        QVERIFY(adminSees.contains(bobs) && adminSees.contains(carols)
                && adminSees.contains(admins));

        // Another member's subscription does not exist for bob, whatever he tries.
        ApiClient bob = m_live->api(u"bob"_s);
        QCOMPARE(bob.get(u"/v1/webhooks/"_s + carols).status, 404);
        QCOMPARE(bob.patch(u"/v1/webhooks/"_s + carols, {{u"enabled"_s, false}}).status, 404);
        QCOMPARE(bob.del(u"/v1/webhooks/"_s + carols).status, 404);
        QCOMPARE(bob.post(u"/v1/webhooks/"_s + carols + u":test"_s, {}).status, 404);
        QCOMPARE(bob.post(u"/v1/webhooks/"_s + carols + u":rotateSecret"_s, {}).status, 404);
        QCOMPARE(bob.get(u"/v1/webhooks/"_s + carols + u"/deliveries"_s).status, 404);
        QCOMPARE(bob.get(u"/v1/webhooks/"_s + admins).status, 404);
        QCOMPARE(
            m_live->api(u"carol"_s).get(u"/v1/webhooks/"_s + carols).json().value(u"enabled"_s),
            QJsonValue(true));

        // Admins manage all of the workspace.
        QCOMPARE(m_live->api().get(u"/v1/webhooks/"_s + bobs).status, 200);
        QCOMPARE(m_live->api().patch(u"/v1/webhooks/"_s + bobs, {{u"enabled"_s, false}}).status,
                 200);
        QCOMPARE(bob.get(u"/v1/webhooks/"_s + bobs).json().value(u"state"_s).toString(),
                 u"disabled"_s);
    }

    void appTokensSeeOnlyTheirOwn()
    {
        QSKIP("The harness cannot mint a third-party app's token yet (no OAuth apps); "
              "WebhookService::ownerOf gives such tokens an ('app', client id) owner.");
    }

    void scopesAreEnforcedOnTheRoutes()
    {
        const QString readOnly = m_live->server().token(u"dave"_s, u"default"_s,
                                                        {u"webhook.read"_s, u"meeting.read"_s});
        ApiClient dave(m_live->server().baseUrl(), readOnly);

        const ApiReply created = dave.post(u"/v1/webhooks"_s, subscription({u"meeting.started"_s}));

        QCOMPARE(created.status, 403);
        QCOMPARE(created.code(), u"insufficient_scope"_s);
        QCOMPARE(dave.get(u"/v1/webhooks"_s).status, 200);
    }

    void patchFollowsETags()
    {
        ApiClient admin = m_live->api();
        const QString id = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QVERIFY(!id.isEmpty());
        const QByteArray etag = admin.get(u"/v1/webhooks/"_s + id).header("ETag");

        const ApiReply patched
            = admin.patch(u"/v1/webhooks/"_s + id,
                          {{u"events"_s, QJsonArray{u"meeting.started"_s, u"meeting.ended"_s}},
                           {u"url"_s, receiverUrl(u"/other"_s)}},
                          {{"If-Match", etag}});
        QCOMPARE(patched.status, 200);
        QCOMPARE(patched.json().value(u"events"_s).toArray().size(), 2);
        QCOMPARE(patched.json().value(u"url"_s).toString(), receiverUrl(u"/other"_s));
        QVERIFY(patched.header("ETag") != etag);

        const ApiReply stale
            = admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, false}}, {{"If-Match", etag}});
        QCOMPARE(stale.status, 412);
        QCOMPARE(stale.code(), u"precondition_failed"_s);
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + id).json().value(u"enabled"_s), QJsonValue(true));

        const ApiReply same
            = admin.patch(u"/v1/webhooks/"_s + id, {{u"url"_s, receiverUrl(u"/other"_s)}});
        QCOMPARE(same.status, 200);
        QCOMPARE(same.header("ETag"), patched.header("ETag"));

        const ApiReply disabled = admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, false}});
        QCOMPARE(disabled.json().value(u"state"_s).toString(), u"disabled"_s);
        QCOMPARE(disabled.json().value(u"disabled_reason"_s).toString(), u"client"_s);
        const ApiReply enabled = admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, true}});
        QCOMPARE(enabled.json().value(u"state"_s).toString(), u"active"_s);
        QVERIFY(enabled.json().value(u"disabled_reason"_s).isNull());

        const ApiReply staleDelete = admin.del(u"/v1/webhooks/"_s + id, {{"If-Match", etag}});
        QCOMPARE(staleDelete.status, 412);
    }

    void badInputsAreRefusedAndChangeNothing_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QStringList>("scopes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");

        const QStringList all;
        const QJsonArray started{u"meeting.started"_s};
        const QString url = u"http://127.0.0.1:9/h"_s;
        QTest::newRow("a subscription without a url is refused")
            << QByteArray("POST") << QJsonObject{{u"events"_s, started}} << all << 400
            << u"validation_failed"_s << u"url"_s;
        QTest::newRow("a url that is not a string is refused")
            << QByteArray("POST") << QJsonObject{{u"url"_s, 5}, {u"events"_s, started}} << all
            << 400 << u"validation_failed"_s << u"url"_s;
        QTest::newRow("a relative url is refused")
            << QByteArray("POST") << QJsonObject{{u"url"_s, u"/hook"_s}, {u"events"_s, started}}
            << all << 400 << u"validation_failed"_s << u"url"_s;
        QTest::newRow("a subscription without events is refused")
            << QByteArray("POST") << QJsonObject{{u"url"_s, url}} << all << 400
            << u"validation_failed"_s << u"events"_s;
        QTest::newRow("an empty event list is refused")
            << QByteArray("POST") << QJsonObject{{u"url"_s, url}, {u"events"_s, QJsonArray()}}
            << all << 400 << u"validation_failed"_s << u"events"_s;
        QTest::newRow("an unknown event type is refused")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, QJsonArray{u"meeting.exploded"_s}}} << all
            << 400 << u"validation_failed"_s << u"events"_s;
        QTest::newRow("webhook.test is not subscribable")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, QJsonArray{u"webhook.test"_s}}} << all
            << 400 << u"validation_failed"_s << u"events"_s;
        QTest::newRow("events that are not an array are refused")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, u"meeting.started"_s}} << all << 400
            << u"validation_failed"_s << u"events"_s;
        QTest::newRow("an unknown field is refused")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, started}, {u"colour"_s, u"red"_s}} << all
            << 400 << u"unknown_field"_s << u"colour"_s;
        QTest::newRow("a secret cannot be chosen by the client")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, started}, {u"secret"_s, u"x"_s}} << all
            << 400 << u"unknown_field"_s << u"secret"_s;
        QTest::newRow("recording events need recording.read")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, QJsonArray{u"recording.completed"_s}}}
            << QStringList{u"webhook.write"_s, u"webhook.read"_s, u"meeting.read"_s} << 422
            << u"policy_refused"_s << u"events"_s;
        QTest::newRow("participant events need meeting.read")
            << QByteArray("POST")
            << QJsonObject{{u"url"_s, url}, {u"events"_s, QJsonArray{u"participant.left"_s}}}
            << QStringList{u"webhook.write"_s, u"recording.read"_s} << 422 << u"policy_refused"_s
            << u"events"_s;
        QTest::newRow("state is read-only")
            << QByteArray("PATCH") << QJsonObject{{u"state"_s, u"active"_s}} << all << 400
            << u"validation_failed"_s << u"state"_s;
        QTest::newRow("the secret is read-only")
            << QByteArray("PATCH") << QJsonObject{{u"secret"_s, u"whsec_mine"_s}} << all << 400
            << u"validation_failed"_s << u"secret"_s;
        QTest::newRow("enabled cannot be null")
            << QByteArray("PATCH") << QJsonObject{{u"enabled"_s, QJsonValue::Null}} << all << 400
            << u"validation_failed"_s << u"enabled"_s;
        QTest::newRow("events cannot be emptied")
            << QByteArray("PATCH") << QJsonObject{{u"events"_s, QJsonArray()}} << all << 400
            << u"validation_failed"_s << u"events"_s;
        QTest::newRow("enabled must be a boolean")
            << QByteArray("PATCH") << QJsonObject{{u"enabled"_s, u"yes"_s}} << all << 400
            << u"validation_failed"_s << u"enabled"_s;
        QTest::newRow("a patch with an unknown field is refused")
            << QByteArray("PATCH") << QJsonObject{{u"name"_s, u"x"_s}} << all << 400
            << u"unknown_field"_s << u"name"_s;
        QTest::newRow("a patch to a recording event needs recording.read")
            << QByteArray("PATCH") << QJsonObject{{u"events"_s, QJsonArray{u"recording.failed"_s}}}
            << QStringList{u"webhook.write"_s, u"webhook.read"_s, u"meeting.read"_s} << 422
            << u"policy_refused"_s << u"events"_s;
        QTest::newRow("a grace beyond a day is refused")
            << QByteArray("ROTATE") << QJsonObject{{u"grace_seconds"_s, 86401}} << all << 400
            << u"validation_failed"_s << u"grace_seconds"_s;
        QTest::newRow("a negative grace is refused")
            << QByteArray("ROTATE") << QJsonObject{{u"grace_seconds"_s, -1}} << all << 400
            << u"validation_failed"_s << u"grace_seconds"_s;
        QTest::newRow("a fractional grace is refused")
            << QByteArray("ROTATE") << QJsonObject{{u"grace_seconds"_s, 1.5}} << all << 400
            << u"validation_failed"_s << u"grace_seconds"_s;
    }

    void badInputsAreRefusedAndChangeNothing()
    {
        QFETCH(QByteArray, method);
        QFETCH(QJsonObject, body);
        QFETCH(QStringList, scopes);
        QFETCH(int, status);
        QFETCH(QString, code);
        QFETCH(QString, field);
        const QString existing
            = subscribe(u"erin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QVERIFY(!existing.isEmpty());
        ApiClient erin(m_live->server().baseUrl(),
                       scopes.isEmpty() ? m_live->bearer(u"erin"_s)
                                        : m_live->server().token(u"erin"_s, u"default"_s, scopes));
        const QStringList before = listedIds(u"erin"_s);
        const QByteArray stateBefore
            = m_live->api(u"erin"_s).get(u"/v1/webhooks/"_s + existing).body;

        ApiReply reply;
        if (method == "POST")
            reply = erin.post(u"/v1/webhooks"_s, body);
        else if (method == "PATCH")
            reply = erin.patch(u"/v1/webhooks/"_s + existing, body);
        else
            reply = erin.post(u"/v1/webhooks/"_s + existing + u":rotateSecret"_s, body);

        QCOMPARE(reply.status, status);
        QCOMPARE(reply.code(), code);
        QVERIFY2(reply.errorFields().contains(field), reply.body.constData());
        QCOMPARE(listedIds(u"erin"_s), before);
        QCOMPARE(m_live->api(u"erin"_s).get(u"/v1/webhooks/"_s + existing).body, stateBefore);
    }

    // Private networks are allowed on this server, yet metadata addresses are never.
    void metadataIsRefusedEvenWithPrivateNetworks_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("the IPv4 metadata service")
            << u"https://169.254.169.254/latest/meta-data/"_s;
        QTest::newRow("the mapped IPv4 metadata service")
            << u"https://[::ffff:169.254.169.254]/h"_s;
        QTest::newRow("the IPv6 metadata service") << u"http://[fd00:ec2::254]/h"_s;
        QTest::newRow("a link-local address") << u"http://169.254.10.10/h"_s;
        QTest::newRow("the unspecified address") << u"http://0.0.0.0:8080/h"_s;
        QTest::newRow("credentials") << u"http://user:pw@127.0.0.1:9/h"_s;
    }

    void metadataIsRefusedEvenWithPrivateNetworks()
    {
        QFETCH(QString, url);

        const ApiReply reply = m_live->api().post(
            u"/v1/webhooks"_s, {{u"url"_s, url}, {u"events"_s, QJsonArray{u"meeting.started"_s}}});

        QCOMPARE(reply.status, 422);
        QCOMPARE(reply.code(), u"policy_refused"_s);
        QCOMPARE(reply.errorFields(), QStringList{u"url"_s});
    }

    void C05_subscribeRefusesInternalTargets_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("C05 cloud metadata") << u"https://169.254.169.254/latest/meta-data/"_s;
        QTest::newRow("C05 IPv4 loopback with a port") << u"https://127.0.0.1:8443/h"_s;
        QTest::newRow("C05 IPv6 loopback") << u"https://[::1]/h"_s;
        QTest::newRow("C05 mapped metadata") << u"https://[::ffff:169.254.169.254]/h"_s;
        QTest::newRow("C05 private 10/8") << u"https://10.1.2.3/h"_s;
        QTest::newRow("C05 plain http") << u"http://hooks.example.com/h"_s;
        QTest::newRow("C05 credentials in the URL") << u"https://user:pw@hooks.example.com/h"_s;
        QTest::newRow("the unspecified address") << u"https://0.0.0.0/h"_s;
        QTest::newRow("shared address space") << u"https://100.64.1.1/h"_s;
        QTest::newRow("benchmarking space") << u"https://198.18.0.1/h"_s;
        QTest::newRow("future use space") << u"https://240.0.0.1/h"_s;
        QTest::newRow("unique local IPv6") << u"https://[fc00::1]/h"_s;
        QTest::newRow("link-local IPv6") << u"https://[fe80::1]/h"_s;
        QTest::newRow("multicast IPv6") << u"https://[ff02::1]/h"_s;
        QTest::newRow("documentation IPv6") << u"https://[2001:db8::1]/h"_s;
        QTest::newRow("the unspecified IPv6 address") << u"https://[::]/h"_s;
        QTest::newRow("the IPv6 metadata service") << u"https://[fd00:ec2::254]/h"_s;
        QTest::newRow("a name that resolves to loopback") << u"https://localhost:9/h"_s;
    }

    void C05_subscribeRefusesInternalTargets()
    {
        QFETCH(QString, url);
        ApiClient client(m_strict->baseUrl(), m_strictToken);

        const ApiReply reply = client.post(
            u"/v1/webhooks"_s, {{u"url"_s, url}, {u"events"_s, QJsonArray{u"meeting.started"_s}}});

        QCOMPARE(reply.status, 422);
        QCOMPARE(reply.code(), u"policy_refused"_s);
        QCOMPARE(reply.errorFields(), QStringList{u"url"_s});
        QCOMPARE(client.get(u"/v1/webhooks"_s).json().value(u"webhooks"_s).toArray().size(), 0);
    }

    void aClientHoldsABoundedNumberOfSubscriptions()
    {
        QuorumdProcess server(
            {u"--webhooks-allow-private-networks"_s, u"--webhook-max-subscriptions"_s, u"2"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        ApiClient admin(server.baseUrl(), server.token());
        const QJsonObject body{{u"url"_s, u"http://127.0.0.1:%1/h"_s.arg(m_receiver.serverPort())},
                               {u"events"_s, QJsonArray{u"meeting.started"_s}}};

        QCOMPARE(admin.post(u"/v1/webhooks"_s, body).status, 201);
        const ApiReply second = admin.post(u"/v1/webhooks"_s, body);
        QCOMPARE(second.status, 201);
        const ApiReply third = admin.post(u"/v1/webhooks"_s, body);
        QCOMPARE(third.status, 422);
        QCOMPARE(third.code(), u"policy_refused"_s);
        QCOMPARE(admin.get(u"/v1/webhooks"_s).json().value(u"webhooks"_s).toArray().size(), 2);

        // A deleted one makes room again.
        const QString id = second.json().value(u"id"_s).toString();
        QCOMPARE(admin.del(u"/v1/webhooks/"_s + id).status, 204);
        QCOMPARE(admin.post(u"/v1/webhooks"_s, body).status, 201);
    }

    void C02_rotateSecretKeepsAtMostTwo()
    {
        ApiClient admin = m_live->api();
        const QJsonObject created = subscribe(u"admin"_s, {u"meeting.started"_s});
        const QString id = created.value(u"id"_s).toString();
        const QString first = created.value(u"secret"_s).toString();
        const QString path = u"/v1/webhooks/"_s + id + u":rotateSecret"_s;

        // A long grace first, then a second rotation that ends it at once.
        const ApiReply longGrace = admin.post(path, {{u"grace_seconds"_s, 86400}});
        QCOMPARE(longGrace.status, 200);
        const QString second = longGrace.json().value(u"secret"_s).toString();
        QVERIFY(second.startsWith(u"whsec_") && second != first);
        const QDateTime longUntil = QDateTime::fromString(
            longGrace.json().value(u"previous_secret_expires_at"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(longUntil > QDateTime::currentDateTimeUtc().addSecs(86000));

        const ApiReply shortGrace = admin.post(path, {{u"grace_seconds"_s, 1}});
        QCOMPARE(shortGrace.status, 200);
        const QString third = shortGrace.json().value(u"secret"_s).toString();
        QVERIFY(third != second && third != first);
        const QDateTime shortUntil = QDateTime::fromString(
            shortGrace.json().value(u"previous_secret_expires_at"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(shortUntil.isValid());
        QVERIFY(shortUntil < QDateTime::currentDateTimeUtc().addSecs(30));

        // GET never shows a secret; the previous one's expiry goes once its grace is over.
        const ApiReply read = admin.get(u"/v1/webhooks/"_s + id);
        QVERIFY(!read.json().contains(u"secret"_s));
        for (const QString &secret : {first, second, third})
            QVERIFY(!read.body.contains(secret.toUtf8()));
        QTRY_VERIFY_WITH_TIMEOUT(admin.get(u"/v1/webhooks/"_s + id)
                                     .json()
                                     .value(u"previous_secret_expires_at"_s)
                                     .isNull(),
                                 10000);

        // No grace: only the new secret lives.
        const ApiReply noGrace = admin.post(path, {{u"grace_seconds"_s, 0}});
        QCOMPARE(noGrace.status, 200);
        QVERIFY(noGrace.json().value(u"previous_secret_expires_at"_s).isNull());

        // The default grace is a day.
        const ApiReply byDefault = admin.post(path, {});
        QCOMPARE(byDefault.status, 200);
        const QDateTime dayUntil = QDateTime::fromString(
            byDefault.json().value(u"previous_secret_expires_at"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(dayUntil > QDateTime::currentDateTimeUtc().addSecs(86000));
    }

    void testPingShowsInDeliveries()
    {
        ApiClient admin = m_live->api();
        const QString id = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();

        const ApiReply ping = admin.post(u"/v1/webhooks/"_s + id + u":test"_s, {});

        QCOMPARE(ping.status, 202);
        const QString deliveryId = ping.json().value(u"delivery_id"_s).toString();
        const QString eventId = ping.json().value(u"event_id"_s).toString();
        QVERIFY(deliveryId.startsWith(u"dlv_"));
        QVERIFY(eventId.startsWith(u"evt_"));
        const ApiReply listed = admin.get(u"/v1/webhooks/"_s + id + u"/deliveries"_s);
        QCOMPARE(listed.status, 200);
        const QJsonArray deliveries = listed.json().value(u"deliveries"_s).toArray();
        QCOMPARE(deliveries.size(), 1);
        const QJsonObject delivery = deliveries.first().toObject();
        QCOMPARE(delivery.value(u"id"_s).toString(), deliveryId);
        QCOMPARE(delivery.value(u"event_id"_s).toString(), eventId);
        QCOMPARE(delivery.value(u"event"_s).toString(), u"webhook.test"_s);
        QCOMPARE(delivery.value(u"attempt_log"_s).toArray().size(),
                 int(delivery.value(u"attempts"_s).toInt()));
        QVERIFY(listed.json().value(u"next_cursor"_s).isNull());

        DatabaseReader reader(m_live->server());
        const QList<QJsonObject> rows = reader.deliveries(id);
        QCOMPARE(rows.size(), 1);
        const QByteArray body = rows.first().value(u"body"_s).toString().toUtf8();
        QVERIFY2(body.startsWith("{\"event\":\"webhook.test\",\"event_id\":\"" + eventId.toUtf8()
                                 + "\",\"ts\":\""),
                 body.constData());
        QVERIFY2(body.endsWith(",\"data\":{\"webhook_id\":\"" + id.toUtf8() + "\"}}"),
                 body.constData());

        // A disabled subscription gets no pings.
        QCOMPARE(admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, false}}).status, 200);
        const ApiReply refused = admin.post(u"/v1/webhooks/"_s + id + u":test"_s, {});
        QCOMPARE(refused.status, 409);
        QCOMPARE(refused.code(), u"conflict"_s);
    }

    void deliveriesArePaged()
    {
        ApiClient admin = m_live->api();
        const QString id = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QStringList made;
        for (int i = 0; i < 3; ++i)
            made << admin.post(u"/v1/webhooks/"_s + id + u":test"_s, {})
                        .json()
                        .value(u"delivery_id"_s)
                        .toString();
        const QString path = u"/v1/webhooks/"_s + id + u"/deliveries"_s;

        const ApiReply first = admin.get(path + u"?page_size=2"_s);
        QCOMPARE(first.status, 200);
        QCOMPARE(first.json().value(u"deliveries"_s).toArray().size(), 2);
        const QString cursor = first.json().value(u"next_cursor"_s).toString();
        QVERIFY(!cursor.isEmpty());
        const ApiReply second = admin.get(path + u"?page_size=2&cursor="_s + cursor);
        QCOMPARE(second.status, 200);
        QCOMPARE(second.json().value(u"deliveries"_s).toArray().size(), 1);
        QVERIFY(second.json().value(u"next_cursor"_s).isNull());
        QStringList seen;
        for (const ApiReply *page : {&first, &second}) {
            for (const QJsonValue &item : page->json().value(u"deliveries"_s).toArray())
                seen << item.toObject().value(u"id"_s).toString();
        }
        seen.sort();
        made.sort();
        QCOMPARE(seen, made);

        QString tampered = cursor;
        tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == u'A' ? u'B' : u'A';
        QCOMPARE(admin.get(path + u"?cursor="_s + tampered).code(), u"invalid_cursor"_s);
        QCOMPARE(admin.get(path + u"?page_size=0"_s).status, 400);
        // A cursor of another subscription's list is foreign here.
        const QString other
            = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + other + u"/deliveries?cursor="_s + cursor).code(),
                 u"invalid_cursor"_s);
    }

    void redeliverRequeuesFinishedDeliveries()
    {
        ApiClient admin = m_live->api();
        const QString id = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        const QString deliveryId = admin.post(u"/v1/webhooks/"_s + id + u":test"_s, {})
                                       .json()
                                       .value(u"delivery_id"_s)
                                       .toString();
        const QString path
            = u"/v1/webhooks/"_s + id + u"/deliveries/"_s + deliveryId + u":redeliver"_s;

        const ApiReply pending = admin.post(path, {});
        QCOMPARE(pending.status, 409);
        QCOMPARE(pending.code(), u"conflict"_s);

        // Disabling cancels what is pending; once enabled again it can be sent again.
        QCOMPARE(admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, false}}).status, 200);
        DatabaseReader reader(m_live->server());
        QCOMPARE(reader.deliveries(id).first().value(u"state"_s).toString(), u"cancelled"_s);
        QCOMPARE(admin.post(path, {}).status, 409);
        QCOMPARE(admin.patch(u"/v1/webhooks/"_s + id, {{u"enabled"_s, true}}).status, 200);

        const ApiReply requeued = admin.post(path, {});
        QCOMPARE(requeued.status, 202);
        QCOMPARE(requeued.json().value(u"id"_s).toString(), deliveryId);
        QCOMPARE(requeued.json().value(u"state"_s).toString(), u"pending"_s);
        QCOMPARE(reader.deliveries(id).first().value(u"state"_s).toString(), u"pending"_s);
        QCOMPARE(admin.post(path, {}).status, 409);

        // Unknown deliveries, and deliveries of another subscription, are not found.
        const QString other
            = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QCOMPARE(
            admin
                .post(u"/v1/webhooks/"_s + other + u"/deliveries/"_s + deliveryId + u":redeliver"_s,
                      {})
                .status,
            404);
        QCOMPARE(admin
                     .post(u"/v1/webhooks/"_s + id
                               + u"/deliveries/dlv_0000000000000000000000"
                                 u":redeliver"_s,
                           {})
                     .status,
                 404);
        QCOMPARE(m_live->api(u"bob"_s).post(path, {}).status, 404);
    }

    void deleteCancelsPendingDeliveries()
    {
        ApiClient admin = m_live->api();
        const QString id = subscribe(u"admin"_s, {u"meeting.started"_s}).value(u"id"_s).toString();
        QCOMPARE(admin.post(u"/v1/webhooks/"_s + id + u":test"_s, {}).status, 202);

        const ApiReply deleted = admin.del(u"/v1/webhooks/"_s + id);

        QCOMPARE(deleted.status, 204);
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + id).status, 404);
        QVERIFY(!listedIds(u"admin"_s).contains(id));
        QCOMPARE(admin.get(u"/v1/webhooks/"_s + id + u"/deliveries"_s).status, 404);
        QCOMPARE(admin.del(u"/v1/webhooks/"_s + id).status, 404);
        DatabaseReader reader(m_live->server());
        const QList<QJsonObject> rows = reader.deliveries(id);
        QCOMPARE(rows.size(), 1);
        QCOMPARE(rows.first().value(u"state"_s).toString(), u"cancelled"_s);
    }

    // The outbox: a live meeting's events become one pending delivery per receiving
    // subscription, with the bytes every attempt will send, in the event's transaction.
    void liveEventsFanOutToReceivingSubscriptions()
    {
        const QString meeting = m_live->createMeeting(false);
        QVERIFY(!meeting.isEmpty());
        ApiClient bob = m_live->api(u"bob"_s);
        const ApiReply bobsMeeting = bob.post(u"/v1/meetings"_s,
                                              {{u"topic"_s, u"Bob’s 🚒 stand-up"_s},
                                               {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                               {u"duration_minutes"_s, 30},
                                               {u"waiting_room"_s, false}});
        QCOMPARE(bobsMeeting.status, 201);
        const QString bobsMeetingId = bobsMeeting.json().value(u"id"_s).toString();

        const QString receiving
            = subscribe(u"admin"_s, {u"meeting.started"_s, u"participant.joined"_s})
                  .value(u"id"_s)
                  .toString();
        const QString otherEvents
            = subscribe(u"admin"_s, {u"meeting.ended"_s}).value(u"id"_s).toString();
        const QString member
            = subscribe(u"bob"_s, {u"participant.joined"_s}).value(u"id"_s).toString();
        const QString disabled
            = subscribe(u"admin"_s, {u"participant.joined"_s}).value(u"id"_s).toString();
        const QString deleted
            = subscribe(u"admin"_s, {u"participant.joined"_s}).value(u"id"_s).toString();
        const QString narrowed
            = subscribe(u"admin"_s, {u"participant.joined"_s}).value(u"id"_s).toString();
        for (const QString &id : {receiving, otherEvents, member, disabled, deleted, narrowed})
            QVERIFY(id.startsWith(u"wh_"));
        ApiClient admin = m_live->api();
        QCOMPARE(admin.patch(u"/v1/webhooks/"_s + disabled, {{u"enabled"_s, false}}).status, 200);
        QCOMPARE(admin.del(u"/v1/webhooks/"_s + deleted).status, 204);
        // Stored scopes without meeting.read, as a narrowed credential would leave them: the
        // API refuses to create such a subscription, so the test writes the row itself.
        {
            QSqlDatabase db = m_live->server().openDatabase(u"writer"_s, DatabaseAccess::ReadWrite);
            QVERIFY(db.isOpen());
            QSqlQuery query(db);
            query.prepare(u"UPDATE webhooks SET scopes = 'webhook.read webhook.write' "
                          "WHERE id = ?"_s);
            query.addBindValue(narrowed);
            QVERIFY(query.exec());
            query.finish();
        }
        QSqlDatabase::removeDatabase(u"writer"_s);

        QJsonObject answer;
        const auto host = m_live->join(u"admin"_s, meeting, &answer);
        QVERIFY(host);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        const auto bobHost = m_live->join(u"bob"_s, bobsMeetingId, &answer);
        QVERIFY(bobHost);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);

        // The admin's subscription hears both meetings (admins read every meeting).
        DatabaseReader reader(m_live->server());
        QTRY_COMPARE_WITH_TIMEOUT(reader.deliveries(receiving).size(), 4, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(reader.deliveries(member).size(), 1, 5000);
        QStringList types;
        for (const QJsonObject &delivery : reader.deliveries(receiving)) {
            QCOMPARE(delivery.value(u"state"_s).toString(), u"pending"_s);
            QCOMPARE(delivery.value(u"attempts"_s).toInt(), 0);
            QVERIFY(delivery.value(u"id"_s).toString().startsWith(u"dlv_"));
            QVERIFY(!delivery.value(u"event_data"_s).toString().isEmpty());
            // Queued with the event (the dispatcher may have claimed it since, which moves its
            // due time to the claim's end).
            QCOMPARE(delivery.value(u"created_at"_s).toInteger(),
                     delivery.value(u"occurred_at"_s).toInteger());
            QCOMPARE(delivery.value(u"body"_s).toString().toUtf8(), expectedBody(delivery));
            const QString about
                = QJsonDocument::fromJson(delivery.value(u"body"_s).toString().toUtf8())
                      .object()
                      .value(u"data"_s)
                      .toObject()
                      .value(u"meeting_id"_s)
                      .toString();
            if (about == meeting)
                types << delivery.value(u"event_type"_s).toString();
            else
                QCOMPARE(about, bobsMeetingId);
        }
        types.sort();
        QCOMPARE(types, (QStringList{u"meeting.started"_s, u"participant.joined"_s}));

        // The member's subscription hears only the meeting bob hosts, with its UTF-8 topic.
        const QJsonObject bobs = reader.deliveries(member).first();
        QCOMPARE(bobs.value(u"event_type"_s).toString(), u"participant.joined"_s);
        QCOMPARE(bobs.value(u"body"_s).toString().toUtf8(), expectedBody(bobs));
        QVERIFY(bobs.value(u"body"_s).toString().contains(bobsMeetingId));

        QCOMPARE(reader.deliveries(otherEvents).size(), 0);
        QCOMPARE(reader.deliveries(disabled).size(), 0);
        QCOMPARE(reader.deliveries(deleted).size(), 0);
        QCOMPARE(reader.deliveries(narrowed).size(), 0);

        // What the API shows of the same deliveries.
        const ApiReply listed = admin.get(u"/v1/webhooks/"_s + receiving + u"/deliveries"_s);
        QCOMPARE(listed.json().value(u"deliveries"_s).toArray().size(), 4);

        // Re-enabling sends new events only.
        QCOMPARE(admin.patch(u"/v1/webhooks/"_s + disabled, {{u"enabled"_s, true}}).status, 200);
        QCOMPARE(reader.deliveries(disabled).size(), 0);
        const auto carol = m_live->join(u"carol"_s, meeting, &answer);
        QVERIFY(carol);
        QTRY_COMPARE_WITH_TIMEOUT(reader.deliveries(disabled).size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(reader.deliveries(receiving).size(), 5, 5000);
        QCOMPARE(reader.deliveries(member).size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_WebhooksApi)
#include "tst_webhooks_api.moc"
