// SignedInUser: who the client's token belongs to, with the role that decides what the pages
// offer, and a readable error when the token is refused.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "QuorumdProcess.h"
#include "SignedInUser.h"

#include <QSignalSpy>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_SignedInUser : public QObject
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

    void theOwnerIsAnAdminOfTheDefaultWorkspace()
    {
        SignedInUser me;
        me.setClient(m_app->client());

        me.refresh();

        QTRY_VERIFY(me.isLoaded());
        QCOMPARE(me.name(), u"admin"_s);
        QCOMPARE(me.role(), u"owner"_s);
        QVERIFY(me.isAdmin());
        QVERIFY(me.userId().startsWith(u"usr_"_s));
        QVERIFY(me.workspaceId().startsWith(u"wsp_"_s));
        QCOMPARE(me.workspaceName(), u"default"_s);
        QVERIFY(me.error().isEmpty());
    }

    void aMemberIsNoAdmin()
    {
        const QString id = m_app->server().createUser(u"mia"_s, u"default"_s);
        const auto member = m_app->clientWith(m_app->server().token(u"mia"_s));
        SignedInUser me;
        me.setClient(member.get());

        me.refresh();

        QTRY_VERIFY(me.isLoaded());
        QCOMPARE(me.userId(), id);
        QCOMPARE(me.role(), u"member"_s);
        QVERIFY(!me.isAdmin());
    }

    void aRefusedTokenIsAnErrorAndNothingLoaded()
    {
        const auto stranger = m_app->clientWith(u"qpat_not_a_token"_s);
        SignedInUser me;
        me.setClient(stranger.get());
        QSignalSpy changes(&me, &SignedInUser::changed);

        me.refresh();

        QTRY_VERIFY(!me.error().isEmpty());
        QVERIFY(!me.isLoaded());
        QVERIFY(me.role().isEmpty());
        QCOMPARE(changes.count(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_SignedInUser)
#include "tst_signed_in_user.moc"
