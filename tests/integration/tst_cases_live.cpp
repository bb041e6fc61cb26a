// Cases C04, C06, C11, C12 (the socket parts) and C13 of ../shared/cases/cases.md against a
// real quorumd over real sockets, one test function per case part.

#include "DatabaseReader.h"
#include "LiveScenario.h"
#include "RawSignalSocket.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

QString participantPath(const QString &meetingId, const QString &participantId,
                        const QString &tail = {})
{
    return u"/v1/meetings/%1/participants/%2%3"_s.arg(meetingId, participantId, tail);
}

QJsonObject participantOf(const ApiReply &reply)
{
    const QJsonObject body = reply.json();
    return body.value(u"participant"_s).isObject() ? body.value(u"participant"_s).toObject() : body;
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

qint64 expiryOf(const QString &jwt)
{
    const QByteArray payload
        = QByteArray::fromBase64(jwt.toLatin1().split('.').value(1), QByteArray::Base64UrlEncoding);
    return qint64(QJsonDocument::fromJson(payload).object().value(u"exp"_s).toDouble());
}

const QRegularExpression kUrlSafe(u"^[A-Za-z0-9_-]+$"_s);

} // namespace

class tst_CasesLive : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<LiveScenario> m_live;

    QString endMeeting(const QString &meetingId)
    {
        const ApiReply ended = m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {});
        return ended.status == 200 ? QString() : QString::fromUtf8(ended.body);
    }

    // A meeting anyone may enter at once (no waiting room, join-before-host).
    QString openMeeting() { return m_live->createMeeting(false, true); }

    // Sends `join` for `user`, and returns the answer; the socket goes to `client`.
    QJsonObject joinWith(std::unique_ptr<SignalClient> &client, const QString &jwt,
                         const QString &meetingId = {})
    {
        client = m_live->connect();
        if (!client)
            return {};
        return client->join(jwt, meetingId);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_live = std::make_unique<LiveScenario>();
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
        QVERIFY2(m_live->connect(), "quorumd does not serve /v1/signal yet");
    }

    void cleanupTestCase() { m_live.reset(); }

    // C04 (a). The rule: a join that never completed leaves no participant.joined. A join
    // frame cut in half never reaches the hub; a whole one whose socket drops at once may
    // have joined, and then it also leaves (timeout), never one without the other.
    void c04a_data()
    {
        QTest::addColumn<bool>("wholeFrame");
        QTest::newRow("half a join frame then a dropped connection leaves no trace") << false;
        QTest::newRow("a join frame then a dropped connection leaves a matched pair or nothing")
            << true;
    }

    void c04a()
    {
        QFETCH(bool, wholeFrame);
        const QString meetingId = openMeeting();
        QVERIFY(!meetingId.isEmpty());
        const QString jwt = m_live->joinToken(u"bob"_s, meetingId);

        {
            RawSignalSocket raw;
            QVERIFY(raw.open(m_live->port()));
            raw.sendText(
                QJsonDocument(
                    QJsonObject{{u"type"_s, u"join"_s}, {u"id"_s, u"1"_s}, {u"token"_s, jwt}})
                    .toJson(QJsonDocument::Compact),
                !wholeFrame);
            raw.abort();
        }
        // The host's arrival afterwards: the server has handled the dropped socket by then.
        std::unique_ptr<SignalClient> host;
        QCOMPARE(
            joinWith(host, m_live->joinToken(u"admin"_s, meetingId)).value(u"type"_s).toString(),
            u"joined"_s);

        DatabaseReader db(m_live->server());
        const QString bobId = m_live->userId(u"bob"_s);
        auto bobRows = [&] {
            QList<QJsonObject> rows;
            for (const QJsonObject &row : db.participants(meetingId)) {
                if (row.value(u"user_id"_s).toString() == bobId)
                    rows << row;
            }
            return rows;
        };
        if (!wholeFrame) {
            QCOMPARE(bobRows().size(), 0);
        } else {
            // Joined after all: then it leaves with reason timeout once the grace is over.
            QTRY_VERIFY_WITH_TIMEOUT(
                bobRows().isEmpty() || bobRows().first().value(u"state"_s) == u"left"_s, 6000);
            if (!bobRows().isEmpty())
                QCOMPARE(bobRows().first().value(u"leave_reason"_s).toString(), u"timeout"_s);
        }
        QCOMPARE(endMeeting(meetingId), QString());
        const QString problem = db.pairingProblem(meetingId);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    // C04 (b): a client gone without a close frame leaves with reason timeout, once.
    void c04b_data()
    {
        QTest::addColumn<bool>("silent");
        QTest::newRow("a killed client (the connection drops) leaves after the grace") << false;
        QTest::newRow("a vanished client (no pongs) leaves after ping timeout and grace") << true;
    }

    void c04b()
    {
        QFETCH(bool, silent);
        const QString meetingId = openMeeting();
        std::unique_ptr<SignalClient> host;
        QCOMPARE(
            joinWith(host, m_live->joinToken(u"admin"_s, meetingId)).value(u"type"_s).toString(),
            u"joined"_s);

        QElapsedTimer clock;
        QString bobId;
        RawSignalSocket raw;
        if (silent) {
            QVERIFY(raw.open(m_live->port()));
            raw.sendJson({{u"type"_s, u"join"_s},
                          {u"id"_s, u"1"_s},
                          {u"token"_s, m_live->joinToken(u"bob"_s, meetingId)}});
            bobId = raw.waitFor(u"joined"_s).value(u"participant_id"_s).toString();
            clock.start();
        } else {
            std::unique_ptr<SignalClient> bob;
            bobId = joinWith(bob, m_live->joinToken(u"bob"_s, meetingId))
                        .value(u"participant_id"_s)
                        .toString();
            clock.start();
            bob->abort();
        }
        QVERIFY(!bobId.isEmpty());

        const QJsonObject left = host->waitFor(u"participant_left"_s, 8000);
        QCOMPARE(left.value(u"participant_id"_s).toString(), bobId);
        QCOMPARE(left.value(u"reason"_s).toString(), u"timeout"_s);
        // Not before the grace (2 s), and for the silent one the ping timeout (2 s) too.
        const qint64 least = silent ? 3600 : 1800;
        QVERIFY2(clock.elapsed() >= least, qPrintable(QString::number(clock.elapsed())));

        QCOMPARE(endMeeting(meetingId), QString());
        DatabaseReader db(m_live->server());
        const QString problem = db.pairingProblem(meetingId);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        int leftEvents = 0;
        for (const EventRow &event :
             DatabaseReader::eventsOfType(db.events(meetingId), u"participant.left"_s)) {
            if (event.data.value(u"participant_id"_s).toString() == bobId) {
                ++leftEvents;
                QCOMPARE(event.data.value(u"reason"_s).toString(), u"timeout"_s);
            }
        }
        QCOMPARE(leftEvents, 1);
    }

    // C04 (c): a removed participant leaves once, with reason removed.
    void c04c()
    {
        const QString meetingId = openMeeting();
        std::unique_ptr<SignalClient> host;
        std::unique_ptr<SignalClient> bob;
        QVERIFY(!joinWith(host, m_live->joinToken(u"admin"_s, meetingId)).isEmpty());
        const QString bobId = joinWith(bob, m_live->joinToken(u"bob"_s, meetingId))
                                  .value(u"participant_id"_s)
                                  .toString();
        QVERIFY(!bobId.isEmpty());

        QCOMPARE(m_live->api().del(participantPath(meetingId, bobId)).status, 204);
        QVERIFY(bob->waitForClosed());
        QCOMPARE(host->waitFor(u"participant_left"_s).value(u"reason"_s).toString(), u"removed"_s);
        // A second removal finds nobody to remove and writes nothing.
        QVERIFY(m_live->api().del(participantPath(meetingId, bobId)).status >= 400);

        QCOMPARE(endMeeting(meetingId), QString());
        DatabaseReader db(m_live->server());
        QList<EventRow> bobLeft;
        for (const EventRow &event :
             DatabaseReader::eventsOfType(db.events(meetingId), u"participant.left"_s)) {
            if (event.data.value(u"participant_id"_s).toString() == bobId)
                bobLeft << event;
        }
        QCOMPARE(bobLeft.size(), 1);
        QCOMPARE(bobLeft.first().data.value(u"reason"_s).toString(), u"removed"_s);
        QVERIFY(db.pairingProblem(meetingId).isEmpty());
    }

    // C04 (d): :end with three participants: a left for each, then meeting.ended, in
    // sequence order, none after ended_at. Recording does not exist yet (no
    // recording.stopped to expect); the rest of the order is checked.
    void c04d()
    {
        const QString meetingId = openMeeting();
        std::unique_ptr<SignalClient> clients[3];
        QStringList ids;
        const QStringList users{u"admin"_s, u"bob"_s, u"carol"_s};
        for (int i = 0; i < 3; ++i) {
            ids << joinWith(clients[i], m_live->joinToken(users[i], meetingId))
                       .value(u"participant_id"_s)
                       .toString();
            QVERIFY(!ids.last().isEmpty());
        }

        QCOMPARE(endMeeting(meetingId), QString());
        for (auto &client : clients) {
            QVERIFY(client->waitForClosed());
            QCOMPARE(client->closeCode(), 4005);
        }

        DatabaseReader db(m_live->server());
        const QList<EventRow> events = db.events(meetingId);
        QVERIFY(events.size() >= 4);
        const QList<EventRow> tail = events.mid(events.size() - 4);
        QStringList leftIds;
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(tail[i].type, u"participant.left"_s);
            QCOMPARE(tail[i].data.value(u"reason"_s).toString(), u"meeting_ended"_s);
            leftIds << tail[i].data.value(u"participant_id"_s).toString();
        }
        QCOMPARE(tail[3].type, u"meeting.ended"_s);
        QCOMPARE(QSet<QString>(leftIds.begin(), leftIds.end()),
                 QSet<QString>(ids.begin(), ids.end()));
        for (qsizetype i = 1; i < events.size(); ++i)
            QVERIFY(events[i].sequence > events[i - 1].sequence);
        const QDateTime endedAt = QDateTime::fromString(
            tail[3].data.value(u"ended_at"_s).toString(), Qt::ISODateWithMs);
        QVERIFY(endedAt.isValid());
        for (const EventRow &event : events)
            QVERIFY2(event.occurredAtMs <= endedAt.toMSecsSinceEpoch(), qPrintable(event.type));
        QVERIFY(db.pairingProblem(meetingId).isEmpty());
    }

    // C06: the participants list pages by (joined_at, id) and its cursors are checked.
    void c06()
    {
        const QString meetingId = openMeeting();
        // Joined one right after the other, so their joined_at seconds (milliseconds in
        // fact) are as close as the server allows.
        std::unique_ptr<SignalClient> clients[4];
        const QStringList tokens{
            m_live->joinToken(u"bob"_s, meetingId), m_live->joinToken(u"carol"_s, meetingId),
            m_live->joinToken(u"dave"_s, meetingId), m_live->joinToken(u"erin"_s, meetingId)};
        for (int i = 0; i < 3; ++i) {
            clients[i] = m_live->connect();
            QVERIFY(clients[i]);
            clients[i]->send({{u"type"_s, u"join"_s}, {u"id"_s, u"j"_s}, {u"token"_s, tokens[i]}});
        }
        QStringList firstThree;
        for (int i = 0; i < 3; ++i) {
            firstThree << clients[i]->waitFor(u"joined"_s).value(u"participant_id"_s).toString();
            QVERIFY(!firstThree.last().isEmpty());
            QVERIFY2(firstThree.last().contains(kUrlSafe), qPrintable(firstThree.last()));
        }

        const ApiReply first = m_live->participants(meetingId, u"page_size=2"_s);
        QCOMPARE(first.status, 200);
        const QJsonArray firstPage = first.json().value(u"participants"_s).toArray();
        QCOMPARE(firstPage.size(), 2);
        const QString cursor = first.json().value(u"next_cursor"_s).toString();
        QVERIFY(!cursor.isEmpty());
        QVERIFY2(cursor.contains(kUrlSafe), qPrintable(cursor));

        // A fourth joins between the pages.
        QCOMPARE(joinWith(clients[3], tokens[3]).value(u"type"_s).toString(), u"joined"_s);
        QList<QJsonObject> seen;
        for (const QJsonValue &entry : firstPage)
            seen << entry.toObject();
        QString next = cursor;
        for (int page = 0; page < 10 && !next.isEmpty(); ++page) {
            const ApiReply reply = m_live->participants(meetingId, u"page_size=2&cursor="_s + next);
            QCOMPARE(reply.status, 200);
            for (const QJsonValue &entry : reply.json().value(u"participants"_s).toArray())
                seen << entry.toObject();
            next = reply.json().value(u"next_cursor"_s).toString();
        }
        QStringList seenIds;
        for (const QJsonObject &entry : seen)
            seenIds << entry.value(u"id"_s).toString();
        for (const QString &id : firstThree)
            QCOMPARE(seenIds.count(id), 1);
        QVERIFY(seenIds.size() == 3 || seenIds.size() == 4);
        // In (joined_at, id) order.
        for (qsizetype i = 1; i < seen.size(); ++i) {
            const auto before = std::make_pair(seen[i - 1].value(u"joined_at"_s).toString(),
                                               seen[i - 1].value(u"id"_s).toString());
            const auto after = std::make_pair(seen[i].value(u"joined_at"_s).toString(),
                                              seen[i].value(u"id"_s).toString());
            QVERIFY(before < after);
        }

        // A changed character, a cursor of another meeting, sizes out of 1-300.
        QString tampered = cursor;
        const qsizetype middle = tampered.size() / 2;
        tampered[middle] = tampered[middle] == u'A' ? u'B' : u'A';
        ApiReply bad = m_live->participants(meetingId, u"page_size=2&cursor="_s + tampered);
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.code(), u"invalid_cursor"_s);

        const QString other = openMeeting();
        std::unique_ptr<SignalClient> otherA;
        std::unique_ptr<SignalClient> otherB;
        QVERIFY(!joinWith(otherA, m_live->joinToken(u"bob"_s, other)).isEmpty());
        QVERIFY(!joinWith(otherB, m_live->joinToken(u"carol"_s, other)).isEmpty());
        const QString foreign = m_live->participants(other, u"page_size=1"_s)
                                    .json()
                                    .value(u"next_cursor"_s)
                                    .toString();
        QVERIFY(!foreign.isEmpty());
        bad = m_live->participants(meetingId, u"page_size=2&cursor="_s + foreign);
        QCOMPARE(bad.status, 400);
        QCOMPARE(bad.code(), u"invalid_cursor"_s);

        QCOMPARE(m_live->participants(meetingId, u"page_size=0"_s).status, 400);
        QCOMPARE(m_live->participants(meetingId, u"page_size=100000"_s).status, 400);
        QCOMPARE(m_live->participants(meetingId, u"page_size=300"_s).status, 200);
        QCOMPARE(m_live->participants(meetingId, u"state=present"_s)
                     .json()
                     .value(u"participants"_s)
                     .toArray()
                     .size(),
                 4);

        // The encoded-slash path is no path to anything.
        const QByteArray answer = rawExchange(
            m_live->port(),
            "GET /v1/meetings/abc%2F..%2Fx HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                + m_live->bearer().toLatin1() + "\r\nConnection: close\r\n\r\n");
        QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.left(40).constData());

        QCOMPARE(endMeeting(meetingId), QString());
        QCOMPARE(endMeeting(other), QString());
    }

    // C11: a removed participant cannot come back with the old token.
    void c11()
    {
        const QString meetingId = openMeeting();
        std::unique_ptr<SignalClient> host;
        std::unique_ptr<SignalClient> p;
        QVERIFY(!joinWith(host, m_live->joinToken(u"admin"_s, meetingId)).isEmpty());
        const QString jwt = m_live->joinToken(u"bob"_s, meetingId);
        const QString pid = joinWith(p, jwt).value(u"participant_id"_s).toString();
        QVERIFY(!pid.isEmpty());

        // Step 2: 204, a close frame with the removed code, one left (removed).
        QCOMPARE(m_live->api().del(participantPath(meetingId, pid)).status, 204);
        QVERIFY(p->waitForClosed());
        QCOMPARE(p->closeCode(), 4004);

        // Step 3: the same J at once is refused.
        std::unique_ptr<SignalClient> again;
        const QJsonObject refused = joinWith(again, jwt);
        QCOMPARE(refused.value(u"type"_s).toString(), u"error"_s);
        QVERIFY2(QStringList({u"token_used"_s, u"removed_from_meeting"_s})
                     .contains(refused.value(u"code"_s).toString()),
                 qPrintable(refused.value(u"code"_s).toString()));
        QVERIFY(again->waitForClosed());
        QCOMPARE(again->closeCode(), 4003);

        // Step 4: barred for the rest of the meeting.
        const ApiReply fresh = m_live->joinTokenReply(u"bob"_s, meetingId);
        QCOMPARE(fresh.status, 403);
        QCOMPARE(fresh.code(), u"removed_from_meeting"_s);

        QCOMPARE(endMeeting(meetingId), QString());
        DatabaseReader db(m_live->server());
        const QList<EventRow> left
            = DatabaseReader::eventsOfType(db.events(meetingId), u"participant.left"_s);
        int removed = 0;
        for (const EventRow &event : left)
            removed += event.data.value(u"reason"_s).toString() == u"removed" ? 1 : 0;
        QCOMPARE(removed, 1);
    }

    // C12, the socket parts, with a server of its own whose join tokens live 2 s.
    void c12()
    {
        LiveScenario shortLived({u"--join-token-ttl"_s, u"2"_s});
        QVERIFY2(shortLived.start(), shortLived.server().standardError().constData());
        const QString m1 = shortLived.createMeeting(false, true);
        const QString m2 = shortLived.createMeeting(false, true);
        QVERIFY(!m1.isEmpty() && !m2.isEmpty());

        auto refusal = [&](const QString &token, const QString &meetingId) {
            auto client = shortLived.connect();
            if (!client)
                return QString(u"no socket"_s);
            const QJsonObject answer = client->join(token, meetingId);
            if (answer.value(u"type"_s).toString() != u"error")
                return u"accepted: "_s + answer.value(u"type"_s).toString();
            if (!client->waitForClosed() || client->closeCode() != 4003)
                return u"not closed with 4003"_s;
            return answer.value(u"code"_s).toString();
        };

        // J with M2 named in the frame.
        const QString jwt = shortLived.joinToken(u"bob"_s, m1);
        QVERIFY(!jwt.isEmpty());
        QCOMPARE(refusal(jwt, m2), u"wrong_meeting"_s);

        // J with its signature changed, and J re-headed as alg none.
        QList<QByteArray> parts = jwt.toLatin1().split('.');
        QCOMPARE(parts.size(), 3);
        QByteArray signature = parts[2];
        signature[signature.size() / 2] = signature[signature.size() / 2] == 'A' ? 'B' : 'A';
        QCOMPARE(refusal(QString::fromLatin1(parts[0] + '.' + parts[1] + '.' + signature), {}),
                 u"invalid_token"_s);
        const QByteArray none = base64Url(R"({"alg":"none","typ":"JWT"})");
        QCOMPARE(refusal(QString::fromLatin1(none + '.' + parts[1] + '.'), {}), u"invalid_token"_s);

        // Meanwhile a participant joins with a fresh token that expires under it.
        const QString lasting = shortLived.joinToken(u"carol"_s, m1);
        auto carol = shortLived.connect();
        QVERIFY(carol);
        const QJsonObject joined = carol->join(lasting);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);
        const QString resumeToken = joined.value(u"resume_token"_s).toString();

        // J at exp + 1 s: refused, no leeway.
        const qint64 exp = qMax(expiryOf(jwt), expiryOf(lasting));
        QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentSecsSinceEpoch() >= exp + 1, 5000);
        QCOMPARE(refusal(jwt, {}), u"token_expired"_s);

        // The participant past its token's expiry loses the network and comes back through
        // the resume token, as the same participant.
        carol->abort();
        auto back = shortLived.connect();
        QVERIFY(back);
        const QJsonObject resumed = back->resume(resumeToken);
        QCOMPARE(resumed.value(u"type"_s).toString(), u"resumed"_s);
        QCOMPARE(resumed.value(u"participant_id"_s).toString(),
                 joined.value(u"participant_id"_s).toString());
        QCOMPARE(resumed.value(u"meeting_id"_s).toString(), m1);

        // Cancelled M2: no more tokens (410).
        QCOMPARE(shortLived.api().del(u"/v1/meetings/"_s + m2).status, 204);
        QCOMPARE(shortLived.joinTokenReply(u"bob"_s, m2).status, 410);
    }

    // C13: the mute state shows what the client acknowledged, and nothing forces an unmute.
    void c13()
    {
        const QString meetingId = openMeeting();
        std::unique_ptr<SignalClient> host;
        std::unique_ptr<SignalClient> p;
        QVERIFY(!joinWith(host, m_live->joinToken(u"admin"_s, meetingId)).isEmpty());
        const QString pid = joinWith(p, m_live->joinToken(u"bob"_s, meetingId))
                                .value(u"participant_id"_s)
                                .toString();
        QVERIFY(!pid.isEmpty());
        const QString mutePath = participantPath(meetingId, pid, u"/mute"_s);

        // Step 1: the client acks after 200 ms.
        p->ackMuteRequestsAfter(200);
        ApiReply reply = m_live->api().post(mutePath, {{u"muted"_s, true}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"acknowledged"_s).toBool(), true);
        QCOMPARE(participantOf(reply).value(u"audio_muted"_s).toBool(), true);
        QCOMPARE(participantOf(reply).value(u"mute_acknowledged"_s).toBool(), true);
        QJsonObject update;
        for (int i = 0; i < 3 && !update.value(u"mute_acknowledged"_s).toBool(); ++i)
            update = host->waitFor(u"participant_updated"_s).value(u"participant"_s).toObject();
        QCOMPARE(update.value(u"mute_acknowledged"_s).toBool(), true);

        // Step 2: no ack. 200 after the wait, the flag stands, shown as not confirmed.
        p->ackMuteRequestsAfter(-1);
        QElapsedTimer clock;
        clock.start();
        reply = m_live->api().post(mutePath, {{u"muted"_s, true}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"acknowledged"_s).toBool(true), false);
        QVERIFY2(clock.elapsed() >= 1800, qPrintable(QString::number(clock.elapsed())));
        QJsonObject listed = m_live->listedParticipant(meetingId, pid);
        QCOMPARE(listed.value(u"audio_muted"_s).toBool(), true);
        QCOMPARE(listed.value(u"mute_acknowledged"_s).toBool(true), false);

        // Step 3: an unmute is a request; the state changes only by the client's own word.
        reply = m_live->api().post(mutePath, {{u"muted"_s, false}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(participantOf(reply).value(u"audio_muted"_s).toBool(), true);
        QVERIFY(!p->waitFor(u"unmute_request"_s).isEmpty());
        QCOMPARE(m_live->listedParticipant(meetingId, pid).value(u"audio_muted"_s).toBool(), true);
        p->send({{u"type"_s, u"media_state"_s}, {u"audio_muted"_s, false}});
        QTRY_COMPARE(m_live->listedParticipant(meetingId, pid).value(u"audio_muted"_s).toBool(true),
                     false);

        // And with the client gone: no ack can come.
        p->abort();
        clock.restart();
        reply = m_live->api().post(mutePath, {{u"muted"_s, true}});
        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.json().value(u"acknowledged"_s).toBool(true), false);
        QCOMPARE(participantOf(reply).value(u"mute_acknowledged"_s).toBool(true), false);

        QCOMPARE(endMeeting(meetingId), QString());
    }
};

QTEST_GUILESS_MAIN(tst_CasesLive)
#include "tst_cases_live.moc"
