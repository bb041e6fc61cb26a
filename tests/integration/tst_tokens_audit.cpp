// The caller's own account over the API: /v1/me, personal access tokens (create, list, revoke)
// and the audit log, each as an admin and as a member sees it.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

QStringList strings(const QJsonValue &array)
{
    QStringList list;
    for (const QJsonValue &value : array.toArray())
        list << value.toString();
    return list;
}

} // namespace

class tst_TokensAudit : public QObject
{
    Q_OBJECT

private:
    // Every entry of the caller's audit log, newest first, over all pages.
    QList<QJsonObject> auditEntries(const QString &token, int pageSize = 100)
    {
        ApiClient client(m_server->baseUrl(), token);
        QList<QJsonObject> entries;
        QString cursor;
        do {
            const QString query = cursor.isEmpty() ? QString() : u"&cursor="_s + cursor;
            const ApiReply page = client.get(u"/v1/audit?page_size=%1"_s.arg(pageSize) + query);
            if (page.status != 200)
                return {};
            for (const QJsonValue &entry : page.json().value(u"entries").toArray())
                entries << entry.toObject();
            cursor = page.json().value(u"next_cursor").toString();
        } while (!cursor.isEmpty());
        return entries;
    }

    static bool hasEntry(const QList<QJsonObject> &entries, const QString &action,
                         const QString &target = {})
    {
        return std::any_of(entries.cbegin(), entries.cend(), [&](const QJsonObject &entry) {
            return entry.value(u"action").toString() == action
                && (target.isEmpty() || entry.value(u"target_id").toString() == target);
        });
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_adminToken;
    QString m_memberId;
    QString m_memberToken;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_adminToken = m_server->token();
        m_memberId = m_server->createUser(u"mia"_s, u"default"_s);
        m_memberToken = m_server->token(u"mia"_s);
        QVERIFY(m_adminToken.startsWith(u"qpat_"));
        QVERIFY(m_memberId.startsWith(u"usr_"));
        QVERIFY(m_memberToken.startsWith(u"qpat_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    void meDescribesTheCaller_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("role");
        QTest::addColumn<QStringList>("scopes");

        QTest::newRow("the owner with every scope")
            << u"admin"_s << u"owner"_s
            << QStringList{u"meeting.join"_s,   u"meeting.read"_s,    u"meeting.write"_s,
                           u"recording.read"_s, u"recording.write"_s, u"webhook.read"_s,
                           u"webhook.write"_s};
        QTest::newRow("a member with two scopes")
            << u"mia"_s << u"member"_s << QStringList{u"meeting.read"_s, u"meeting.join"_s};
    }

    void meDescribesTheCaller()
    {
        QFETCH(QString, user);
        QFETCH(QString, role);
        QFETCH(QStringList, scopes);

        ApiClient client(m_server->baseUrl(), m_server->token(user, u"default"_s, scopes));
        const ApiReply me = client.get(u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        const QJsonObject body = me.json();
        QCOMPARE(body.value(u"user").toObject().value(u"name").toString(), user);
        QCOMPARE(body.value(u"user").toObject().value(u"role").toString(), role);
        QVERIFY(body.value(u"user").toObject().value(u"id").toString().startsWith(u"usr_"));
        QCOMPARE(body.value(u"workspace").toObject().value(u"name").toString(), u"default"_s);
        QVERIFY(body.value(u"workspace").toObject().value(u"id").toString().startsWith(u"wsp_"));
        QCOMPARE(sorted(strings(body.value(u"scopes"))), sorted(scopes));
        QCOMPARE(body.value(u"credential").toObject().value(u"first_party").toBool(), true);
        QVERIFY(body.value(u"credential").toObject().value(u"id").toString().startsWith(u"tok_"));
    }

    void aNewTokenShowsItsSecretOnceAndWorks()
    {
        ApiClient admin(m_server->baseUrl(), m_adminToken);
        const ApiReply created = admin.post(
            u"/v1/tokens"_s, {{u"name"_s, u"ci"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(created.status, 201);
        const QString secret = created.json().value(u"token").toString();
        const QString id = created.json().value(u"id").toString();
        QVERIFY2(QRegularExpression(u"^qpat_[A-Za-z0-9_-]{20,}$"_s).match(secret).hasMatch(),
                 qPrintable(secret));
        QVERIFY(id.startsWith(u"tok_"));
        QCOMPARE(strings(created.json().value(u"scopes")), QStringList{u"meeting.read"_s});

        // Listed by id and name, never with the secret.
        QString cursor;
        bool listed = false;
        do {
            const QString query = cursor.isEmpty() ? QString() : u"&cursor="_s + cursor;
            const ApiReply page = admin.get(u"/v1/tokens?page_size=300"_s + query);
            QCOMPARE(page.status, 200);
            QVERIFY(!page.body.contains(secret.toUtf8()));
            for (const QJsonValue &token : page.json().value(u"tokens").toArray()) {
                QVERIFY(!token.toObject().contains(u"token"_s));
                listed = listed || token.toObject().value(u"id").toString() == id;
            }
            cursor = page.json().value(u"next_cursor").toString();
        } while (!cursor.isEmpty());
        QVERIFY(listed);

        ApiClient withNew(m_server->baseUrl(), secret);
        const ApiReply me = withNew.get(u"/v1/me"_s);
        QCOMPARE(me.status, 200);
        QCOMPARE(strings(me.json().value(u"scopes")), QStringList{u"meeting.read"_s});
        QCOMPARE(withNew.get(u"/v1/meetings"_s).status, 200);
        QCOMPARE(withNew.post(u"/v1/meetings"_s, {{u"topic"_s, u"x"_s}}).status, 403);
    }

    void aNewTokensScopesMustBeASubsetOfTheCreators_data()
    {
        QTest::addColumn<QStringList>("creatorScopes");
        QTest::addColumn<QStringList>("requested");
        QTest::addColumn<int>("status");

        QTest::newRow("a scope the creator lacks")
            << QStringList{u"meeting.read"_s} << QStringList{u"meeting.write"_s} << 400;
        QTest::newRow("a subset plus one scope the creator lacks")
            << QStringList{u"meeting.read"_s, u"meeting.join"_s}
            << QStringList{u"meeting.read"_s, u"webhook.write"_s} << 400;
        QTest::newRow("a scope nobody has")
            << QStringList() << QStringList{u"meeting.admin"_s} << 400;
        QTest::newRow("a scope with a typo")
            << QStringList() << QStringList{u"meetings.read"_s} << 400;
        QTest::newRow("exactly the creator's scopes")
            << QStringList{u"meeting.read"_s, u"meeting.join"_s}
            << QStringList{u"meeting.read"_s, u"meeting.join"_s} << 201;
        QTest::newRow("a strict subset") << QStringList{u"meeting.read"_s, u"meeting.join"_s}
                                         << QStringList{u"meeting.join"_s} << 201;
    }

    void aNewTokensScopesMustBeASubsetOfTheCreators()
    {
        QFETCH(QStringList, creatorScopes);
        QFETCH(QStringList, requested);
        QFETCH(int, status);

        ApiClient creator(m_server->baseUrl(),
                          m_server->token(u"admin"_s, u"default"_s, creatorScopes));
        const ApiReply reply = creator.post(
            u"/v1/tokens"_s,
            {{u"name"_s, u"narrow"_s}, {u"scopes"_s, QJsonArray::fromStringList(requested)}});
        QCOMPARE(reply.status, status);
        if (status == 400) {
            QVERIFY2(reply.errorFields().contains(u"scopes"_s), reply.body.constData());
            QVERIFY(!reply.body.contains("qpat_"));
            return;
        }
        ApiClient created(m_server->baseUrl(), reply.json().value(u"token").toString());
        QCOMPARE(sorted(strings(created.get(u"/v1/me"_s).json().value(u"scopes"))),
                 sorted(requested));
    }

    void aRevokedTokenIsRefusedAtOnce()
    {
        ApiClient member(m_server->baseUrl(), m_memberToken);
        const ApiReply created = member.post(
            u"/v1/tokens"_s,
            {{u"name"_s, u"short-lived"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(created.status, 201);
        const QString secret = created.json().value(u"token").toString();
        const QString id = created.json().value(u"id").toString();

        // Used once first, so that a cache in front of the store would hold it.
        ApiClient doomed(m_server->baseUrl(), secret);
        QCOMPARE(doomed.get(u"/v1/me"_s).status, 200);

        QCOMPARE(member.del(u"/v1/tokens/"_s + id).status, 204);
        const ApiReply refused = doomed.get(u"/v1/me"_s);
        QCOMPARE(refused.status, 401);
        QVERIFY(refused.header("WWW-Authenticate").contains("error=\"invalid_token\""));
        QCOMPARE(member.del(u"/v1/tokens/"_s + id).status, 404);

        for (const QJsonValue &token :
             member.get(u"/v1/tokens?page_size=300"_s).json().value(u"tokens").toArray())
            QVERIFY(token.toObject().value(u"id").toString() != id);
    }

    void anotherUsersTokenCannotBeRevoked_data()
    {
        QTest::addColumn<QString>("target");

        QTest::newRow("the admin's token id") << u"admin"_s;
        QTest::newRow("a token id that does not exist") << u"none"_s;
    }

    void anotherUsersTokenCannotBeRevoked()
    {
        QFETCH(QString, target);

        ApiClient admin(m_server->baseUrl(), m_adminToken);
        const ApiReply created
            = admin.post(u"/v1/tokens"_s,
                         {{u"name"_s, u"keep"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(created.status, 201);
        const QString id = target == u"admin" ? created.json().value(u"id").toString()
                                              : u"tok_0000000000000000000000"_s;

        ApiClient member(m_server->baseUrl(), m_memberToken);
        const ApiReply refused = member.del(u"/v1/tokens/"_s + id);
        QCOMPARE(refused.status, 404);
        QCOMPARE(refused.header("Content-Type"), QByteArray("application/problem+json"));

        ApiClient kept(m_server->baseUrl(), created.json().value(u"token").toString());
        QCOMPARE(kept.get(u"/v1/me"_s).status, 200);
    }

    void theTokenListIsPaginated()
    {
        m_server->createUser(u"paula"_s, u"default"_s);
        const QString token = m_server->token(u"paula"_s);
        ApiClient client(m_server->baseUrl(), token);
        QStringList made{
            client.get(u"/v1/me"_s).json().value(u"credential").toObject().value(u"id").toString()};
        for (int i = 0; i < 6; ++i) {
            const ApiReply created = client.post(
                u"/v1/tokens"_s,
                {{u"name"_s, u"t%1"_s.arg(i)}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
            QCOMPARE(created.status, 201);
            made << created.json().value(u"id").toString();
        }

        QStringList seen;
        QString cursor;
        int pages = 0;
        do {
            const QString query = cursor.isEmpty() ? QString() : u"&cursor="_s + cursor;
            const ApiReply page = client.get(u"/v1/tokens?page_size=2"_s + query);
            QCOMPARE(page.status, 200);
            const QJsonArray tokens = page.json().value(u"tokens").toArray();
            QVERIFY(tokens.size() <= 2);
            for (const QJsonValue &item : tokens)
                seen << item.toObject().value(u"id").toString();
            cursor = page.json().value(u"next_cursor").toString();
            QVERIFY(cursor.isEmpty()
                    || QRegularExpression(u"^[A-Za-z0-9_-]+$"_s).match(cursor).hasMatch());
            ++pages;
        } while (!cursor.isEmpty() && pages < 20);
        QCOMPARE(sorted(seen), sorted(made));
        QCOMPARE(pages, 4);

        QCOMPARE(client.get(u"/v1/tokens?page_size=0"_s).status, 400);
        QCOMPARE(client.get(u"/v1/tokens?cursor=forged"_s).code(), u"invalid_cursor"_s);
    }

    void theAdminSeesTokenAndKeyEventsOfTheWorkspace()
    {
        ApiClient member(m_server->baseUrl(), m_memberToken);
        const ApiReply created = member.post(
            u"/v1/tokens"_s,
            {{u"name"_s, u"audited"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(created.status, 201);
        const QString id = created.json().value(u"id").toString();
        QCOMPARE(member.del(u"/v1/tokens/"_s + id).status, 204);

        const QList<QJsonObject> entries = auditEntries(m_adminToken, 5);
        QVERIFY(!entries.isEmpty());
        QVERIFY(hasEntry(entries, u"token.created"_s, id));
        QVERIFY(hasEntry(entries, u"token.revoked"_s, id));
        QVERIFY(hasEntry(entries, u"signing_key.rotated"_s));

        // Newest first, and every entry carries an id and a UTC time.
        for (qsizetype i = 0; i < entries.size(); ++i) {
            QVERIFY(!entries.at(i).value(u"id").toString().isEmpty());
            QVERIFY(entries.at(i).value(u"occurred_at").toString().endsWith(u'Z'));
            if (i > 0)
                // Times are RFC 3339 with optional milliseconds: compare them as instants.
                QVERIFY(QDateTime::fromString(entries.at(i - 1).value(u"occurred_at").toString(),
                                              Qt::ISODateWithMs)
                        >= QDateTime::fromString(entries.at(i).value(u"occurred_at").toString(),
                                                 Qt::ISODateWithMs));
        }
        QSet<QString> ids;
        for (const QJsonObject &entry : entries)
            ids.insert(entry.value(u"id").toString());
        QCOMPARE(ids.size(), entries.size());
    }

    void aMemberSeesOnlyEntriesAboutThemselves()
    {
        ApiClient admin(m_server->baseUrl(), m_adminToken);
        const ApiReply adminToken
            = admin.post(u"/v1/tokens"_s,
                         {{u"name"_s, u"admin's"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(adminToken.status, 201);
        ApiClient member(m_server->baseUrl(), m_memberToken);
        const ApiReply memberToken
            = member.post(u"/v1/tokens"_s,
                          {{u"name"_s, u"mia's"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}});
        QCOMPARE(memberToken.status, 201);

        const QList<QJsonObject> entries = auditEntries(m_memberToken, 3);
        QVERIFY(hasEntry(entries, u"token.created"_s, memberToken.json().value(u"id").toString()));
        QVERIFY(!hasEntry(entries, u"token.created"_s, adminToken.json().value(u"id").toString()));
        QVERIFY(!hasEntry(entries, u"signing_key.rotated"_s));
        for (const QJsonObject &entry : entries) {
            const bool aboutMember = entry.value(u"actor_id").toString() == m_memberId
                || entry.value(u"user_id").toString() == m_memberId;
            QVERIFY2(aboutMember || !entry.value(u"meeting_id").isNull(),
                     qPrintable(entry.value(u"action").toString()));
        }
    }

    void theAuditLogIsFirstPartyAndNeedsAToken()
    {
        ApiClient anonymous(m_server->baseUrl());
        QCOMPARE(anonymous.get(u"/v1/audit"_s).status, 401);
        QCOMPARE(anonymous.get(u"/v1/tokens"_s).status, 401);
        QCOMPARE(anonymous.get(u"/v1/me"_s).status, 401);
    }
};

QTEST_GUILESS_MAIN(tst_TokensAudit)
#include "tst_tokens_audit.moc"
