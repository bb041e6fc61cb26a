// DESIGN.md *Permissions* end to end: two workspaces, two members and an admin, and every
// cross-member and cross-workspace access to a meeting through the real API.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// A well-formed meeting id that no meeting has.
const QString kUnknownMeeting = u"mtg_0000000000000000000000"_s;

// The part of a problem body that must not differ between "not yours" and "not there".
QStringList meetingIds(const ApiReply &reply)
{
    QStringList ids;
    for (const QJsonValue &meeting : reply.json().value(u"meetings").toArray())
        ids << meeting.toObject().value(u"id").toString();
    return ids;
}

} // namespace

class tst_Permissions : public QObject
{
    Q_OBJECT

private:
    QJsonObject newMeeting(const QString &topic) const
    {
        return {{u"topic"_s, topic},
                {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                {u"duration_minutes"_s, 30},
                {u"timezone"_s, u"Europe/Berlin"_s},
                {u"passcode"_s, u"s3cret"_s}};
    }

    QString tokenFor(const QString &who) const { return m_tokens.value(who); }

    // alice's meeting, made afresh so that no test sees another's changes.
    QString aliceMeeting(const QString &topic = u"Alice's sync"_s)
    {
        ApiClient alice(m_server->baseUrl(), tokenFor(u"alice"_s));
        const ApiReply created = alice.post(u"/v1/meetings"_s, newMeeting(topic));
        if (created.status != 201)
            return {};
        return created.json().value(u"id").toString();
    }

    ApiReply call(const QString &who, const QString &method, const QString &path)
    {
        ApiClient client(m_server->baseUrl(), tokenFor(who));
        if (method == u"GET")
            return client.get(path);
        if (method == u"PATCH")
            return client.patch(path, {{u"topic"_s, u"Taken over"_s}});
        if (method == u"DELETE")
            return client.del(path);
        return client.post(path, {});
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QHash<QString, QString> m_tokens;
    QHash<QString, QString> m_userIds;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());

        QVERIFY(!m_server->createWorkspace(u"other"_s).isEmpty());
        m_userIds.insert(u"alice"_s, m_server->createUser(u"alice"_s, u"default"_s));
        m_userIds.insert(u"bob"_s, m_server->createUser(u"bob"_s, u"default"_s));
        m_userIds.insert(u"olga"_s, m_server->createUser(u"olga"_s, u"other"_s, u"admin"_s));
        m_userIds.insert(u"oscar"_s, m_server->createUser(u"oscar"_s, u"other"_s));
        for (const QString &id : std::as_const(m_userIds))
            QVERIFY2(id.startsWith(u"usr_"), qPrintable(id));

        m_tokens.insert(u"admin"_s, m_server->token());
        for (auto it = m_userIds.cbegin(); it != m_userIds.cend(); ++it) {
            const QString workspace = it.key().startsWith(u'o') ? u"other"_s : u"default"_s;
            m_tokens.insert(it.key(), m_server->token(it.key(), workspace));
        }
        for (const QString &token : std::as_const(m_tokens))
            QVERIFY(token.startsWith(u"qpat_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    void strangersGetTheSame404AsForAMeetingThatDoesNotExist_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("suffix");

        const QList<std::pair<QString, QString>> strangers{
            {u"another member"_s, u"bob"_s},
            {u"an admin of the other workspace"_s, u"olga"_s},
            {u"a member of the other workspace"_s, u"oscar"_s}};
        for (const auto &[label, who] : strangers) {
            QTest::addRow("%s reads the meeting", qPrintable(label))
                << who << u"GET"_s << QString();
            QTest::addRow("%s changes the meeting", qPrintable(label))
                << who << u"PATCH"_s << QString();
            QTest::addRow("%s cancels the meeting", qPrintable(label))
                << who << u"DELETE"_s << QString();
        }
        QTest::newRow("an admin of the other workspace asks for a join token as a user")
            << u"olga"_s << u"POST"_s << u"/joinToken"_s;
        QTest::newRow("a member of the other workspace asks for a join token as a user")
            << u"oscar"_s << u"POST"_s << u"/joinToken"_s;
    }

    void strangersGetTheSame404AsForAMeetingThatDoesNotExist()
    {
        QFETCH(QString, who);
        QFETCH(QString, method);
        QFETCH(QString, suffix);
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());

        const ApiReply theirs = call(who, method, u"/v1/meetings/"_s + id + suffix);
        const ApiReply missing = call(who, method, u"/v1/meetings/"_s + kUnknownMeeting + suffix);

        QCOMPARE(theirs.status, 404);
        QCOMPARE(missing.status, 404);
        QCOMPARE(theirs.header("Content-Type"), missing.header("Content-Type"));
        QCOMPARE(theirs.problemWithoutRequestId(), missing.problemWithoutRequestId());
        QVERIFY(!theirs.body.contains(id.toUtf8()));

        // Nothing was changed behind the 404.
        ApiClient alice(m_server->baseUrl(), tokenFor(u"alice"_s));
        const QJsonObject after = alice.get(u"/v1/meetings/"_s + id).json();
        QCOMPARE(after.value(u"topic").toString(), u"Alice's sync"_s);
        QCOMPARE(after.value(u"state").toString(), u"SCHEDULED"_s);
    }

    void onlyTheHostAndAdminsSeeAMeetingInTheList_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<bool>("listed");

        QTest::newRow("the host sees it") << u"alice"_s << true;
        QTest::newRow("the workspace owner sees it") << u"admin"_s << true;
        QTest::newRow("another member does not") << u"bob"_s << false;
        QTest::newRow("an admin of the other workspace does not") << u"olga"_s << false;
        QTest::newRow("a member of the other workspace does not") << u"oscar"_s << false;
    }

    void onlyTheHostAndAdminsSeeAMeetingInTheList()
    {
        QFETCH(QString, who);
        QFETCH(bool, listed);
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());

        // Walk every page, so that a long list cannot hide the meeting.
        ApiClient client(m_server->baseUrl(), tokenFor(who));
        QStringList seen;
        QString cursor;
        do {
            const QString query = cursor.isEmpty() ? QString() : u"&cursor="_s + cursor;
            const ApiReply page = client.get(u"/v1/meetings?page_size=50"_s + query);
            QCOMPARE(page.status, 200);
            seen << meetingIds(page);
            cursor = page.json().value(u"next_cursor").toString();
        } while (!cursor.isEmpty());
        QCOMPARE(seen.contains(id), listed);
    }

    void theHostFilterShowsNothingOfOtherMembers()
    {
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());

        ApiClient bob(m_server->baseUrl(), tokenFor(u"bob"_s));
        const ApiReply filtered = bob.get(u"/v1/meetings?host="_s + m_userIds.value(u"alice"_s));
        QCOMPARE(filtered.status, 200);
        QVERIFY(!meetingIds(filtered).contains(id));
    }

    void anAdminOfTheWorkspaceReadsAndChangesAMembersMeeting()
    {
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());
        ApiClient admin(m_server->baseUrl(), tokenFor(u"admin"_s));

        const ApiReply read = admin.get(u"/v1/meetings/"_s + id);
        QCOMPARE(read.status, 200);
        QCOMPARE(read.json().value(u"host_id").toString(), m_userIds.value(u"alice"_s));
        QCOMPARE(read.json().value(u"passcode").toString(), u"s3cret"_s);

        const ApiReply patched
            = admin.patch(u"/v1/meetings/"_s + id, {{u"topic"_s, u"By admin"_s}});
        QCOMPARE(patched.status, 200);
        ApiClient alice(m_server->baseUrl(), tokenFor(u"alice"_s));
        QCOMPARE(alice.get(u"/v1/meetings/"_s + id).json().value(u"topic").toString(),
                 u"By admin"_s);

        QCOMPARE(admin.del(u"/v1/meetings/"_s + id).status, 204);
        QCOMPARE(alice.get(u"/v1/meetings/"_s + id).json().value(u"state").toString(),
                 u"CANCELLED"_s);
    }

    void aMemberCannotNameAnotherHost()
    {
        ApiClient bob(m_server->baseUrl(), tokenFor(u"bob"_s));
        QJsonObject body = newMeeting(u"For Alice"_s);
        body.insert(u"host_id"_s, m_userIds.value(u"alice"_s));
        const int before
            = bob.get(u"/v1/meetings?page_size=300"_s).json().value(u"meetings").toArray().size();

        const ApiReply refused = bob.post(u"/v1/meetings"_s, body);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));

        ApiClient alice(m_server->baseUrl(), tokenFor(u"alice"_s));
        for (const QJsonValue &meeting :
             alice.get(u"/v1/meetings?page_size=300"_s).json().value(u"meetings").toArray())
            QVERIFY(meeting.toObject().value(u"topic").toString() != u"For Alice"_s);
        QCOMPARE(
            bob.get(u"/v1/meetings?page_size=300"_s).json().value(u"meetings").toArray().size(),
            before);
    }

    void aMemberNamingThemselvesAsHostIsFine()
    {
        ApiClient bob(m_server->baseUrl(), tokenFor(u"bob"_s));
        QJsonObject body = newMeeting(u"Bob's own"_s);
        body.insert(u"host_id"_s, m_userIds.value(u"bob"_s));
        const ApiReply created = bob.post(u"/v1/meetings"_s, body);
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json().value(u"host_id").toString(), m_userIds.value(u"bob"_s));
    }

    void anAdminSchedulesForAMemberWhoThenOwnsTheMeeting()
    {
        ApiClient admin(m_server->baseUrl(), tokenFor(u"admin"_s));
        QJsonObject body = newMeeting(u"Scheduled for Alice"_s);
        body.insert(u"host_id"_s, m_userIds.value(u"alice"_s));
        const ApiReply created = admin.post(u"/v1/meetings"_s, body);
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        QCOMPARE(created.json().value(u"host_id").toString(), m_userIds.value(u"alice"_s));
        QCOMPARE(created.json().value(u"passcode").toString(), u"s3cret"_s);

        ApiClient alice(m_server->baseUrl(), tokenFor(u"alice"_s));
        const ApiReply read = alice.get(u"/v1/meetings/"_s + id);
        QCOMPARE(read.status, 200);
        QCOMPARE(read.json().value(u"passcode").toString(), u"s3cret"_s);
        QVERIFY(meetingIds(alice.get(u"/v1/meetings?page_size=300"_s)).contains(id));
        QCOMPARE(alice.patch(u"/v1/meetings/"_s + id, {{u"topic"_s, u"Mine now"_s}}).status, 200);
        QCOMPARE(admin.get(u"/v1/meetings/"_s + id).json().value(u"passcode").toString(),
                 u"s3cret"_s);

        QCOMPARE(call(u"bob"_s, u"GET"_s, u"/v1/meetings/"_s + id).status, 404);
    }

    void hostsOutsideTheWorkspaceAreRefused_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<QString>("host");

        QTest::newRow("an admin names a user of another workspace") << u"admin"_s << u"olga"_s;
        QTest::newRow("an admin of the other workspace names a user of this one")
            << u"olga"_s << u"alice"_s;
    }

    void hostsOutsideTheWorkspaceAreRefused()
    {
        QFETCH(QString, who);
        QFETCH(QString, host);

        ApiClient client(m_server->baseUrl(), tokenFor(who));
        QJsonObject body = newMeeting(u"Across workspaces"_s);
        body.insert(u"host_id"_s, m_userIds.value(host));
        const ApiReply refused = client.post(u"/v1/meetings"_s, body);
        QCOMPARE(refused.status, 400);
        QCOMPARE(refused.json().value(u"errors").toArray().at(0).toObject().value(u"field"),
                 QJsonValue(u"host_id"_s));
    }

    void thePasscodeIsShownOnlyToThoseWhoMayChangeTheMeeting_data()
    {
        QTest::addColumn<QString>("who");

        QTest::newRow("the host") << u"alice"_s;
        QTest::newRow("the workspace owner") << u"admin"_s;
    }

    void thePasscodeIsShownOnlyToThoseWhoMayChangeTheMeeting()
    {
        QFETCH(QString, who);
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());
        ApiClient client(m_server->baseUrl(), tokenFor(who));

        const QJsonObject single = client.get(u"/v1/meetings/"_s + id).json();
        QCOMPARE(single.value(u"has_passcode").toBool(), true);
        QCOMPARE(single.value(u"passcode").toString(), u"s3cret"_s);

        for (const QJsonValue &item :
             client.get(u"/v1/meetings?page_size=300"_s).json().value(u"meetings").toArray()) {
            const QJsonObject meeting = item.toObject();
            if (meeting.value(u"id").toString() != id)
                continue;
            QCOMPARE(meeting.value(u"passcode").toString(), u"s3cret"_s);
            QCOMPARE(meeting.value(u"has_passcode").toBool(), true);
        }
    }

    void theNotFoundBodyNamesNoPasscodeOrState()
    {
        const QString id = aliceMeeting();
        QVERIFY(!id.isEmpty());
        const ApiReply hidden = call(u"bob"_s, u"GET"_s, u"/v1/meetings/"_s + id);
        QCOMPARE(hidden.status, 404);
        for (const char *leak : {"passcode", "has_passcode", "SCHEDULED", "state", "alice"})
            QVERIFY2(!hidden.body.contains(leak), leak);
    }
};

QTEST_GUILESS_MAIN(tst_Permissions)
#include "tst_permissions.moc"
