// The webhook delivery engine end to end, in process: a migrated SQLite database in a
// temporary directory, deliveries inserted as the outbox would insert them, the dispatcher on
// its own thread, and a receiver of our own on 127.0.0.1 that records the raw requests.

#include "WebhookReceiver.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "crypto/SecretBox.h"
#include "store/Database.h"
#include "store/OutboxSignal.h"
#include "webhooks/WebhookDispatcher.h"
#include "webhooks/WebhookMetrics.h"

#include <QHostInfo>
#include <QMessageAuthenticationCode>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

using test::WebhookReceiver;

namespace {

constexpr int kWaitMs = 5000;
const QByteArray kSecret = "whsec_current-secret-for-tests";
const QByteArray kOldSecret = "whsec_previous-secret-for-tests";
// C01: emoji, typographic quotes and dashes, in literal UTF-8.
const QByteArray kBody
    = "{\"event\":\"meeting.started\",\"event_id\":\"evt_TEST\",\"ts\":\"2026-05-04T09:00:00."
      "000Z\","
      "\"data\":{\"topic\":\"Plan ✅ – Q3 “draft” 🚒\",\"display_name\":\"Zoë 🙂\"}}";

QByteArray hmacHex(const QByteArray &secret, const QByteArray &t, const QByteArray &raw)
{
    return QMessageAuthenticationCode::hash("v1:" + t + ':' + raw, secret,
                                            QCryptographicHash::Sha256)
        .toHex();
}

// The v1 values of a signature header, and its t.
QByteArray signatureTime(const QByteArray &header)
{
    return header.split(',').value(0).mid(2);
}

QList<QByteArray> signatureValues(const QByteArray &header)
{
    QList<QByteArray> values;
    for (const QByteArray &part : header.split(',')) {
        if (part.startsWith("v1="))
            values << part.mid(3);
    }
    return values;
}

} // namespace

class tst_WebhookDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void deliversAtOnceSignedOverTheRawBytes();
    void keepsTheNameInTheHostHeader();
    void signsWithBothSecretsDuringARotation();
    void retriesAFailedAttemptThenStops_data();
    void retriesAFailedAttemptThenStops();
    void signsEachAttemptAfresh();
    void failsForGoodWhenTheScheduleIsExhausted();
    void disablesASubscriptionThatKeepsFailing();
    void refusesForbiddenAddresses_data();
    void refusesForbiddenAddresses();
    void cancelsDeliveriesOfADisabledSubscription();
    void limitsAttemptsInFlight_data();
    void limitsAttemptsInFlight();
    void resumesPendingDeliveriesAfterARestart();

private:
    DispatchConfig config() const;
    std::unique_ptr<WebhookDispatcher> makeDispatcher(const DispatchConfig &config);
    QString insertWebhook(const QByteArray &url, bool enabled = true,
                          qint64 previousSecretUntil = 0);
    QString insertDelivery(const QString &webhookId, qint64 dueAt = -1, qint64 claimedUntil = 0);
    QVariantMap row(const QString &table, const QString &id);
    QList<QVariantMap> attempts(const QString &deliveryId);
    QString state(const QString &deliveryId)
    {
        return row(u"webhook_deliveries"_s, deliveryId)[u"state"_s].toString();
    }
    bool verifies(const WebhookReceiver::Request &request, const QByteArray &secret);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<crypto::SecretBox> m_box;
    std::unique_ptr<ManualClock> m_manualClock;
    SystemClock m_systemClock;
    const Clock *m_clock = &m_systemClock;
    std::unique_ptr<WebhookMetrics> m_metrics;
    std::unique_ptr<WebhookReceiver> m_receiver;
    QString m_workspace;
};

void tst_WebhookDispatcher::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    Database::Options options;
    options.sqlitePath = m_dir->filePath(u"quorum.db"_s);
    m_database = std::make_unique<Database>(options);
    QVERIFY(m_database->open().ok());
    m_box = std::make_unique<crypto::SecretBox>(QByteArray(crypto::SecretBox::KeySize, 'k'));
    m_metrics = std::make_unique<WebhookMetrics>();
    m_manualClock.reset();
    m_clock = &m_systemClock;

    m_receiver = std::make_unique<WebhookReceiver>();
    QVERIFY(m_receiver->listen());

    m_workspace = ids::generate(u"ws");
    QSqlQuery query(m_database->connection());
    query.prepare(u"INSERT INTO workspaces (id, name, default_region, created_at) "
                  "VALUES (?, 'test', 'local', 0)"_s);
    query.addBindValue(m_workspace);
    QVERIFY(query.exec());
}

void tst_WebhookDispatcher::cleanup()
{
    m_receiver.reset();
    m_database.reset();
    m_dir.reset();
}

DispatchConfig tst_WebhookDispatcher::config() const
{
    DispatchConfig config;
    config.retryWaitsMs = {100, 200, 300};
    config.timeoutMs = 1000;
    config.allowPrivateNetworks = true;
    return config;
}

std::unique_ptr<WebhookDispatcher>
tst_WebhookDispatcher::makeDispatcher(const DispatchConfig &config)
{
    auto dispatcher = std::make_unique<WebhookDispatcher>(
        DeliveryEngine::Context{*m_database, *m_clock, *m_box, *m_metrics}, config);
    dispatcher->start();
    return dispatcher;
}

QString tst_WebhookDispatcher::insertWebhook(const QByteArray &url, bool enabled,
                                             qint64 previousSecretUntil)
{
    const QString id = ids::generate(u"wh");
    const QByteArray context = "webhook-secret:" + id.toLatin1();
    QSqlQuery query(m_database->connection());
    query.prepare(u"INSERT INTO webhooks (id, workspace_id, owner_kind, owner_id, owner_user_id, "
                  "scopes, url, events, enabled, disabled_reason, secret_sealed, "
                  "previous_secret_sealed, previous_secret_until, version, created_at, "
                  "updated_at) VALUES (?, ?, 'user', 'usr_1', 'usr_1', 'meeting:read', ?, "
                  "'[\"meeting.started\"]', ?, ?, ?, ?, ?, 1, 0, 0)"_s);
    query.addBindValue(id);
    query.addBindValue(m_workspace);
    query.addBindValue(QString::fromUtf8(url));
    query.addBindValue(enabled ? 1 : 0);
    query.addBindValue(enabled ? QVariant(QMetaType::fromType<QString>()) : QVariant(u"client"_s));
    query.addBindValue(QString::fromLatin1(m_box->seal(kSecret, context).toBase64()));
    if (previousSecretUntil) {
        query.addBindValue(QString::fromLatin1(m_box->seal(kOldSecret, context).toBase64()));
        query.addBindValue(previousSecretUntil);
    } else {
        query.addBindValue(QVariant(QMetaType::fromType<QString>()));
        query.addBindValue(QVariant(QMetaType::fromType<qint64>()));
    }
    if (!query.exec())
        qWarning() << query.lastError().text();
    return id;
}

// As the outbox inserts: in a write transaction marked as having queued, so the commit wakes
// the dispatcher.
QString tst_WebhookDispatcher::insertDelivery(const QString &webhookId, qint64 dueAt,
                                              qint64 claimedUntil)
{
    const QString id = ids::generate(u"dlv");
    const qint64 now = m_clock->nowMs();
    Database::WriteTransaction transaction(*m_database);
    QSqlQuery query(transaction.db());
    query.prepare(u"INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event_id, "
                  "event_type, body, state, attempts, retry_step, next_attempt_at, "
                  "claimed_until, created_at) VALUES (?, ?, ?, 'evt_TEST', 'meeting.started', ?, "
                  "'pending', 0, 0, ?, ?, ?)"_s);
    query.addBindValue(id);
    query.addBindValue(webhookId);
    query.addBindValue(m_workspace);
    query.addBindValue(QString::fromUtf8(kBody));
    query.addBindValue(dueAt < 0 ? now : dueAt);
    query.addBindValue(claimedUntil ? QVariant(claimedUntil)
                                    : QVariant(QMetaType::fromType<qint64>()));
    query.addBindValue(now);
    if (!query.exec())
        qWarning() << query.lastError().text();
    outbox::markQueued();
    if (!transaction.commit().ok())
        qWarning() << "commit failed";
    return id;
}

QVariantMap tst_WebhookDispatcher::row(const QString &table, const QString &id)
{
    QSqlQuery query(m_database->connection());
    query.prepare(u"SELECT * FROM %1 WHERE id = ?"_s.arg(table));
    query.addBindValue(id);
    QVariantMap values;
    if (query.exec() && query.next()) {
        for (int i = 0; i < query.record().count(); ++i)
            values.insert(query.record().fieldName(i), query.value(i));
    }
    return values;
}

QList<QVariantMap> tst_WebhookDispatcher::attempts(const QString &deliveryId)
{
    QSqlQuery query(m_database->connection());
    query.prepare(u"SELECT number, attempted_at, status_code, error, latency_ms "
                  "FROM webhook_attempts WHERE delivery_id = ? ORDER BY number"_s);
    query.addBindValue(deliveryId);
    QList<QVariantMap> list;
    if (query.exec()) {
        while (query.next())
            list << QVariantMap{{u"number"_s, query.value(0)},
                                {u"attempted_at"_s, query.value(1)},
                                {u"status_code"_s, query.value(2)},
                                {u"error"_s, query.value(3)},
                                {u"latency_ms"_s, query.value(4)}};
    }
    return list;
}

bool tst_WebhookDispatcher::verifies(const WebhookReceiver::Request &request,
                                     const QByteArray &secret)
{
    const QByteArray header = request.header("X-Quorum-Signature");
    const QByteArray t = signatureTime(header);
    const QByteArray expected = hmacHex(secret, t, request.body);
    return signatureValues(header).contains(expected);
}

void tst_WebhookDispatcher::deliversAtOnceSignedOverTheRawBytes()
{
    const QString webhook = insertWebhook(m_receiver->url());
    auto dispatcher = makeDispatcher(config());

    // Inserted after the start: only the outbox's wake-up can find it (no row, no timer).
    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), 1, kWaitMs);
    const WebhookReceiver::Request request = m_receiver->requests().constFirst();
    QCOMPARE(request.method, "POST");
    QCOMPARE(request.target, "/hook");
    QCOMPARE(request.body, kBody);
    QCOMPARE(request.header("Content-Length").toLongLong(), kBody.size());
    QVERIFY(kBody.size() > QString::fromUtf8(kBody).size()); // bytes, not characters
    QCOMPARE(request.header("Content-Type"), "application/json");
    QCOMPARE(request.header("User-Agent"), "Quorum-Webhooks/1");
    QCOMPARE(request.header("X-Quorum-Event-Id"), "evt_TEST");
    QCOMPARE(request.header("X-Quorum-Delivery-Id"), delivery.toLatin1());
    QCOMPARE(request.header("Host"), "127.0.0.1:" + QByteArray::number(m_receiver->port()));
    const QByteArray signature = request.header("X-Quorum-Signature");
    QCOMPARE(signatureTime(signature), request.header("X-Quorum-Timestamp"));
    QVERIFY(
        qAbs(request.header("X-Quorum-Timestamp").toLongLong() - QDateTime::currentSecsSinceEpoch())
        <= 2);
    QCOMPARE(signatureValues(signature).size(), 1);
    QVERIFY2(verifies(request, kSecret), signature.constData());
    // The body as text round-trips to exactly the topic that was submitted.
    QVERIFY(QString::fromUtf8(request.body).contains(u"Plan ✅ – Q3 “draft” 🚒"_s));

    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"succeeded"_s, kWaitMs);
    const QVariantMap stored = row(u"webhook_deliveries"_s, delivery);
    QCOMPARE(stored[u"attempts"_s].toInt(), 1);
    QCOMPARE(stored[u"last_status"_s].toInt(), 200);
    QVERIFY(stored[u"last_error"_s].isNull());
    QVERIFY(stored[u"next_attempt_at"_s].isNull());
    QVERIFY(stored[u"claimed_until"_s].isNull());
    QVERIFY(!stored[u"completed_at"_s].isNull());
    QVERIFY(!stored[u"first_attempt_at"_s].isNull());
    const QVariantMap hook = row(u"webhooks"_s, webhook);
    QVERIFY(!hook[u"last_success_at"_s].isNull());
    QVERIFY(hook[u"failing_since"_s].isNull());
    const QList<QVariantMap> tries = attempts(delivery);
    QCOMPARE(tries.size(), 1);
    QCOMPARE(tries[0][u"status_code"_s].toInt(), 200);
    QVERIFY(tries[0][u"error"_s].isNull());

    const QByteArray metrics = dispatcher->renderMetrics();
    QVERIFY2(metrics.contains("quorum_webhook_deliveries_total{outcome=\"succeeded\"} 1\n"),
             metrics.constData());
    QVERIFY(metrics.contains("quorum_webhook_first_attempt_seconds_count 1\n"));
    QVERIFY(metrics.contains("quorum_webhook_queue_depth 0\n"));
}

void tst_WebhookDispatcher::keepsTheNameInTheHostHeader()
{
    const QHostInfo localhost = QHostInfo::fromName(u"localhost"_s);
    if (localhost.addresses().value(0) != QHostAddress(QHostAddress::LocalHost))
        QSKIP("localhost does not resolve to 127.0.0.1 first here");
    const QString webhook
        = insertWebhook("http://localhost:" + QByteArray::number(m_receiver->port()) + "/hook");
    auto dispatcher = makeDispatcher(config());

    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), 1, kWaitMs);
    QCOMPARE(m_receiver->requests()[0].header("Host"),
             "localhost:" + QByteArray::number(m_receiver->port()));
    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"succeeded"_s, kWaitMs);
}

void tst_WebhookDispatcher::signsWithBothSecretsDuringARotation()
{
    const QString rotated
        = insertWebhook(m_receiver->url("/rotated"), true, m_clock->nowMs() + 3600 * 1000);
    const QString retired = insertWebhook(m_receiver->url("/retired"), true, m_clock->nowMs() - 1);
    auto dispatcher = makeDispatcher(config());

    insertDelivery(rotated);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), 1, kWaitMs);
    insertDelivery(retired);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), 2, kWaitMs);

    const WebhookReceiver::Request during = m_receiver->requests()[0];
    QCOMPARE(signatureValues(during.header("X-Quorum-Signature")).size(), 2);
    QVERIFY(verifies(during, kSecret));
    QVERIFY(verifies(during, kOldSecret));
    const WebhookReceiver::Request after = m_receiver->requests()[1];
    QCOMPARE(signatureValues(after.header("X-Quorum-Signature")).size(), 1);
    QVERIFY(verifies(after, kSecret));
    QVERIFY(!verifies(after, kOldSecret));
}

void tst_WebhookDispatcher::retriesAFailedAttemptThenStops_data()
{
    QTest::addColumn<int>("firstStatus"); // 0: the receiver never answers; -1: nobody listens
    QTest::addColumn<QVariant>("firstRecordedStatus");
    QTest::addColumn<QString>("firstError");

    QTest::newRow("a 500 is retried") << 500 << QVariant(500) << u"http_status"_s;
    QTest::newRow("a 302 is not followed but retried") << 302 << QVariant(302) << u"http_status"_s;
    QTest::newRow("a 404 is retried") << 404 << QVariant(404) << u"http_status"_s;
    QTest::newRow("a receiver that never answers times out and is retried")
        << 0 << QVariant() << u"timeout"_s;
    QTest::newRow("a refused connection is retried") << -1 << QVariant() << u"connection_refused"_s;
}

void tst_WebhookDispatcher::retriesAFailedAttemptThenStops()
{
    QFETCH(int, firstStatus);
    QFETCH(QVariant, firstRecordedStatus);
    QFETCH(QString, firstError);

    QByteArray url = m_receiver->url();
    if (firstStatus < 0) {
        // A port that was free a moment ago: nothing listens there.
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost, 0));
        url = "http://127.0.0.1:" + QByteArray::number(closed.serverPort()) + "/hook";
    } else {
        m_receiver->queueAnswers({{firstStatus, 0}});
    }
    const QString webhook = insertWebhook(url);
    DispatchConfig settings = config();
    settings.timeoutMs = 300;
    auto dispatcher = makeDispatcher(settings);

    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 1, kWaitMs);
    const QVariantMap first = attempts(delivery)[0];
    QCOMPARE(first[u"error"_s].toString(), firstError);
    QCOMPARE(first[u"status_code"_s].isNull(), !firstRecordedStatus.isValid());
    if (firstRecordedStatus.isValid())
        QCOMPARE(first[u"status_code"_s].toInt(), firstRecordedStatus.toInt());
    QVERIFY(!row(u"webhooks"_s, webhook)[u"failing_since"_s].isNull());

    if (firstStatus < 0) {
        // Nobody will ever answer: the schedule runs out (see the exhaustion test).
        QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"failed"_s, kWaitMs);
        QCOMPARE(attempts(delivery).size(), 4);
        return;
    }

    // The second attempt succeeds, and nothing more is sent.
    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"succeeded"_s, kWaitMs);
    QCOMPARE(attempts(delivery).size(), 2);
    QCOMPARE(attempts(delivery)[1][u"status_code"_s].toInt(), 200);
    QCOMPARE(m_receiver->requests().size(), 2);
    for (const WebhookReceiver::Request &request : m_receiver->requests()) {
        QCOMPARE(request.target, "/hook"); // a redirect's Location is never requested
        QCOMPARE(request.body, kBody);
        QVERIFY(verifies(request, kSecret));
    }
    const QVariantMap hook = row(u"webhooks"_s, webhook);
    QVERIFY(hook[u"failing_since"_s].isNull());
    QVERIFY(!hook[u"last_success_at"_s].isNull());
    // The retry waited for the schedule's first wait at least.
    QVERIFY(attempts(delivery)[1][u"attempted_at"_s].toLongLong()
                - attempts(delivery)[0][u"attempted_at"_s].toLongLong()
            >= 100);
}

void tst_WebhookDispatcher::signsEachAttemptAfresh()
{
    m_manualClock = std::make_unique<ManualClock>(QDateTime::currentDateTimeUtc());
    m_clock = m_manualClock.get();
    m_receiver->queueAnswers({{500, 0}});
    const QString webhook = insertWebhook(m_receiver->url());
    DispatchConfig settings = config();
    settings.retryWaitsMs = {2000};
    auto dispatcher = makeDispatcher(settings);

    const QString delivery = insertDelivery(webhook);
    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 1, kWaitMs);
    QCOMPARE(row(u"webhook_deliveries"_s, delivery)[u"next_attempt_at"_s].toLongLong(),
             m_manualClock->nowMs() + 2000);
    m_manualClock->advance(2000);
    dispatcher->wake();

    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"succeeded"_s, kWaitMs);
    QCOMPARE(m_receiver->requests().size(), 2);
    const WebhookReceiver::Request first = m_receiver->requests()[0];
    const WebhookReceiver::Request second = m_receiver->requests()[1];
    QCOMPARE(second.body, first.body);
    QCOMPARE(second.header("X-Quorum-Timestamp").toLongLong(),
             first.header("X-Quorum-Timestamp").toLongLong() + 2);
    QVERIFY(second.header("X-Quorum-Signature") != first.header("X-Quorum-Signature"));
    QVERIFY(verifies(first, kSecret));
    QVERIFY(verifies(second, kSecret));
}

void tst_WebhookDispatcher::failsForGoodWhenTheScheduleIsExhausted()
{
    m_receiver->setDefaultAnswer({500, 0});
    const QString webhook = insertWebhook(m_receiver->url());
    auto dispatcher = makeDispatcher(config());

    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"failed"_s, kWaitMs);
    const QVariantMap stored = row(u"webhook_deliveries"_s, delivery);
    QCOMPARE(stored[u"attempts"_s].toInt(), 4); // the first and three retries
    QCOMPARE(stored[u"retry_step"_s].toInt(), 3);
    QCOMPARE(stored[u"last_status"_s].toInt(), 500);
    QCOMPARE(stored[u"last_error"_s].toString(), u"http_status"_s);
    QVERIFY(stored[u"next_attempt_at"_s].isNull());
    QVERIFY(!stored[u"completed_at"_s].isNull());
    QCOMPARE(attempts(delivery).size(), 4);
    QCOMPARE(m_receiver->requests().size(), 4);
    // A failed delivery leaves the subscription enabled (within the disabled period).
    QCOMPARE(row(u"webhooks"_s, webhook)[u"enabled"_s].toInt(), 1);
    const QByteArray metrics = dispatcher->renderMetrics();
    QVERIFY(metrics.contains("quorum_webhook_deliveries_total{outcome=\"retried\"} 3\n"));
    QVERIFY(metrics.contains("quorum_webhook_deliveries_total{outcome=\"failed\"} 1\n"));
}

void tst_WebhookDispatcher::disablesASubscriptionThatKeepsFailing()
{
    m_manualClock = std::make_unique<ManualClock>(QDateTime::currentDateTimeUtc());
    m_clock = m_manualClock.get();
    m_receiver->setDefaultAnswer({503, 0});
    const QString webhook = insertWebhook(m_receiver->url());
    DispatchConfig settings = config();
    settings.retryWaitsMs = {5000, 5000, 5000, 5000};
    settings.disabledAfterMs = 10000;
    auto dispatcher = makeDispatcher(settings);
    const qint64 start = m_manualClock->nowMs();
    const QString later = insertDelivery(webhook, start + 3600 * 1000);

    const QString delivery = insertDelivery(webhook);
    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 1, kWaitMs);
    QCOMPARE(row(u"webhooks"_s, webhook)[u"failing_since"_s].toLongLong(), start);

    // Failing, but not for the disabled period yet: degraded at most, deliveries go on.
    m_manualClock->advance(5000);
    dispatcher->wake();
    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 2, kWaitMs);
    QCOMPARE(row(u"webhooks"_s, webhook)[u"enabled"_s].toInt(), 1);
    QCOMPARE(row(u"webhooks"_s, webhook)[u"failing_since"_s].toLongLong(), start);

    m_manualClock->advance(5000);
    dispatcher->wake();
    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 3, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"cancelled"_s, kWaitMs);

    const QVariantMap hook = row(u"webhooks"_s, webhook);
    QCOMPARE(hook[u"enabled"_s].toInt(), 0);
    QCOMPARE(hook[u"disabled_reason"_s].toString(), u"failing"_s);
    QCOMPARE(hook[u"version"_s].toLongLong(), 2);
    QCOMPARE(state(later), u"cancelled"_s);
    QSqlQuery audit(m_database->connection());
    audit.prepare(u"SELECT action, workspace_id, detail FROM audit_log WHERE target_id = ?"_s);
    audit.addBindValue(webhook);
    QVERIFY(audit.exec());
    QVERIFY(audit.next());
    QCOMPARE(audit.value(0).toString(), u"webhook.disabled"_s);
    QCOMPARE(audit.value(1).toString(), m_workspace);
    QVERIFY(audit.value(2).toString().contains(u"failing"_s));
    QVERIFY(!audit.next());

    // Nothing more goes out, whatever the clock says.
    m_manualClock->advance(3600 * 1000);
    dispatcher->wake();
    const QString afterDisable = insertDelivery(webhook);
    QTRY_COMPARE_WITH_TIMEOUT(state(afterDisable), u"cancelled"_s, kWaitMs);
    QCOMPARE(m_receiver->requests().size(), 3);
}

void tst_WebhookDispatcher::refusesForbiddenAddresses_data()
{
    QTest::addColumn<QByteArray>("host");

    QTest::newRow("a name that resolves to loopback") << "localhost"_ba;
    QTest::newRow("a literal loopback address") << "127.0.0.1"_ba;
}

void tst_WebhookDispatcher::refusesForbiddenAddresses()
{
    QFETCH(QByteArray, host);

    const QString webhook
        = insertWebhook("http://" + host + ':' + QByteArray::number(m_receiver->port()) + "/hook");
    DispatchConfig settings = config();
    settings.allowPrivateNetworks = false;
    auto dispatcher = makeDispatcher(settings);

    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(attempts(delivery).size(), 1, kWaitMs);
    const QVariantMap first = attempts(delivery)[0];
    QVERIFY2(first[u"error"_s].toString().startsWith(u"forbidden_address: "_s),
             qPrintable(first[u"error"_s].toString()));
    QVERIFY(first[u"status_code"_s].isNull());
    // Refused like any failure: retried by the schedule, never sent.
    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"failed"_s, kWaitMs);
    QCOMPARE(m_receiver->requests().size(), 0);
}

void tst_WebhookDispatcher::cancelsDeliveriesOfADisabledSubscription()
{
    const QString webhook = insertWebhook(m_receiver->url(), false);
    auto dispatcher = makeDispatcher(config());

    const QString delivery = insertDelivery(webhook);

    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"cancelled"_s, kWaitMs);
    QCOMPARE(attempts(delivery).size(), 0);
    QCOMPARE(m_receiver->requests().size(), 0);
    QVERIFY(dispatcher->renderMetrics().contains(
        "quorum_webhook_deliveries_total{outcome=\"cancelled\"} 1\n"));
}

void tst_WebhookDispatcher::limitsAttemptsInFlight_data()
{
    QTest::addColumn<int>("perSubscription");
    QTest::addColumn<int>("inAll");
    QTest::addColumn<int>("expected");

    QTest::newRow("two per subscription hold back the busy one's other three") << 2 << 64 << 4;
    QTest::newRow("three in all hold back the rest") << 10 << 3 << 3;
}

void tst_WebhookDispatcher::limitsAttemptsInFlight()
{
    QFETCH(int, perSubscription);
    QFETCH(int, inAll);
    QFETCH(int, expected);

    m_receiver->setDefaultAnswer({0, 0}); // hold every request
    const QString busy = insertWebhook(m_receiver->url("/busy"));
    const QString other = insertWebhook(m_receiver->url("/other"));
    DispatchConfig settings = config();
    settings.maxInFlightPerSubscription = perSubscription;
    settings.maxInFlight = inAll;
    settings.timeoutMs = 60 * 1000;
    for (int i = 0; i < 5; ++i)
        insertDelivery(busy);
    insertDelivery(other);
    insertDelivery(other);

    auto dispatcher = makeDispatcher(settings);

    // The claims are made in one round, before any request goes out.
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), expected, kWaitMs);
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec(u"SELECT webhook_id, COUNT(*) FROM webhook_deliveries "
                       "WHERE claimed_until IS NOT NULL GROUP BY webhook_id"_s));
    QHash<QString, int> claimed;
    while (query.next())
        claimed[query.value(0).toString()] = query.value(1).toInt();
    QCOMPARE(claimed.value(busy) + claimed.value(other), expected);
    QVERIFY(claimed.value(busy) <= perSubscription);
    QVERIFY(claimed.value(other) <= perSubscription);
    QVERIFY(dispatcher->renderMetrics().contains("quorum_webhook_queue_depth 7\n"));
}

void tst_WebhookDispatcher::resumesPendingDeliveriesAfterARestart()
{
    m_receiver->queueAnswers({{0, 0}}); // the first request is never answered
    const QString webhook = insertWebhook(m_receiver->url());
    DispatchConfig settings = config();
    settings.timeoutMs = 60 * 1000;
    auto dispatcher = makeDispatcher(settings);
    const QString delivery = insertDelivery(webhook);
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->requests().size(), 1, kWaitMs);
    // A claim of another process that stopped while it held it.
    const QString orphan = insertDelivery(webhook, -1, m_clock->nowMs() + 3600 * 1000);

    dispatcher->stop();
    dispatcher.reset();
    QCOMPARE(state(delivery), u"pending"_s);
    QCOMPARE(attempts(delivery).size(), 0); // dropped unrecorded, so made again

    dispatcher = makeDispatcher(settings);

    QTRY_COMPARE_WITH_TIMEOUT(state(delivery), u"succeeded"_s, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(state(orphan), u"succeeded"_s, kWaitMs);
    QCOMPARE(attempts(delivery).size(), 1);
    QCOMPARE(m_receiver->requests().size(), 3);
}

} // namespace quorum

QTEST_MAIN(quorum::tst_WebhookDispatcher)
#include "tst_webhookdispatcher.moc"
