// AppListModel: the marketplace with each app's installed state, installation with some of
// the scopes asked, and uninstallation.

#include "ApiClient.h"
#include "AppListModel.h"
#include "CallWaiter.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_AppListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    std::unique_ptr<quorum::ApiClient> m_client;
    QString m_appId;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>(QStringList{u"--rate-limits"_s, u"off"_s});
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_client = std::make_unique<quorum::ApiClient>();
        m_client->setBaseUrl(QUrl(m_server->baseUrl()));
        m_client->setToken(m_server->token());

        // Listed by another workspace's admin, so it is not installed here yet.
        m_server->createWorkspace(u"vendor"_s);
        m_server->createUser(u"val"_s, u"vendor"_s, u"admin"_s);
        const auto app = OAuthFlow::registerApp(
            m_server->baseUrl(), m_server->token(u"val"_s, u"vendor"_s),
            {{u"name"_s, u"Calendar sync"_s},
             {u"client_type"_s, u"confidential"_s},
             {u"redirect_uris"_s, QJsonArray{u"https://calendar.example/callback"_s}},
             {u"scopes"_s, QJsonArray{u"meeting.read"_s, u"meeting.write"_s}},
             {u"listed"_s, true}},
            false);
        m_appId = app.appId;
        QVERIFY(!m_appId.isEmpty());
    }

    void cleanupTestCase()
    {
        m_client.reset();
        m_server.reset();
    }

    void installsWithSomeScopesAndUninstalls()
    {
        AppListModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setClient(m_client.get());
        model.refresh();
        QTRY_VERIFY(model.indexOf(m_appId) >= 0);
        const int installedRole = model.roleNames().key("installed");
        QVERIFY(!model.data(model.index(model.indexOf(m_appId)), installedRole).toBool());

        const CallOutcome installed = waitFor(model.install(m_appId, {u"meeting.read"_s}));
        QVERIFY2(installed.ok, qPrintable(installed.message));
        QTRY_VERIFY(model.data(model.index(model.indexOf(m_appId)), installedRole).toBool());
        QCOMPARE(model.get(model.indexOf(m_appId)).value(u"granted_scopes"_s).toStringList(),
                 QStringList{u"meeting.read"_s});

        QVERIFY(waitFor(model.uninstall(m_appId)).ok);
        QTRY_VERIFY(!model.data(model.index(model.indexOf(m_appId)), installedRole).toBool());
    }

    void aScopeTheAppNeverAskedIsRefused()
    {
        AppListModel model;
        model.setClient(m_client.get());

        const CallOutcome outcome = waitFor(model.install(m_appId, {u"webhook.write"_s}));

        QVERIFY(!outcome.ok);
        QVERIFY(outcome.status == 400 || outcome.status == 422);
        QVERIFY(!outcome.message.isEmpty());
    }

    void membersMayNotSeeTheMarketplace()
    {
        m_server->createUser(u"mia"_s, u"default"_s);
        quorum::ApiClient member;
        member.setBaseUrl(QUrl(m_server->baseUrl()));
        member.setToken(m_server->token(u"mia"_s));
        AppListModel model;
        model.setClient(&member);

        model.refresh();

        QTRY_VERIFY(!model.error().isEmpty());
        QVERIFY(model.error().contains(u"not allowed"_s));
    }
};

QTEST_GUILESS_MAIN(tst_AppListModel)
#include "tst_app_list_model.moc"
