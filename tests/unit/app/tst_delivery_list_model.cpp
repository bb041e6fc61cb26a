// DeliveryListModel: a test delivery shows with its attempts, and a redelivery adds another.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "DeliveryListModel.h"
#include "WebhookListModel.h"
#include "WebhookReceiver.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_DeliveryListModel : public QObject
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

    void showsDeliveriesAndRedelivers()
    {
        WebhookListModel webhooks;
        webhooks.setClient(m_app->client());
        const CallOutcome created = waitFor(
            webhooks.create(QString::fromLatin1(m_receiver.url()), {u"meeting.started"_s}));
        QVERIFY(created.ok);
        const QString webhookId = created.json.value(u"id"_s).toString();
        QVERIFY(waitFor(webhooks.sendTest(webhookId)).ok);
        QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.requests().isEmpty(), 15000);

        DeliveryListModel model;
        m_app->attach(model);
        model.setWebhookId(webhookId);
        const auto delivered = [&] {
            return model.count() == 1 && model.get(0).value(u"state"_s).toString() == u"succeeded";
        };
        QTRY_VERIFY_WITH_TIMEOUT(AppTestServer::refreshedUntil(model, delivered), 15000);
        QCOMPARE(model.get(0).value(u"event"_s).toString(), u"webhook.test"_s);
        QCOMPARE(model.data(model.index(0), model.roleNames().key("lastStatus")).toInt(), 200);
        QVERIFY(!model.get(0).value(u"attempt_log"_s).toList().isEmpty());

        const int before = int(m_receiver.requests().size());
        const CallOutcome redelivered
            = waitFor(model.redeliver(model.get(0).value(u"id"_s).toString()));
        QVERIFY2(redelivered.ok, qPrintable(redelivered.message));
        QTRY_VERIFY_WITH_TIMEOUT(m_receiver.requests().size() > before, 15000);
        QTRY_VERIFY(!model.isBusy());
        QVERIFY(model.count() >= 1);

        // Choosing another subscription drops the shown deliveries at once.
        const CallOutcome other = waitFor(
            webhooks.create(QString::fromLatin1(m_receiver.url("/other")), {u"meeting.ended"_s}));
        QVERIFY(other.ok);
        model.setWebhookId(other.json.value(u"id"_s).toString());
        QCOMPARE(model.count(), 0);
        QTRY_VERIFY(!model.isBusy());
        QCOMPARE(model.count(), 0);
    }

    void anUnknownSubscriptionIsAnError()
    {
        DeliveryListModel model;
        model.setClient(m_app->client());
        model.setWebhookId(u"wh_nothing"_s);

        QTRY_VERIFY(!model.error().isEmpty());
        QCOMPARE(model.count(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_DeliveryListModel)
#include "tst_delivery_list_model.moc"
