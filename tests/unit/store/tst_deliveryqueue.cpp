// DeliveryQueue's claims and records on a migrated SQLite database, with every instant given
// by the test.

#include "core/Ids.h"
#include "store/Database.h"
#include "store/DeliveryQueue.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

constexpr qint64 kStart = 1'800'000'000'000;
constexpr qint64 kLease = 60'000;

} // namespace

class tst_DeliveryQueue : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void claimsOnlyDueUnclaimedDeliveries();
    void nextDueAtCountsClaimsFromTheirEnd();
    void followsTheScheduleThenFails_data();
    void followsTheScheduleThenFails();
    void keepsADeliveryCancelledInFlight();
    void releasesClaimsAtStart();

private:
    QString insertDelivery(qint64 dueAt);
    QString stateOf(const QString &id);
    qint64 nextAttemptOf(const QString &id);
    DeliveryQueue queue() { return DeliveryQueue(*m_database, {{100, 200}, 10'000, kLease}); }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
    QString m_webhook;
};

void tst_DeliveryQueue::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    Database::Options options;
    options.sqlitePath = m_dir->filePath(u"quorum.db"_s);
    m_database = std::make_unique<Database>(options);
    QVERIFY(m_database->open().ok());
    m_webhook = ids::generate(u"wh");
    QSqlQuery query(m_database->connection());
    QVERIFY(query.exec(u"INSERT INTO workspaces (id, name, default_region, created_at) "
                       "VALUES ('ws_1', 'one', 'local', 0)"_s));
    query.prepare(u"INSERT INTO webhooks (id, workspace_id, owner_kind, owner_id, scopes, url, "
                  "events, enabled, secret_sealed, version, created_at, updated_at) VALUES "
                  "(?, 'ws_1', 'app', 'app_1', '', 'https://example.invalid/', '[]', 1, '', 1, "
                  "0, 0)"_s);
    query.addBindValue(m_webhook);
    QVERIFY(query.exec());
}

void tst_DeliveryQueue::cleanup()
{
    m_database.reset();
    m_dir.reset();
}

QString tst_DeliveryQueue::insertDelivery(qint64 dueAt)
{
    const QString id = ids::generate(u"dlv");
    QSqlQuery query(m_database->connection());
    query.prepare(u"INSERT INTO webhook_deliveries (id, webhook_id, workspace_id, event_id, "
                  "event_type, body, state, attempts, retry_step, next_attempt_at, created_at) "
                  "VALUES (?, ?, 'ws_1', 'evt_1', 'meeting.started', '{}', 'pending', 0, 0, ?, "
                  "?)"_s);
    query.addBindValue(id);
    query.addBindValue(m_webhook);
    query.addBindValue(dueAt);
    query.addBindValue(kStart);
    if (!query.exec())
        qWarning("insert failed");
    return id;
}

QString tst_DeliveryQueue::stateOf(const QString &id)
{
    QSqlQuery query(m_database->connection());
    query.prepare(u"SELECT state FROM webhook_deliveries WHERE id = ?"_s);
    query.addBindValue(id);
    return query.exec() && query.next() ? query.value(0).toString() : QString();
}

qint64 tst_DeliveryQueue::nextAttemptOf(const QString &id)
{
    QSqlQuery query(m_database->connection());
    query.prepare(u"SELECT next_attempt_at FROM webhook_deliveries WHERE id = ?"_s);
    query.addBindValue(id);
    return query.exec() && query.next() && !query.value(0).isNull() ? query.value(0).toLongLong()
                                                                    : -1;
}

void tst_DeliveryQueue::claimsOnlyDueUnclaimedDeliveries()
{
    const QString due = insertDelivery(kStart);
    insertDelivery(kStart + 5000);
    DeliveryQueue deliveries = queue();

    const auto first = deliveries.claimDue(kStart, 10, {}, 4);
    const auto again = deliveries.claimDue(kStart + 1, 10, {}, 4);
    const auto afterLease = deliveries.claimDue(kStart + kLease, 10, {}, 4);

    QVERIFY(first.ok() && again.ok() && afterLease.ok());
    QCOMPARE(first->deliveries.size(), 1);
    QCOMPARE(first->deliveries[0].id, due);
    QCOMPARE(first->deliveries[0].body, "{}");
    QCOMPARE(again->deliveries.size(), 0); // under its claim
    // The claim ran out: due again, along with the later one, now due too.
    QCOMPARE(afterLease->deliveries.size(), 2);
}

void tst_DeliveryQueue::nextDueAtCountsClaimsFromTheirEnd()
{
    DeliveryQueue deliveries = queue();
    QCOMPARE(*deliveries.nextDueAt(), std::nullopt);

    insertDelivery(kStart);
    QCOMPARE(*deliveries.nextDueAt(), std::optional<qint64>(kStart));
    QVERIFY(deliveries.claimDue(kStart, 1, {}, 4).ok());
    QCOMPARE(*deliveries.nextDueAt(), std::optional<qint64>(kStart + kLease));

    insertDelivery(kStart + 5000);
    QCOMPARE(*deliveries.nextDueAt(), std::optional<qint64>(kStart + 5000));
    // Once the claim has run out (its process died) the delivery is claimed again.
    QCOMPARE(deliveries.claimDue(kStart + 2 * kLease, 2, {}, 4)->deliveries.size(), 2);
}

void tst_DeliveryQueue::followsTheScheduleThenFails_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<QString>("state");
    QTest::addColumn<qint64>("nextAttempt");

    QTest::newRow("the first failure waits the first wait") << 1 << u"pending"_s << qint64(100);
    QTest::newRow("the second failure waits the second wait") << 2 << u"pending"_s << qint64(200);
    QTest::newRow("a failure past the schedule fails for good") << 3 << u"failed"_s << qint64(-1);
}

void tst_DeliveryQueue::followsTheScheduleThenFails()
{
    QFETCH(int, failures);
    QFETCH(QString, state);
    QFETCH(qint64, nextAttempt);

    const QString id = insertDelivery(kStart);
    DeliveryQueue deliveries = queue();
    qint64 now = kStart;
    DeliveryVerdict verdict = DeliveryVerdict::Succeeded;
    for (int i = 0; i < failures; ++i) {
        now = std::max(now, nextAttemptOf(id));
        const auto batch = deliveries.claimDue(now, 1, {}, 4);
        QVERIFY(batch.ok());
        QCOMPARE(batch->deliveries.size(), 1);
        verdict = *deliveries.recordAttempt(batch->deliveries[0],
                                            AttemptOutcome{now, now + 10, 500, u"http_status"_s});
        now += 10;
    }

    QCOMPARE(stateOf(id), state);
    QCOMPARE(nextAttemptOf(id), nextAttempt < 0 ? -1 : now + nextAttempt);
    QCOMPARE(verdict, nextAttempt < 0 ? DeliveryVerdict::Failed : DeliveryVerdict::Retried);
}

void tst_DeliveryQueue::keepsADeliveryCancelledInFlight()
{
    const QString id = insertDelivery(kStart);
    DeliveryQueue deliveries = queue();
    const auto batch = deliveries.claimDue(kStart, 1, {}, 4);
    QVERIFY(batch.ok());
    QSqlQuery cancel(m_database->connection());
    QVERIFY(cancel.exec(u"UPDATE webhook_deliveries SET state = 'cancelled'"_s));

    const auto verdict = deliveries.recordAttempt(batch->deliveries[0],
                                                  AttemptOutcome{kStart, kStart + 5, 200, {}});

    QCOMPARE(*verdict, DeliveryVerdict::Cancelled);
    QCOMPARE(stateOf(id), u"cancelled"_s);
    QSqlQuery attempts(m_database->connection());
    QVERIFY(attempts.exec(u"SELECT COUNT(*) FROM webhook_attempts"_s) && attempts.next());
    QCOMPARE(attempts.value(0).toInt(), 1); // the attempt happened, so it is on record
}

void tst_DeliveryQueue::releasesClaimsAtStart()
{
    insertDelivery(kStart);
    DeliveryQueue deliveries = queue();
    QVERIFY(deliveries.claimDue(kStart, 1, {}, 4).ok());

    QCOMPARE(*deliveries.releaseClaims(), 1);

    QCOMPARE(deliveries.claimDue(kStart, 1, {}, 4)->deliveries.size(), 1);
}

} // namespace quorum

QTEST_GUILESS_MAIN(quorum::tst_DeliveryQueue)
#include "tst_deliveryqueue.moc"
