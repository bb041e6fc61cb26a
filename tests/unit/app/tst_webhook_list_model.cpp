// WebhookListModel against a real quorumd and a receiver of our own on loopback: the secret
// shown once, changes, rotation, a test delivery that arrives, and deletion.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "WebhookListModel.h"
#include "WebhookReceiver.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_WebhookListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AppTestServer> m_app;
    quorum::test::WebhookReceiver m_receiver;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen());
        m_app = std::make_unique<AppTestServer>(AppTestServer::usualFlags()
                                                << u"--webhooks-allow-private-networks"_s);
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase() { m_app.reset(); }

    void createsChangesRotatesTestsAndDeletes()
    {
        WebhookListModel model;
        m_app->attach(model);
        model.refresh();
        QTRY_VERIFY(!model.isBusy());
        QCOMPARE(model.count(), 0);

        // The secret comes once, in the answer, and never into the list.
        const CallOutcome created
            = waitFor(model.create(QString::fromLatin1(m_receiver.url()), {u"meeting.started"_s}));
        QVERIFY2(created.ok, qPrintable(created.message));
        QVERIFY(created.json.value(u"secret"_s).toString().startsWith(u"whsec_"_s));
        QCOMPARE(model.count(), 1);
        QVERIFY(!model.get(0).contains(u"secret"_s));
        const QString id = model.get(0).value(u"id"_s).toString();
        QCOMPARE(model.get(0).value(u"state"_s).toString(), u"active"_s);

        QVERIFY(waitFor(model.update(id, {{u"enabled"_s, false}})).ok);
        QCOMPARE(model.get(0).value(u"state"_s).toString(), u"disabled"_s);
        QVERIFY(waitFor(model.update(id, {{u"enabled"_s, true}})).ok);

        const CallOutcome rotated = waitFor(model.rotateSecret(id));
        QVERIFY2(rotated.ok, qPrintable(rotated.message));
        QVERIFY(rotated.json.value(u"secret"_s).toString().startsWith(u"whsec_"_s));
        QTRY_VERIFY(!model.get(model.indexOf(id))
                         .value(u"previous_secret_expires_at"_s)
                         .toString()
                         .isEmpty());

        m_receiver.clearRequests();
        QVERIFY(waitFor(model.sendTest(id)).ok);
        QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.requests().isEmpty(), 15000);

        QVERIFY(waitFor(model.remove(id)).ok);
        QCOMPARE(model.count(), 0);
    }

    void aBadTargetIsReportedOnItsField()
    {
        WebhookListModel model;
        model.setClient(m_app->client());

        const CallOutcome outcome = waitFor(model.create(u"not a url"_s, {u"meeting.started"_s}));

        QCOMPARE(outcome.status, 400);
        QVERIFY2(outcome.fieldErrors.contains(u"url"_s),
                 qPrintable(outcome.fieldErrors.keys().join(u',')));
    }

    void reloadShowsAChangeMadeElsewhereInPlace()
    {
        WebhookListModel model;
        m_app->attach(model);
        const CallOutcome created = waitFor(
            model.create(QString::fromLatin1(m_receiver.url("/elsewhere")), {u"meeting.ended"_s}));
        QVERIFY(created.ok);
        const QString id = created.json.value(u"id"_s).toString();
        const int row = model.indexOf(id);
        QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
        QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

        // Another client of the same user turns it off; the list learns it on reload().
        WebhookListModel other;
        other.setClient(m_app->client());
        QVERIFY(waitFor(other.update(id, {{u"enabled"_s, false}})).ok);
        QCOMPARE(model.get(row).value(u"state"_s).toString(), u"active"_s);
        QVERIFY(waitFor(model.reload(id)).ok);

        QCOMPARE(model.indexOf(id), row);
        QCOMPARE(model.get(row).value(u"state"_s).toString(), u"disabled"_s);
        QCOMPARE(model.get(row).value(u"disabled_reason"_s).toString(), u"client"_s);
        QCOMPARE(resets.size(), 0);
        QCOMPARE(changes.size(), 1);
        QVERIFY(waitFor(model.remove(id)).ok);
    }

    void offersEveryEventTypeTheServerAccepts()
    {
        WebhookListModel model;
        model.setClient(m_app->client());
        const QStringList events = model.property("eventTypes").toStringList();
        QCOMPARE(events.size(), 8);
        QVERIFY(!events.contains(u"webhook.test"_s));

        // All at once: the server refuses the whole list if one of them is unknown to it.
        const CallOutcome created
            = waitFor(model.create(QString::fromLatin1(m_receiver.url("/all")), events));
        QVERIFY2(created.ok, qPrintable(created.message));
        QStringList subscribed = created.json.value(u"events"_s).toVariant().toStringList();
        subscribed.sort();
        QStringList offered = events;
        offered.sort();
        QCOMPARE(subscribed, offered);
        QVERIFY(waitFor(model.remove(created.json.value(u"id"_s).toString())).ok);
    }

    void pagesThroughManySubscriptions()
    {
        WebhookListModel model;
        m_app->attach(model);
        model.setPageSize(2);
        for (int i = 0; i < 5; ++i)
            QVERIFY(waitFor(model.create(QString::fromLatin1(m_receiver.url("/h%1")).arg(i),
                                         {u"meeting.ended"_s}))
                        .ok);

        model.refresh();
        QTRY_VERIFY(model.count() >= 2);
        QTRY_VERIFY(AppTestServer::pagedToTheEnd(model));

        QCOMPARE(model.count(), 5);
    }
};

QTEST_GUILESS_MAIN(tst_WebhookListModel)
#include "tst_webhook_list_model.moc"
