// DeliveryListModel: a test delivery shows with its attempts, and a redelivery adds another.

#include "ApiClient.h"
#include "CallWaiter.h"
#include "DeliveryListModel.h"
#include "QuorumdProcess.h"
#include "WebhookListModel.h"
#include "WebhookReceiver.h"

#include <QAbstractItemModelTester>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_DeliveryListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    std::unique_ptr<quorum::ApiClient> m_client;
    quorum::test::WebhookReceiver m_receiver;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen());
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--webhooks-allow-private-networks"_s, u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_client = std::make_unique<quorum::ApiClient>();
        m_client->setBaseUrl(QUrl(m_server->baseUrl()));
        m_client->setToken(m_server->token());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

    void showsDeliveriesAndRedelivers()
    {
        WebhookListModel webhooks;
        webhooks.setClient(m_client.get());
        const CallOutcome created = waitFor(
            webhooks.create(QString::fromLatin1(m_receiver.url()), {u"meeting.started"_s}));
        QVERIFY(created.ok);
        const QString webhookId = created.json.value(u"id"_s).toString();
        QVERIFY(waitFor(webhooks.sendTest(webhookId)).ok);
        QTRY_VERIFY_WITH_TIMEOUT(!m_receiver.requests().isEmpty(), 15000);

        DeliveryListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setClient(m_client.get());
        model.setWebhookId(webhookId);
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                model.refresh();
                if (!QTest::qWaitFor([&] { return !model.isBusy(); }, 5000))
                    return false;
                return model.count() == 1
                    && model.get(0).value(u"state"_s).toString() == u"succeeded";
            }(),
            15000);
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
    }

    void anUnknownSubscriptionIsAnError()
    {
        DeliveryListModel model;
        model.setClient(m_client.get());
        model.setWebhookId(u"wh_nothing"_s);

        QTRY_VERIFY(!model.error().isEmpty());
        QCOMPARE(model.count(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_DeliveryListModel)
#include "tst_delivery_list_model.moc"
