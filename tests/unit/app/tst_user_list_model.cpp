// UserListModel: adding users (with a password or a one-time link), changing roles,
// disabling, and paging.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "QuorumdProcess.h"
#include "UserListModel.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_UserListModel : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>();
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase() { m_app.reset(); }

    void addsChangesAndDisables()
    {
        UserListModel model;
        m_app->attach(model);
        model.refresh();
        QTRY_COMPARE(model.count(), 1); // the owner

        const CallOutcome linked = waitFor(model.add(u"nina"_s, u"member"_s));
        QVERIFY2(linked.ok, qPrintable(linked.message));
        QVERIFY(linked.json.value(u"set_password_url"_s).toString().contains(u"set-password"_s));
        const CallOutcome withPassword
            = waitFor(model.add(u"omar"_s, u"admin"_s, u"a long enough password"_s));
        QVERIFY(withPassword.ok);
        QCOMPARE(model.count(), 3);
        const QString ninaId = linked.json.value(u"user"_s).toObject().value(u"id"_s).toString();
        const int hasPasswordRole = model.roleNames().key("hasPassword");
        QVERIFY(!model.data(model.index(model.indexOf(ninaId)), hasPasswordRole).toBool());

        QVERIFY(waitFor(model.changeRole(ninaId, u"admin"_s)).ok);
        QCOMPARE(model.get(model.indexOf(ninaId)).value(u"role"_s).toString(), u"admin"_s);

        QVERIFY(waitFor(model.disable(ninaId)).ok);
        QVERIFY(model.get(model.indexOf(ninaId)).value(u"disabled"_s).toBool());

        model.refresh();
        QTRY_VERIFY(!model.isBusy());
        QCOMPARE(model.count(), 3);
        QVERIFY(model.get(model.indexOf(ninaId)).value(u"disabled"_s).toBool());
    }

    void aNewPasswordLinkReplacesTheFirst()
    {
        UserListModel model;
        m_app->attach(model);
        const CallOutcome added = waitFor(model.add(u"lina"_s, u"member"_s));
        QVERIFY(added.ok);
        const QString id = added.json.value(u"user"_s).toObject().value(u"id"_s).toString();
        const QString first = added.json.value(u"set_password_url"_s).toString();

        const CallOutcome fresh = waitFor(model.newPasswordLink(id));

        QCOMPARE(fresh.status, 201);
        const QString second = fresh.json.value(u"set_password_url"_s).toString();
        QVERIFY(second.contains(u"set-password"_s));
        QVERIFY(second != first);
        QVERIFY(!model.isBusy());
    }

    void refusalsNameTheirFields_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("field");
        QTest::newRow("an empty name") << QString() << QString() << u"name"_s;
        QTest::newRow("a short password") << u"pat"_s << u"short"_s << u"password"_s;
    }

    void refusalsNameTheirFields()
    {
        QFETCH(QString, name);
        QFETCH(QString, password);
        QFETCH(QString, field);
        UserListModel model;
        model.setClient(m_app->client());

        const CallOutcome outcome = waitFor(model.add(name, u"member"_s, password));

        QCOMPARE(outcome.status, 400);
        QVERIFY2(outcome.fieldErrors.contains(field),
                 qPrintable(outcome.fieldErrors.keys().join(u',') + outcome.message));
    }

    void aMemberIsRefusedWithTheStatusThatSaysSo()
    {
        m_app->server().createUser(u"mel"_s, u"default"_s);
        const auto member = m_app->clientWith(m_app->server().token(u"mel"_s));
        UserListModel model;
        model.setClient(member.get());

        model.refresh();

        QTRY_VERIFY(!model.error().isEmpty());
        QCOMPARE(model.errorStatus(), 403);
        QCOMPARE(model.count(), 0);

        // A later read that works clears both.
        model.setClient(m_app->client());
        model.refresh();
        QTRY_VERIFY(model.error().isEmpty());
        QCOMPARE(model.errorStatus(), 0);
    }

    void pagesThroughTheUsers()
    {
        for (int i = 0; i < 4; ++i)
            QVERIFY(!m_app->server().createUser(u"user%1"_s.arg(i), u"default"_s).isEmpty());
        UserListModel model;
        m_app->attach(model);
        model.setPageSize(3);
        model.refresh();
        QTRY_VERIFY(model.count() >= 3);

        QTRY_VERIFY(AppTestServer::pagedToTheEnd(model));

        // Every user once, as one big page shows them.
        UserListModel whole;
        whole.setClient(m_app->client());
        whole.setPageSize(300);
        whole.refresh();
        QTRY_VERIFY(whole.count() > 0 && !whole.isBusy());
        QCOMPARE(model.count(), whole.count());
        for (int row = 0; row < whole.count(); ++row)
            QCOMPARE(model.get(row).value(u"id"_s), whole.get(row).value(u"id"_s));
        QCOMPARE(model.indexOf(model.get(6).value(u"id"_s).toString()), 6);
    }
};

QTEST_GUILESS_MAIN(tst_UserListModel)
#include "tst_user_list_model.moc"
