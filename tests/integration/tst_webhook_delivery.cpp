// quorumd delivers webhooks: deliveries left pending in its database go out when it starts,
// signed with the subscription's sealed secret, and /metrics counts them. The API that queues
// deliveries is tested with the subscriptions; here the rows are written between two runs.

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "WebhookReceiver.h"
#include "core/Ids.h"
#include "crypto/MasterKey.h"
#include "crypto/SecretBox.h"

#include <QMessageAuthenticationCode>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

using testing::ApiClient;
using testing::DatabaseAccess;
using testing::QuorumdProcess;

class tst_WebhookDelivery : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deliversWhatWasPendingAtStart();
};

void tst_WebhookDelivery::deliversWhatWasPendingAtStart()
{
    test::WebhookReceiver receiver;
    QVERIFY(receiver.listen());
    QuorumdProcess server(
        {u"--webhooks-allow-private-networks"_s, u"--webhook-retry-schedule"_s, u"100ms"_s});

    // A first run makes the database and the master key; the rows go in while it is down, as
    // a run that stopped with deliveries pending would have left them.
    QVERIFY2(server.start(), server.standardError().constData());
    server.stop();
    QCOMPARE(server.exitCode(), 0);
    const QByteArray secret = "whsec_integration";
    const QByteArray body
        = "{\"event\":\"meeting.started\",\"event_id\":\"evt_I\","
          "\"ts\":\"2026-05-04T09:00:00.000Z\",\"data\":{\"topic\":\"Ünïcödé 🚒\"}}";
    const QString webhook = ids::generate(u"wh");
    const QString delivery = ids::generate(u"dlv");
    {
        const auto key = crypto::masterkey::loadOrCreate(server.masterKeyFile());
        QVERIFY(key.ok());
        const crypto::SecretBox box(*key);
        QSqlDatabase db = server.openDatabase(u"rows"_s, DatabaseAccess::ReadWrite);
        QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        QVERIFY(query.exec(u"INSERT INTO workspaces (id, name, default_region, created_at) "
                           "VALUES ('ws_hooks', 'hooks', 'local', 0)"_s));
        query.prepare(u"INSERT INTO webhooks (id, workspace_id, owner_kind, owner_id, scopes, "
                      "url, events, enabled, secret_sealed, version, created_at, updated_at) "
                      "VALUES (?, 'ws_hooks', 'app', 'app_1', 'meeting:read', ?, "
                      "'[\"meeting.started\"]', 1, ?, 1, 0, 0)"_s);
        query.addBindValue(webhook);
        query.addBindValue(QString::fromLatin1(receiver.url()));
        query.addBindValue(QString::fromLatin1(
            box.seal(secret, "webhook-secret:" + webhook.toLatin1()).toBase64()));
        QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
        query.prepare(u"INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event_id, "
                      "event_type, body, state, attempts, retry_step, next_attempt_at, "
                      "created_at) VALUES (?, ?, 'ws_hooks', 'evt_I', 'meeting.started', ?, "
                      "'pending', 0, 0, 0, 0)"_s);
        query.addBindValue(delivery);
        query.addBindValue(webhook);
        query.addBindValue(QString::fromUtf8(body));
        QVERIFY2(query.exec(), qPrintable(query.lastError().text()));
    }
    QSqlDatabase::removeDatabase(u"rows"_s);

    QVERIFY2(server.start(), server.standardError().constData());

    QTRY_COMPARE_WITH_TIMEOUT(receiver.requests().size(), 1, 10000);
    const test::WebhookReceiver::Request request = receiver.requests().constFirst();
    QCOMPARE(request.body, body);
    const QByteArray t = request.header("X-Quorum-Timestamp");
    const QByteArray expected = QMessageAuthenticationCode::hash("v1:" + t + ':' + request.body,
                                                                 secret, QCryptographicHash::Sha256)
                                    .toHex();
    QCOMPARE(request.header("X-Quorum-Signature"), "t=" + t + ",v1=" + expected);

    ApiClient client(server.baseUrl());
    QTRY_VERIFY_WITH_TIMEOUT(
        client.get(u"/metrics"_s)
            .body.contains("quorum_webhook_deliveries_total{outcome=\"succeeded\"} 1\n"),
        10000);
    const QByteArray metrics = client.get(u"/metrics"_s).body;
    QVERIFY(metrics.contains("quorum_webhook_queue_depth 0\n"));
    QVERIFY(metrics.contains("quorum_webhook_first_attempt_seconds_count 1\n"));

    server.stop();
    QCOMPARE(server.exitCode(), 0);
    QCOMPARE(receiver.requests().size(), 1);
}

} // namespace quorum

QTEST_MAIN(quorum::tst_WebhookDelivery)
#include "tst_webhook_delivery.moc"
