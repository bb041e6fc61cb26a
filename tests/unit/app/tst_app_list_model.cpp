// AppListModel: the marketplace with each app's installed state, installation with some of
// the scopes asked, and uninstallation.

#include "ApiClient.h"
#include "AppListModel.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_AppListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AppTestServer> m_app;
    QString m_appId;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>();
        QVERIFY2(m_app->start(), m_app->standardError().constData());

        // Listed by another workspace's admin, so it is not installed here yet.
        m_app->server().createWorkspace(u"vendor"_s);
        m_app->server().createUser(u"val"_s, u"vendor"_s, u"admin"_s);
        const auto app = OAuthFlow::registerApp(
            m_app->server().baseUrl(), m_app->server().token(u"val"_s, u"vendor"_s),
            {{u"name"_s, u"Calendar sync"_s},
             {u"client_type"_s, u"confidential"_s},
             {u"redirect_uris"_s, QJsonArray{u"https://calendar.example/callback"_s}},
             {u"scopes"_s, QJsonArray{u"meeting.read"_s, u"meeting.write"_s}},
             {u"listed"_s, true}},
            false);
        m_appId = app.appId;
        QVERIFY(!m_appId.isEmpty());
    }

    void cleanupTestCase() { m_app.reset(); }

    void installsWithSomeScopesAndUninstalls()
    {
        AppListModel model;
        m_app->attach(model);
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
        model.setClient(m_app->client());

        const CallOutcome outcome = waitFor(model.install(m_appId, {u"webhook.write"_s}));

        QVERIFY(!outcome.ok);
        QVERIFY(outcome.status == 400 || outcome.status == 422);
        QVERIFY(!outcome.message.isEmpty());
    }

    void membersMayNotSeeTheMarketplace()
    {
        m_app->server().createUser(u"mia"_s, u"default"_s);
        const auto member = m_app->clientWith(m_app->server().token(u"mia"_s));
        AppListModel model;
        model.setClient(member.get());

        model.refresh();

        QTRY_VERIFY(!model.error().isEmpty());
        QVERIFY(model.error().contains(u"not allowed"_s));
        QCOMPARE(model.errorStatus(), 403);
    }
};

QTEST_GUILESS_MAIN(tst_AppListModel)
#include "tst_app_list_model.moc"
