// The participants API without live sockets: listing, cursors, filters, permissions and the
// host actions' refusals that need no hub. Participants and co-hosts are written straight into
// the database, as signalling will write them.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_ParticipantsApi : public QObject
{
    Q_OBJECT

private:
    QString createMeeting(const QString &token, const QString &topic = u"Stand-up"_s) const
    {
        ApiClient client(m_server->baseUrl(), token);
        const ApiReply created = client.post(u"/v1/meetings"_s,
                                             {{u"topic"_s, topic},
                                              {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                              {u"duration_minutes"_s, 30},
                                              {u"timezone"_s, u"UTC"_s}});
        return created.status == 201 ? created.json().value(u"id").toString() : QString();
    }

    // Runs one statement against the server's database, as another writer would.
    bool execute(const QString &sql, const QVariantList &values) const
    {
        bool ok = false;
        {
            QSqlDatabase db = m_server->openDatabase(u"direct"_s, DatabaseAccess::ReadWrite);
            if (db.isOpen()) {
                QSqlQuery query(db);
                query.prepare(sql);
                for (const QVariant &value : values)
                    query.addBindValue(value);
                ok = query.exec();
                if (!ok)
                    qWarning() << query.lastError().text();
            }
        }
        QSqlDatabase::removeDatabase(u"direct"_s);
        return ok;
    }

    bool addParticipant(const QString &meetingId, const QString &id, const QString &state,
                        qint64 joinedAtMs) const
    {
        return execute(u"INSERT INTO participants (id, meeting_id, workspace_id, guest_id, "
                       "display_name, role, state, audio_muted, video_muted, mute_acknowledged, "
                       "joined_at, admitted_at, left_at, leave_reason, jti, client_address, node) "
                       "SELECT ?, id, workspace_id, ?, ?, 'attendee', ?, 1, 0, 1, ?, ?, ?, ?, ?, "
                       "'127.0.0.1', 'node-1' FROM meetings WHERE id = ?"_s,
                       {id, u"gst_"_s + id, u"Guest "_s + id, state, joinedAtMs,
                        state == u"waiting" ? QVariant() : QVariant(joinedAtMs + 10),
                        state == u"left" ? QVariant(joinedAtMs + 20) : QVariant(),
                        state == u"left" ? QVariant(u"left"_s) : QVariant(), u"jti-"_s + id,
                        meetingId});
    }

    QString participantsPath(const QString &meetingId, const QString &query = {}) const
    {
        return u"/v1/meetings/"_s + meetingId + u"/participants"_s
            + (query.isEmpty() ? QString() : u"?"_s + query);
    }

    QStringList idsOf(const ApiReply &reply) const
    {
        QStringList ids;
        for (const QJsonValue &item : reply.json().value(u"participants").toArray())
            ids << item.toObject().value(u"id").toString();
        return ids;
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_hostToken;
    QString m_memberToken;
    QString m_cohostToken;
    QString m_cohostId;
    QString m_meeting; // three participants: present, waiting, left
    QString m_otherMeeting; // two participants

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        const QString hostId = m_server->createUser(u"hana"_s, u"default"_s);
        QVERIFY(!hostId.isEmpty());
        QVERIFY(!m_server->createUser(u"mo"_s, u"default"_s).isEmpty());
        m_cohostId = m_server->createUser(u"cora"_s, u"default"_s);
        QVERIFY(!m_cohostId.isEmpty());
        m_hostToken = m_server->token(u"hana"_s);
        m_memberToken = m_server->token(u"mo"_s);
        m_cohostToken = m_server->token(u"cora"_s);

        m_meeting = createMeeting(m_hostToken);
        m_otherMeeting = createMeeting(m_hostToken, u"Retro"_s);
        QVERIFY(!m_meeting.isEmpty() && !m_otherMeeting.isEmpty());
        QVERIFY(addParticipant(m_meeting, u"par_a"_s, u"present"_s, 1000));
        QVERIFY(addParticipant(m_meeting, u"par_b"_s, u"waiting"_s, 2000));
        QVERIFY(addParticipant(m_meeting, u"par_c"_s, u"left"_s, 3000));
        QVERIFY(addParticipant(m_otherMeeting, u"par_x"_s, u"present"_s, 1000));
        QVERIFY(addParticipant(m_otherMeeting, u"par_y"_s, u"present"_s, 2000));
        QVERIFY(execute(u"INSERT INTO meeting_cohosts (meeting_id, user_id) VALUES (?, ?)"_s,
                        {m_meeting, m_cohostId}));
    }

    void cleanupTestCase() { m_server.reset(); }

    void anEmptyMeetingListsNoParticipants()
    {
        const QString id = createMeeting(m_hostToken, u"Nobody came"_s);
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply listed = host.get(participantsPath(id));
        QCOMPARE(listed.status, 200);
        QCOMPARE(listed.json().value(u"participants").toArray().size(), 0);
        QVERIFY(listed.json().value(u"next_cursor").isNull());
        QCOMPARE(listed.header("Cache-Control"), "no-store");
    }

    void listsPageByPageInJoinOrder()
    {
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply first = host.get(participantsPath(m_meeting, u"page_size=2"_s));
        QCOMPARE(first.status, 200);
        QCOMPARE(idsOf(first), (QStringList{u"par_a"_s, u"par_b"_s}));
        const QString cursor = first.json().value(u"next_cursor").toString();
        QVERIFY(!cursor.isEmpty());

        const ApiReply second
            = host.get(participantsPath(m_meeting, u"page_size=2&cursor="_s + cursor));
        QCOMPARE(second.status, 200);
        QCOMPARE(idsOf(second), QStringList{u"par_c"_s});
        QVERIFY(second.json().value(u"next_cursor").isNull());

        const QJsonObject left = second.json().value(u"participants")[0].toObject();
        QCOMPARE(left.value(u"state").toString(), u"left"_s);
        QCOMPARE(left.value(u"display_name").toString(), u"Guest par_c"_s);
    }

    void filtersByState_data()
    {
        QTest::addColumn<QString>("state");
        QTest::addColumn<QStringList>("ids");
        QTest::newRow("present people only") << u"present"_s << QStringList{u"par_a"_s};
        QTest::newRow("the waiting room only") << u"waiting"_s << QStringList{u"par_b"_s};
        QTest::newRow("those who left only") << u"left"_s << QStringList{u"par_c"_s};
    }

    void filtersByState()
    {
        QFETCH(QString, state);
        QFETCH(QStringList, ids);
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply listed = host.get(participantsPath(m_meeting, u"state="_s + state));
        QCOMPARE(listed.status, 200);
        QCOMPARE(idsOf(listed), ids);
    }

    void badQueriesAre400_data()
    {
        QTest::addColumn<QString>("query");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("field");
        QTest::newRow("a page size of 0")
            << u"page_size=0"_s << u"invalid_parameter"_s << u"page_size"_s;
        QTest::newRow("a page size of 100000")
            << u"page_size=100000"_s << u"invalid_parameter"_s << u"page_size"_s;
        QTest::newRow("a page size that is no number")
            << u"page_size=ten"_s << u"invalid_parameter"_s << u"page_size"_s;
        QTest::newRow("an unknown state")
            << u"state=gone"_s << u"invalid_parameter"_s << u"state"_s;
        QTest::newRow("an upper-case state")
            << u"state=PRESENT"_s << u"invalid_parameter"_s << u"state"_s;
        QTest::newRow("an unknown parameter")
            << u"sort=name"_s << u"invalid_parameter"_s << u"sort"_s;
        QTest::newRow("a cursor that is garbage")
            << u"cursor=not-a-cursor"_s << u"invalid_cursor"_s << QString();
    }

    void badQueriesAre400()
    {
        QFETCH(QString, query);
        QFETCH(QString, code);
        QFETCH(QString, field);
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply listed = host.get(participantsPath(m_meeting, query));
        QCOMPARE(listed.status, 400);
        QCOMPARE(listed.code(), code);
        if (!field.isEmpty())
            QVERIFY2(listed.errorFields().contains(field), listed.body.constData());
    }

    void foreignOrTamperedCursorsAreInvalid_data()
    {
        QTest::addColumn<QString>("use");
        QTest::newRow("a cursor of another meeting") << u"foreign"_s;
        QTest::newRow("a cursor with one character changed") << u"tampered"_s;
        QTest::newRow("a cursor of the same meeting under another filter") << u"filter"_s;
    }

    void foreignOrTamperedCursorsAreInvalid()
    {
        QFETCH(QString, use);
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply other = host.get(participantsPath(m_otherMeeting, u"page_size=1"_s));
        QCOMPARE(other.status, 200);
        QString cursor = other.json().value(u"next_cursor").toString();
        QVERIFY(!cursor.isEmpty());

        QString path;
        if (use == u"foreign") {
            path = participantsPath(m_meeting, u"cursor="_s + cursor);
        } else if (use == u"tampered") {
            const qsizetype middle = cursor.size() / 2;
            cursor[middle] = cursor.at(middle) == u'A' ? u'B' : u'A';
            path = participantsPath(m_otherMeeting, u"cursor="_s + cursor);
        } else {
            path = participantsPath(m_otherMeeting, u"state=present&cursor="_s + cursor);
        }
        const ApiReply listed = host.get(path);
        QCOMPARE(listed.status, 400);
        QCOMPARE(listed.code(), u"invalid_cursor"_s);
    }

    void whoMayReadTheList_data()
    {
        QTest::addColumn<QString>("who");
        QTest::addColumn<int>("status");
        QTest::newRow("the host reads it") << u"host"_s << 200;
        QTest::newRow("a co-host reads it") << u"cohost"_s << 200;
        QTest::newRow("the workspace admin reads it") << u"admin"_s << 200;
        QTest::newRow("another member sees nothing") << u"member"_s << 404;
    }

    void whoMayReadTheList()
    {
        QFETCH(QString, who);
        QFETCH(int, status);
        const QString token = who == u"host" ? m_hostToken
            : who == u"cohost"               ? m_cohostToken
            : who == u"admin"                ? m_server->token()
                                             : m_memberToken;
        ApiClient client(m_server->baseUrl(), token);
        const ApiReply listed = client.get(participantsPath(m_meeting));
        QCOMPARE(listed.status, status);
        if (status == 404)
            QCOMPARE(listed.code(), u"not_found"_s);
        else
            QCOMPARE(idsOf(listed).size(), 3);
    }

    void hostActionsAnotherMemberCannotSee_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("suffix");
        QTest::newRow("mute") << QByteArray("POST") << u"/participants/par_a/mute"_s;
        QTest::newRow("admit") << QByteArray("POST") << u"/participants/par_b/admit"_s;
        QTest::newRow("set a role") << QByteArray("PATCH") << u"/participants/par_a"_s;
        QTest::newRow("remove") << QByteArray("DELETE") << u"/participants/par_a"_s;
        QTest::newRow("mute everyone") << QByteArray("POST") << u"/participants:muteAll"_s;
        QTest::newRow("end the meeting") << QByteArray("POST") << u":end"_s;
        QTest::newRow("watch the stream") << QByteArray("GET") << u"/participants/stream"_s;
    }

    void hostActionsAnotherMemberCannotSee()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, suffix);
        ApiClient member(m_server->baseUrl(), m_memberToken);
        const QByteArray body = method == "PATCH" ? R"({"role":"co_host"})"
            : method == "POST"                    ? "{}"
                                                  : "";
        const ApiReply reply = member.send(
            method, u"/v1/meetings/"_s + m_meeting + suffix, body,
            method == "PATCH"
                ? QList<QPair<QByteArray, QByteArray>>{{"Content-Type",
                                                        "application/merge-patch+json"}}
                : QList<QPair<QByteArray, QByteArray>>{{"Content-Type", "application/json"}});
        QCOMPARE(reply.status, 404);
        QCOMPARE(reply.code(), u"not_found"_s);
    }

    void actionsOnAMeetingThatIsNotLive_data()
    {
        QTest::addColumn<QString>("token");
        QTest::addColumn<QString>("suffix");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        QTest::newRow("the host ends a scheduled meeting")
            << u"host"_s << u":end"_s << 409 << u"meeting_not_live"_s;
        QTest::newRow("a co-host ends a scheduled meeting")
            << u"cohost"_s << u":end"_s << 409 << u"meeting_not_live"_s;
        QTest::newRow("the host mutes someone in a scheduled meeting")
            << u"host"_s << u"/participants/par_a/mute"_s << 409 << u"meeting_not_live"_s;
        QTest::newRow("the host mutes everyone in a scheduled meeting")
            << u"host"_s << u"/participants:muteAll"_s << 409 << u"meeting_not_live"_s;
        QTest::newRow("the host mutes a participant who does not exist")
            << u"host"_s << u"/participants/par_nobody/mute"_s << 404 << u"not_found"_s;
        QTest::newRow("the host mutes a participant of another meeting")
            << u"host"_s << u"/participants/par_x/mute"_s << 404 << u"not_found"_s;
        QTest::newRow("the host admits a participant who does not exist")
            << u"host"_s << u"/participants/par_nobody/admit"_s << 404 << u"not_found"_s;
    }

    void actionsOnAMeetingThatIsNotLive()
    {
        QFETCH(QString, token);
        QFETCH(QString, suffix);
        QFETCH(int, status);
        QFETCH(QString, code);
        ApiClient client(m_server->baseUrl(), token == u"host" ? m_hostToken : m_cohostToken);
        const ApiReply reply = client.post(u"/v1/meetings/"_s + m_meeting + suffix, {});
        QCOMPARE(reply.status, status);
        QCOMPARE(reply.code(), code);
    }

    void muteBodiesAreChecked_data()
    {
        QTest::addColumn<QJsonObject>("body");
        QTest::addColumn<QString>("field");
        QTest::newRow("muted that is not a boolean")
            << QJsonObject{{u"muted"_s, u"yes"_s}} << u"muted"_s;
        QTest::newRow("an unknown field") << QJsonObject{{u"volume"_s, 0}} << u"volume"_s;
    }

    void muteBodiesAreChecked()
    {
        QFETCH(QJsonObject, body);
        QFETCH(QString, field);
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply reply
            = host.post(u"/v1/meetings/"_s + m_meeting + u"/participants/par_a/mute"_s, body);
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.errorFields().contains(field), reply.body.constData());
    }

    void aRoleMustBeCoHostOrAttendee()
    {
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply reply = host.patch(u"/v1/meetings/"_s + m_meeting + u"/participants/par_a"_s,
                                          {{u"role"_s, u"host"_s}});
        QCOMPARE(reply.status, 400);
        QVERIFY(reply.errorFields().contains(u"role"_s));
    }

    void actionsNeedTheWriteScope()
    {
        ApiClient reader(m_server->baseUrl(),
                         m_server->token(u"hana"_s, u"default"_s, {u"meeting.read"_s}));
        const ApiReply reply
            = reader.post(u"/v1/meetings/"_s + m_meeting + u"/participants/par_a/mute"_s, {});
        QCOMPARE(reply.status, 403);
        QCOMPARE(reply.code(), u"insufficient_scope"_s);
        QCOMPARE(reader.get(participantsPath(m_meeting)).status, 200);
    }

    void aMeetingThatIsNotLiveHasNoLivePart()
    {
        ApiClient host(m_server->baseUrl(), m_hostToken);
        const ApiReply read = host.get(u"/v1/meetings/"_s + m_meeting);
        QCOMPARE(read.status, 200);
        QVERIFY(read.json().contains(u"live"_s));
        QVERIFY(read.json().value(u"live").isNull());
    }

    void metricsShowTheLiveGauges()
    {
        ApiClient anyone(m_server->baseUrl());
        const QByteArray metrics = anyone.get(u"/metrics"_s).body;
        for (const QByteArray gauge :
             {"quorum_signal_sockets ", "quorum_live_participants ", "quorum_live_meetings "})
            QVERIFY2(metrics.contains("\n" + gauge), gauge.constData());
    }

    void theStreamStartsWithASnapshotOfThoseNotGone()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/meetings/" + m_meeting.toLatin1()
                     + "/participants/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: "
                       "Bearer "
                     + m_cohostToken.toLatin1() + "\r\n\r\n");
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += socket.readAll()).contains("}\n\n"), 5000);

        const qsizetype headEnd = received.indexOf("\r\n\r\n");
        QVERIFY(headEnd > 0);
        const QByteArray head = received.left(headEnd);
        QVERIFY2(head.startsWith("HTTP/1.1 200"), head.constData());
        QVERIFY(head.contains("Content-Type: text/event-stream"));
        QVERIFY(head.contains("X-Request-Id: "));
        QVERIFY(!head.toLower().contains("content-length"));

        const QByteArray events = received.mid(headEnd + 4);
        QVERIFY2(events.startsWith("event: snapshot\ndata: "), events.constData());
        const QByteArray data = events.mid(events.indexOf("data: ") + 6).trimmed();
        const QJsonObject snapshot = QJsonDocument::fromJson(data).object();
        QCOMPARE(snapshot.value(u"meeting_id").toString(), m_meeting);
        QStringList ids;
        for (const QJsonValue &item : snapshot.value(u"participants").toArray())
            ids << item.toObject().value(u"id").toString();
        QCOMPARE(ids, (QStringList{u"par_a"_s, u"par_b"_s}));

        // The client goes away; the server carries on.
        socket.abort();
        ApiClient host(m_server->baseUrl(), m_hostToken);
        QTRY_COMPARE_WITH_TIMEOUT(host.get(participantsPath(m_meeting)).status, 200, 5000);
        QVERIFY(m_server->isRunning());
    }
};

QTEST_GUILESS_MAIN(tst_ParticipantsApi)
#include "tst_participants_api.moc"
