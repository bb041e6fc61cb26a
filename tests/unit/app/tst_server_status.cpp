// ServerStatus and AuditListModel, the Server page's sources: an admin reads the server's
// state with its signing keys (newest first) and the audit log page by page; a member is told
// that only admins see the state, and sees only the audit entries about them.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "AuditListModel.h"
#include "CallWaiter.h"
#include "QuorumdProcess.h"
#include "ServerStatus.h"
#include "UserListModel.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_ServerStatus : public QObject
{
    Q_OBJECT

private:
    // The actions of every entry the model shows, read to its last page.
    static QStringList actionsOf(AuditListModel &model)
    {
        QStringList actions;
        for (int row = 0; row < model.count(); ++row)
            actions.append(model.get(row).value(u"action"_s).toString());
        return actions;
    }

    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>();
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase() { m_app.reset(); }

    void anAdminReadsTheStateWithItsSigningKeys()
    {
        ServerStatus status;
        status.setClient(m_app->client());
        QSignalSpy changed(&status, &ServerStatus::statusChanged);

        status.refresh();

        QVERIFY(status.isBusy());
        QVERIFY(changed.wait(5000));
        QVERIFY(!status.isBusy());
        QVERIFY(status.error().isEmpty());
        QVERIFY(!status.status().value(u"version"_s).toString().isEmpty());
        QCOMPARE(status.status().value(u"database"_s).toMap().value(u"engine"_s).toString(),
                 m_app->server().databaseEngine());
        const QVariantList keys = status.signingKeys();
        QVERIFY(!keys.isEmpty());
        QVERIFY(!keys.first().toMap().value(u"kid"_s).toString().isEmpty());
        for (qsizetype i = 1; i < keys.size(); ++i)
            QVERIFY(keys[i - 1].toMap().value(u"created_at"_s).toString()
                    >= keys[i].toMap().value(u"created_at"_s).toString());
    }

    void aMemberIsToldThatOnlyAdminsSeeTheState()
    {
        m_app->server().createUser(u"max"_s, u"default"_s);
        const auto member = m_app->clientWith(m_app->server().token(u"max"_s));
        ServerStatus status;
        status.setClient(member.get());
        QSignalSpy failed(&status, &ServerStatus::errorChanged);

        status.refresh();

        QVERIFY(failed.wait(5000));
        QVERIFY(status.error().contains(u"admins"_s));
        QVERIFY(status.status().isEmpty());
    }

    void theAuditLogIsReadNewestFirstPageByPage()
    {
        UserListModel users;
        users.setClient(m_app->client());
        for (const QString &name : {u"ada"_s, u"ben"_s, u"cy"_s})
            QVERIFY(waitFor(users.add(name, u"member"_s)).ok);
        AuditListModel model;
        m_app->attach(model);
        model.setPageSize(2);

        QVERIFY(AppTestServer::refreshedUntil(model, [&] { return model.count() >= 2; }));

        QTRY_VERIFY(AppTestServer::pagedToTheEnd(model) && !model.isBusy());
        const QStringList actions = actionsOf(model);
        QVERIFY2(actions.count(u"user.created"_s) >= 3,
                 qPrintable(actions.join(u' ') + model.error()));
        QVERIFY(model.count() > 2); // more than one page
        for (int row = 1; row < model.count(); ++row)
            QVERIFY(model.get(row - 1).value(u"occurred_at"_s).toString()
                    >= model.get(row).value(u"occurred_at"_s).toString());
        // The newest entry is about the last user added.
        QCOMPARE(model.get(0).value(u"action"_s).toString(), u"user.created"_s);
    }

    void aMemberSeesOnlyWhatIsAboutThem()
    {
        m_app->server().createUser(u"mo"_s, u"default"_s);
        const auto member = m_app->clientWith(m_app->server().token(u"mo"_s));
        AuditListModel model;
        AppTestServer::watch(model);
        model.setClient(member.get());

        QVERIFY(AppTestServer::refreshedUntil(model, [&] { return model.count() > 0; }));

        QTRY_VERIFY(AppTestServer::pagedToTheEnd(model) && !model.isBusy());
        QVERIFY(model.error().isEmpty());
        QVERIFY(actionsOf(model).contains(u"token.created"_s));
        for (int row = 0; row < model.count(); ++row)
            QVERIFY(model.get(row).value(u"action"_s).toString() != u"signing_key.rotated"_s);
    }
};

QTEST_GUILESS_MAIN(tst_ServerStatus)
#include "tst_server_status.moc"
