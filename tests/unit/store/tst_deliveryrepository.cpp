// The outbox fan-out (DeliveryRepository::queueEvent through EventRepository::append): which
// subscriptions an event is queued for, and the exact bytes each delivery will send.

#include "crypto/SecretBox.h"
#include "store/Database.h"
#include "store/DeliveryRepository.h"
#include "store/EventRepository.h"
#include "store/WebhookRepository.h"

#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_DeliveryRepository : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 kNow = 1777885200000; // 2026-05-04T09:00:00Z

    bool exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(m_database->connection());
        query.prepare(sql);
        for (const QVariant &value : values)
            query.addBindValue(value);
        const bool ok = query.exec();
        if (!ok)
            qWarning() << sql << query.lastError().text();
        return ok;
    }

    bool addUser(const QString &id, const QString &role, bool disabled = false,
                 const QString &workspace = u"wsp_a"_s)
    {
        return exec(u"INSERT INTO users (id, workspace_id, name, role, disabled, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)"_s,
                    {id, workspace, id, role, disabled ? 1 : 0, kNow});
    }

    // A subscription row as the API would write it.
    QString subscribe(const QString &ownerUserId, const QStringList &events,
                      const QStringList &scopes, bool enabled = true,
                      const QString &workspace = u"wsp_a"_s)
    {
        static int counter = 0;
        Webhook webhook;
        webhook.id = u"wh_%1"_s.arg(++counter);
        webhook.workspaceId = workspace;
        webhook.ownerKind = ownerUserId.isEmpty() ? u"app"_s : u"user"_s;
        webhook.ownerId = ownerUserId.isEmpty() ? u"client_1"_s : ownerUserId;
        webhook.ownerUserId = ownerUserId;
        webhook.scopes = scopes;
        webhook.url = u"https://hooks.example.com/h"_s;
        webhook.events = events;
        webhook.enabled = enabled;
        webhook.disabledReason = enabled ? QString() : u"client"_s;
        webhook.secretSealed = WebhookRepository::sealSecret(*m_box, webhook.id, u"whsec_x"_s);
        webhook.createdAt = QDateTime::fromMSecsSinceEpoch(kNow, Qt::UTC);
        webhook.updatedAt = webhook.createdAt;
        if (!WebhookRepository(m_database->connection(), *m_box).insert(webhook))
            return {};
        return webhook.id;
    }

    int deliveriesOf(const QString &webhookId)
    {
        QSqlQuery query(m_database->connection());
        query.prepare(u"SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?"_s);
        query.addBindValue(webhookId);
        return query.exec() && query.next() ? query.value(0).toInt() : -1;
    }

    StoredEvent append(const QString &type, const QJsonObject &data = {})
    {
        Database::WriteTransaction transaction(*m_database);
        auto event = EventRepository(transaction.db())
                         .append(u"wsp_a"_s, u"mtg_1"_s, type,
                                 QDateTime::fromMSecsSinceEpoch(kNow, Qt::UTC), data);
        if (!event || !transaction.commit())
            return {};
        return *event;
    }

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<crypto::SecretBox> m_box;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        // A fresh database file for every test function and row.
        static int files = 0;
        Database::Options options;
        options.sqlitePath = m_dir.filePath(u"q%1.db"_s.arg(++files));
        m_database = std::make_unique<Database>(options);
        QVERIFY(m_database->open());
        m_box = std::make_unique<crypto::SecretBox>(QByteArray(32, 'k'));

        QVERIFY(exec(u"INSERT INTO workspaces (id, name, default_region, created_at) "
                     "VALUES ('wsp_a', 'a', 'local', 0), ('wsp_b', 'b', 'local', 0)"_s));
        QVERIFY(addUser(u"usr_admin"_s, u"admin"_s));
        QVERIFY(addUser(u"usr_owner"_s, u"owner"_s));
        QVERIFY(addUser(u"usr_host"_s, u"member"_s));
        QVERIFY(addUser(u"usr_cohost"_s, u"member"_s));
        QVERIFY(addUser(u"usr_other"_s, u"member"_s));
        QVERIFY(addUser(u"usr_gone"_s, u"admin"_s, true));
        QVERIFY(addUser(u"usr_elsewhere"_s, u"admin"_s, false, u"wsp_b"_s));
        QVERIFY(exec(u"INSERT INTO meetings (id, workspace_id, host_id, topic, start_time, "
                     "timezone, duration_minutes, waiting_room, auto_recording, mute_upon_entry, "
                     "allow_join_before_host, state, version, created_at, updated_at) VALUES "
                     "('mtg_1', 'wsp_a', 'usr_host', 't', 0, 'UTC', 30, 0, 'none', 0, 0, 'LIVE', "
                     "1, 0, 0)"_s));
        QVERIFY(exec(u"INSERT INTO meeting_cohosts (meeting_id, user_id) "
                     "VALUES ('mtg_1', 'usr_cohost')"_s));
    }

    void cleanup() { m_database.reset(); }

    void receivers_data()
    {
        QTest::addColumn<QString>("owner");
        QTest::addColumn<QStringList>("events");
        QTest::addColumn<QStringList>("scopes");
        QTest::addColumn<bool>("enabled");
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("queued");

        const QStringList read{u"meeting.read"_s, u"recording.read"_s, u"webhook.write"_s};
        const QStringList joined{u"participant.joined"_s};
        const QString event = u"participant.joined"_s;
        QTest::newRow("an admin's subscription receives any meeting's event")
            << u"usr_admin"_s << joined << read << true << event << 1;
        QTest::newRow("an owner's subscription receives any meeting's event")
            << u"usr_owner"_s << joined << read << true << event << 1;
        QTest::newRow("an app acting for the workspace receives every event")
            << QString() << joined << read << true << event << 1;
        QTest::newRow("the host's subscription receives the meeting's events")
            << u"usr_host"_s << joined << read << true << event << 1;
        QTest::newRow("a co-host's subscription receives the meeting's events")
            << u"usr_cohost"_s << joined << read << true << event << 1;
        QTest::newRow("another member's subscription receives nothing")
            << u"usr_other"_s << joined << read << true << event << 0;
        QTest::newRow("a disabled user's subscription receives nothing")
            << u"usr_gone"_s << joined << read << true << event << 0;
        QTest::newRow("a disabled subscription receives nothing")
            << u"usr_admin"_s << joined << read << false << event << 0;
        QTest::newRow("a subscription to other events receives nothing")
            << u"usr_admin"_s << QStringList{u"participant.left"_s} << read << true << event << 0;
        QTest::newRow("an event name that is a prefix of another does not match")
            << u"usr_admin"_s << QStringList{u"meeting.started"_s} << read << true
            << u"meeting.start"_s << 0;
        QTest::newRow("participant events need meeting.read")
            << u"usr_admin"_s << joined << QStringList{u"recording.read"_s} << true << event << 0;
        QTest::newRow("a scope that only starts like meeting.read does not count")
            << u"usr_admin"_s << joined << QStringList{u"meeting.readonly"_s} << true << event << 0;
        QTest::newRow("recording events need recording.read")
            << u"usr_admin"_s << QStringList{u"recording.completed"_s}
            << QStringList{u"meeting.read"_s} << true << u"recording.completed"_s << 0;
        QTest::newRow("recording events go to holders of recording.read")
            << u"usr_admin"_s << QStringList{u"recording.completed"_s} << read << true
            << u"recording.completed"_s << 1;
        QTest::newRow("webhook.test is never fanned out")
            << u"usr_admin"_s << QStringList{u"webhook.test"_s} << read << true << u"webhook.test"_s
            << 0;
    }

    void receivers()
    {
        QFETCH(QString, owner);
        QFETCH(QStringList, events);
        QFETCH(QStringList, scopes);
        QFETCH(bool, enabled);
        QFETCH(QString, type);
        QFETCH(int, queued);
        const QString id = subscribe(owner, events, scopes, enabled);
        QVERIFY(!id.isEmpty());
        // Another workspace's admin never hears of this workspace's meetings.
        const QString elsewhere = subscribe(u"usr_elsewhere"_s, events, scopes, true, u"wsp_b"_s);

        QVERIFY(!append(type).id.isEmpty());

        QCOMPARE(deliveriesOf(id), queued);
        QCOMPARE(deliveriesOf(elsewhere), 0);
    }

    void bodyIsTheExactUtf8Bytes()
    {
        const QString id = subscribe(u"usr_host"_s, {u"meeting.started"_s}, {u"meeting.read"_s});
        const QJsonObject data{{u"topic"_s, u"Plan ✅ – Q3 “draft” 🚒"_s}};

        const StoredEvent event = append(u"meeting.started"_s, data);

        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(u"SELECT body, state, next_attempt_at, created_at, attempts, "
                           "retry_step, event_id, event_type, workspace_id "
                           "FROM webhook_deliveries WHERE webhook_id = '%1'"_s.arg(id)));
        QVERIFY(query.next());
        const QByteArray body = query.value(0).toString().toUtf8();
        const QByteArray expected = "{\"event\":\"meeting.started\",\"event_id\":\""
            + event.id.toUtf8() + "\",\"ts\":\"2026-05-04T09:00:00.000Z\",\"data\":"
            + QJsonDocument(event.data).toJson(QJsonDocument::Compact) + '}';
        QCOMPARE(body, expected);
        QVERIFY(body.contains("Plan \xe2\x9c\x85 \xe2\x80\x93 Q3 \xe2\x80\x9c"
                              "draft\xe2\x80\x9d \xf0\x9f\x9a\x92"));
        QCOMPARE(query.value(1).toString(), u"pending"_s);
        QCOMPARE(query.value(2).toLongLong(), kNow);
        QCOMPARE(query.value(3).toLongLong(), kNow);
        QCOMPARE(query.value(4).toInt(), 0);
        QCOMPARE(query.value(5).toInt(), 0);
        QCOMPARE(query.value(6).toString(), event.id);
        QCOMPARE(query.value(7).toString(), u"meeting.started"_s);
        QCOMPARE(query.value(8).toString(), u"wsp_a"_s);
    }

    void requeueAndCancel()
    {
        const QString id = subscribe(u"usr_admin"_s, {u"meeting.ended"_s}, {u"meeting.read"_s});
        append(u"meeting.ended"_s);
        QSqlQuery query(m_database->connection());
        QVERIFY(query.exec(u"SELECT id FROM webhook_deliveries WHERE webhook_id = '%1'"_s.arg(id)));
        QVERIFY(query.next());
        const QString deliveryId = query.value(0).toString();
        query.finish();
        const QDateTime later = QDateTime::fromMSecsSinceEpoch(kNow + 5000, Qt::UTC);

        {
            Database::WriteTransaction transaction(*m_database);
            DeliveryRepository deliveries(transaction.db());
            QCOMPARE(deliveries.requeue(deliveryId, later).error().code, ErrorCode::Conflict);
            QCOMPARE(*deliveries.cancelPending(id, later), 1);
            QCOMPARE(*deliveries.cancelPending(id, later), 0);
            QVERIFY(deliveries.requeue(deliveryId, later));
            QVERIFY(transaction.commit());
        }

        const auto delivery = DeliveryRepository(m_database->connection()).byId(deliveryId);
        QVERIFY(delivery);
        QCOMPARE(delivery->state, u"pending"_s);
        QCOMPARE(delivery->nextAttemptAt.toMSecsSinceEpoch(), kNow + 5000);
        QVERIFY(!delivery->completedAt.isValid());
    }

    void secretsOpenOnlyForTheirSubscription()
    {
        const QByteArray sealed = WebhookRepository::sealSecret(*m_box, u"wh_a"_s, u"whsec_s"_s);

        QCOMPARE(WebhookRepository::openSecret(*m_box, u"wh_a"_s, sealed), u"whsec_s"_s);
        QVERIFY(!WebhookRepository::openSecret(*m_box, u"wh_b"_s, sealed));
        QVERIFY(!sealed.contains("whsec_s"));
    }
};

QTEST_GUILESS_MAIN(tst_DeliveryRepository)
#include "tst_deliveryrepository.moc"
