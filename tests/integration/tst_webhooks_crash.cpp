// Crash safety of webhook delivery (issue 4): quorumd is killed with SIGKILL at random moments
// while meetings start and end and their events are delivered, and restarted on the same data
// directory each time. In the end every event row of the database has reached the receiver at
// least once, every copy of an event carries the same event id and bytes, and every request
// is signed with the subscription's secret.

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "SignalClient.h"
#include "WebhookReceiver.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimer>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;
using Receiver = quorum::test::WebhookReceiver;

namespace {

constexpr int kKills = 5;

// Event ids in the database, and deliveries still pending, read-only from quorumd's database.
struct DatabaseState
{
    QSet<QByteArray> eventIds;
    int pending = -1;
};

DatabaseState readState(const QuorumdProcess &server)
{
    DatabaseState state;
    const QString name = u"crash-reader"_s;
    {
        QSqlDatabase db = server.openDatabase(name);
        if (db.isOpen()) {
            QSqlQuery query(db);
            if (query.exec(u"SELECT id FROM events"_s)) {
                while (query.next())
                    state.eventIds.insert(query.value(0).toString().toLatin1());
            }
            if (query.exec(u"SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'"_s)
                && query.next())
                state.pending = query.value(0).toInt();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return state;
}

} // namespace

class tst_WebhooksCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyEventArrivesAtLeastOnceAcrossKills();
};

void tst_WebhooksCrash::everyEventArrivesAtLeastOnceAcrossKills()
{
    Receiver receiver;
    QVERIFY(receiver.listen());
    QuorumdProcess server({u"--webhooks-allow-private-networks"_s, u"--rate-limits"_s, u"off"_s,
                           u"--webhook-retry-schedule"_s, u"200ms,200ms,200ms,200ms,200ms,1s,1s"_s,
                           u"--webhook-timeout"_s, u"2s"_s});
    QVERIFY2(server.start(), server.standardError().constData());
    const QString token = server.token();
    QString secret;
    {
        ApiClient admin(server.baseUrl(), token);
        const ApiReply created
            = admin.post(u"/v1/webhooks"_s,
                         {{u"url"_s, QString::fromLatin1(receiver.url())},
                          {u"events"_s,
                           QJsonArray{u"meeting.started"_s, u"meeting.ended"_s,
                                      u"participant.joined"_s, u"participant.left"_s}}});
        QCOMPARE(created.status, 201);
        secret = created.json().value(u"secret"_s).toString();
    }

    // Rounds of events, each cut short by a SIGKILL at a random moment, then a restart.
    QRandomGenerator random(QRandomGenerator::global()->generate());
    int meetings = 0;
    for (int kill = 0; kill < kKills; ++kill) {
        QTimer killer;
        killer.setSingleShot(true);
        connect(&killer, &QTimer::timeout, [&server] { server.kill(); });
        killer.start(int(random.bounded(400, 1500)));

        ApiClient admin(server.baseUrl(), token);
        std::list<std::unique_ptr<SignalClient>> hosts;
        while (server.isRunning()) {
            const ApiReply created = admin.post(u"/v1/meetings"_s,
                                                {{u"topic"_s, u"Crash ✅ %1"_s.arg(meetings)},
                                                 {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                                 {u"duration_minutes"_s, 30},
                                                 {u"waiting_room"_s, false}});
            if (created.status != 201)
                continue;
            ++meetings;
            const QString id = created.json().value(u"id"_s).toString();
            const QString jwt = admin.post(u"/v1/meetings/"_s + id + u"/joinToken"_s, {})
                                    .json()
                                    .value(u"jwt"_s)
                                    .toString();
            auto host = std::make_unique<SignalClient>();
            if (jwt.isEmpty() || !host->open(server.port(), 2000))
                continue;
            host->join(jwt);
            hosts.push_back(std::move(host));
            admin.post(u"/v1/meetings/%1:end"_s.arg(id), {});
        }
        QVERIFY(!server.isRunning());
        hosts.clear();
        QVERIFY2(server.start(), server.standardError().constData());
    }
    QVERIFY2(meetings >= kKills, qPrintable(QString::number(meetings)));

    // Everything the database holds goes out in the end, and the queue drains.
    QSet<QByteArray> missing;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const DatabaseState state = readState(server);
            missing = state.eventIds;
            for (const Receiver::Request &request : receiver.requests())
                missing.remove(request.header("X-Quorum-Event-Id"));
            return state.pending == 0 && missing.isEmpty() && !state.eventIds.isEmpty();
        }(),
        20000);
    QVERIFY2(missing.isEmpty(), qPrintable(QStringList(missing.begin(), missing.end()).join(u',')));

    // Duplicates (a kill between the receiver's answer and the commit) share id and bytes.
    QHash<QByteArray, QByteArray> bodies;
    for (const Receiver::Request &request : receiver.requests()) {
        const QByteArray eventId = request.header("X-Quorum-Event-Id");
        QCOMPARE(QJsonDocument::fromJson(request.body).object().value(u"event_id"_s).toString(),
                 QString::fromLatin1(eventId));
        if (bodies.contains(eventId))
            QCOMPARE(request.body, bodies.value(eventId));
        bodies.insert(eventId, request.body);

        const QByteArray t = request.header("X-Quorum-Timestamp");
        const QByteArray v1
            = QMessageAuthenticationCode::hash("v1:" + t + ':' + request.body, secret.toUtf8(),
                                               QCryptographicHash::Sha256)
                  .toHex();
        QCOMPARE(request.header("X-Quorum-Signature"), "t=" + t + ",v1=" + v1);
    }
    qInfo("%d meetings, %d kills, %lld events, %lld requests (%lld duplicates)", meetings, kKills,
          qlonglong(bodies.size()), qlonglong(receiver.requests().size()),
          qlonglong(receiver.requests().size() - bodies.size()));
}

QTEST_GUILESS_MAIN(tst_WebhooksCrash)
#include "tst_webhooks_crash.moc"
