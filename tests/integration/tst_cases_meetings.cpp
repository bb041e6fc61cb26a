// Cases C06, C07, C08 and C10 (shared/cases/cases.md) on the meetings routes, against a real
// quorumd: pagination, state and validation rules, one validator everywhere, unguessable ids.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kUnknownMeeting = u"mtg_0000000000000000000000"_s;

QString errorMessages(const ApiReply &reply)
{
    QStringList messages;
    for (const QJsonValue &error : reply.json().value(u"errors").toArray())
        messages << error.toObject().value(u"message").toString();
    return messages.join(u" | ");
}

bool isUrlSafe(const QString &text)
{
    static const QRegularExpression safe(u"^[A-Za-z0-9_-]+$"_s);
    return safe.match(text).hasMatch();
}

// Follows the dotted path ("settings.auto_recording") into a meeting object.
QJsonValue valueAt(const QJsonObject &object, const QString &path)
{
    QJsonValue value = object;
    for (const QString &part : path.split(u'.'))
        value = value.toObject().value(part);
    return value;
}

} // namespace

class tst_CasesMeetings : public QObject
{
    Q_OBJECT

private:
    static QJsonObject newMeeting(const QString &topic = u"Case meeting"_s,
                                  const QString &start = u"2030-05-04T09:00:00Z"_s)
    {
        return {{u"topic"_s, topic},
                {u"start_time"_s, start},
                {u"duration_minutes"_s, 30},
                {u"timezone"_s, u"Europe/Berlin"_s}};
    }

    // A user of its own, so that lists hold exactly what the test made.
    QString freshUserToken(const QString &name, const QString &role = u"member"_s)
    {
        if (m_server->createUser(name, u"default"_s, role).isEmpty())
            return {};
        return m_server->token(name);
    }

    QString createMeeting(ApiClient &client, const QJsonObject &body)
    {
        const ApiReply created = client.post(u"/v1/meetings"_s, body);
        return created.status == 201 ? created.json().value(u"id").toString() : QString();
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QString m_token;

private Q_SLOTS:
    void initTestCase()
    {
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_token = m_server->token();
        QVERIFY(m_token.startsWith(u"qpat_"));
    }

    void cleanupTestCase() { m_server.reset(); }

    // C06 ---------------------------------------------------------------------------------

    void c06_pagesNeitherSkipNorRepeatWhenAMeetingIsInsertedMidScan()
    {
        const QString token = freshUserToken(u"pager"_s);
        QVERIFY(!token.isEmpty());
        ApiClient client(m_server->baseUrl(), token);
        QStringList originals;
        for (int i = 0; i < 5; ++i) {
            originals << createMeeting(client, newMeeting(u"Same start %1"_s.arg(i)));
            QVERIFY(!originals.constLast().isEmpty());
        }

        const ApiReply first = client.get(u"/v1/meetings?page_size=2"_s);
        QCOMPARE(first.status, 200);
        QStringList seen;
        for (const QJsonValue &meeting : first.json().value(u"meetings").toArray())
            seen << meeting.toObject().value(u"id").toString();
        QCOMPARE(seen.size(), 2);
        QString cursor = first.json().value(u"next_cursor").toString();
        QVERIFY(isUrlSafe(cursor));

        // Same start time, random id: it sorts before or after the cursor, never both.
        const QString inserted = createMeeting(client, newMeeting(u"Inserted mid-scan"_s));
        QVERIFY(!inserted.isEmpty());

        while (!cursor.isEmpty()) {
            const ApiReply page = client.get(u"/v1/meetings?page_size=2&cursor="_s + cursor);
            QCOMPARE(page.status, 200);
            const QJsonArray items = page.json().value(u"meetings").toArray();
            QVERIFY(items.size() <= 2);
            for (const QJsonValue &meeting : items)
                seen << meeting.toObject().value(u"id").toString();
            const QJsonValue next = page.json().value(u"next_cursor");
            QVERIFY(next.isNull() || isUrlSafe(next.toString()));
            cursor = next.toString();
        }

        for (const QString &id : std::as_const(originals))
            QCOMPARE(seen.count(id), 1);
        QVERIFY(seen.count(inserted) <= 1);
        QCOMPARE(seen.size(), originals.size() + seen.count(inserted));
        for (const QString &id : std::as_const(seen))
            QVERIFY2(isUrlSafe(id), qPrintable(id));
    }

    void c06_aCursorNotIssuedForThisListIsInvalid_data()
    {
        QTest::addColumn<QString>("kind");

        QTest::newRow("a cursor with its first character changed") << u"first"_s;
        QTest::newRow("a cursor with a middle character changed") << u"middle"_s;
        QTest::newRow("a cursor whose last character differs only in bits base64 drops")
            << u"last"_s;
        QTest::newRow("a cursor with padding added") << u"padded"_s;
        QTest::newRow("a cursor from the list of another user") << u"user"_s;
        QTest::newRow("a cursor from the same list under another filter") << u"filter"_s;
        QTest::newRow("a cursor from the tokens list") << u"tokens"_s;
        QTest::newRow("a cursor that is not base64 at all") << u"garbage"_s;
    }

    void c06_aCursorNotIssuedForThisListIsInvalid()
    {
        QFETCH(QString, kind);
        const QString token = freshUserToken(u"cursor-"_s + kind);
        QVERIFY(!token.isEmpty());
        ApiClient client(m_server->baseUrl(), token);
        for (int i = 0; i < 3; ++i)
            QVERIFY(!createMeeting(client, newMeeting(u"Cursor %1"_s.arg(i))).isEmpty());
        const QString own
            = client.get(u"/v1/meetings?page_size=1"_s).json().value(u"next_cursor").toString();
        QVERIFY(!own.isEmpty());

        QString cursor;
        if (kind == u"first" || kind == u"middle") {
            cursor = own;
            const qsizetype at = kind == u"first" ? 0 : own.size() / 2;
            cursor[at] = cursor.at(at) == u'A' ? u'B' : u'A';
        } else if (kind == u"last") {
            // A decoder that ignores the unused low bits would take this for the same cursor.
            static const QString alphabet
                = u"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"_s;
            cursor = own;
            const qsizetype last = cursor.size() - 1;
            const qsizetype index = alphabet.indexOf(cursor.at(last));
            QVERIFY(index >= 0);
            if (own.size() % 4 == 0)
                QSKIP("this cursor's length leaves no spare bits to flip");
            cursor[last] = alphabet.at(index ^ 1);
        } else if (kind == u"padded") {
            cursor = own + u"%3D"_s;
        } else if (kind == u"user") {
            ApiClient admin(m_server->baseUrl(), m_token);
            QVERIFY(!createMeeting(admin, newMeeting()).isEmpty());
            QVERIFY(!createMeeting(admin, newMeeting()).isEmpty());
            cursor
                = admin.get(u"/v1/meetings?page_size=1"_s).json().value(u"next_cursor").toString();
        } else if (kind == u"filter") {
            cursor = client.get(u"/v1/meetings?page_size=1&state=SCHEDULED"_s)
                         .json()
                         .value(u"next_cursor")
                         .toString();
        } else if (kind == u"tokens") {
            QVERIFY(client
                        .post(u"/v1/tokens"_s,
                              {{u"name"_s, u"one"_s}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}})
                        .status
                    == 201);
            cursor
                = client.get(u"/v1/tokens?page_size=1"_s).json().value(u"next_cursor").toString();
        } else {
            cursor = u"not-a-cursor"_s;
        }
        QVERIFY(!cursor.isEmpty());
        QVERIFY(cursor != own);

        const ApiReply reply = client.get(u"/v1/meetings?page_size=1&cursor="_s + cursor);
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.code(), u"invalid_cursor"_s);
        QCOMPARE(reply.json().value(u"type").toString(), u"urn:quorum:problem:invalid_cursor"_s);
    }

    void c06_pageSizeOutOfRangeIsRefused_data()
    {
        QTest::addColumn<QString>("pageSize");
        QTest::addColumn<int>("status");

        QTest::newRow("page size zero") << u"0"_s << 400;
        QTest::newRow("page size one hundred thousand") << u"100000"_s << 400;
        QTest::newRow("page size minus one") << u"-1"_s << 400;
        QTest::newRow("page size three hundred and one") << u"301"_s << 400;
        QTest::newRow("page size that is not a number") << u"ten"_s << 400;
        QTest::newRow("page size one") << u"1"_s << 200;
        QTest::newRow("page size three hundred") << u"300"_s << 200;
    }

    void c06_pageSizeOutOfRangeIsRefused()
    {
        QFETCH(QString, pageSize);
        QFETCH(int, status);

        ApiClient client(m_server->baseUrl(), m_token);
        const ApiReply reply = client.get(u"/v1/meetings?page_size="_s + pageSize);
        QCOMPARE(reply.status, status);
        if (status == 400)
            QVERIFY2(reply.errorFields().contains(u"page_size"_s), reply.body.constData());
    }

    void c06_anEncodedSlashInTheMeetingPathIs404()
    {
        const QByteArray request = "GET /v1/meetings/abc%2F..%2Fx HTTP/1.1\r\n"
                                   "Host: 127.0.0.1\r\n"
                                   "Authorization: Bearer "
            + m_token.toLatin1()
            + "\r\n"
              "Connection: close\r\n\r\n";
        const QByteArray answer = rawExchange(m_server->port(), request);
        QVERIFY2(answer.startsWith("HTTP/1.1 404"), answer.left(200).constData());
    }

    // C07 ---------------------------------------------------------------------------------

    void c07_aPastStartTimeIsRefusedNamingTheField_data()
    {
        QTest::addColumn<bool>("onPatch");

        QTest::newRow("on create") << false;
        QTest::newRow("on patch") << true;
    }

    void c07_aPastStartTimeIsRefusedNamingTheField()
    {
        QFETCH(bool, onPatch);
        ApiClient client(m_server->baseUrl(), m_token);

        ApiReply reply;
        QString id;
        if (onPatch) {
            id = createMeeting(client, newMeeting());
            QVERIFY(!id.isEmpty());
            reply = client.patch(u"/v1/meetings/"_s + id,
                                 {{u"start_time"_s, u"2020-01-01T00:00:00Z"_s}});
        } else {
            reply
                = client.post(u"/v1/meetings"_s, newMeeting(u"Past"_s, u"2020-01-01T00:00:00Z"_s));
        }
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.errorFields().contains(u"start_time"_s), reply.body.constData());
        if (onPatch)
            QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(u"start_time").toString(),
                     u"2030-05-04T09:00:00Z"_s);
    }

    void c07_aCancelledMeetingRefusesEveryChange_data()
    {
        QTest::addColumn<QJsonObject>("patch");

        QTest::newRow("a new topic") << QJsonObject{{u"topic"_s, u"x"_s}};
        QTest::newRow("a new start time")
            << QJsonObject{{u"start_time"_s, u"2031-01-01T00:00:00Z"_s}};
        QTest::newRow("a nested setting")
            << QJsonObject{{u"settings"_s, QJsonObject{{u"auto_recording"_s, u"local"_s}}}};
    }

    void c07_aCancelledMeetingRefusesEveryChange()
    {
        QFETCH(QJsonObject, patch);
        ApiClient client(m_server->baseUrl(), m_token);
        const QString id = createMeeting(client, newMeeting(u"To cancel"_s));
        QVERIFY(!id.isEmpty());
        QCOMPARE(client.del(u"/v1/meetings/"_s + id).status, 204);
        const QJsonObject before = client.get(u"/v1/meetings/"_s + id).json();

        const ApiReply reply = client.patch(u"/v1/meetings/"_s + id, patch);
        QCOMPARE(reply.status, 409);
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));

        const QJsonObject after = client.get(u"/v1/meetings/"_s + id).json();
        QCOMPARE(after, before);
        QCOMPARE(after.value(u"state").toString(), u"CANCELLED"_s);
    }

    void c07_aNestedPartialUpdateKeepsTheOtherSettings()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        QJsonObject body = newMeeting(u"Nested"_s);
        body.insert(u"waiting_room"_s, false);
        body.insert(u"settings"_s,
                    QJsonObject{{u"mute_upon_entry"_s, false},
                                {u"allow_join_before_host"_s, true},
                                {u"auto_recording"_s, u"none"_s}});
        const QString id = createMeeting(client, body);
        QVERIFY(!id.isEmpty());

        const ApiReply patched
            = client.patch(u"/v1/meetings/"_s + id,
                           {{u"settings"_s, QJsonObject{{u"auto_recording"_s, u"local"_s}}}});
        QCOMPARE(patched.status, 200);

        const QJsonObject after = client.get(u"/v1/meetings/"_s + id).json();
        const QJsonObject settings = after.value(u"settings").toObject();
        QCOMPARE(settings.value(u"auto_recording").toString(), u"local"_s);
        QCOMPARE(settings.value(u"mute_upon_entry").toBool(true), false);
        QCOMPARE(settings.value(u"allow_join_before_host").toBool(false), true);
        QCOMPARE(after.value(u"waiting_room").toBool(true), false);
        QCOMPARE(after.value(u"topic").toString(), u"Nested"_s);
        QCOMPARE(patched.json(), after);
    }

    void c07_aDurationOutOfRangeIsRefusedNamingTheField_data()
    {
        QTest::addColumn<bool>("onPatch");
        QTest::addColumn<int>("minutes");

        QTest::newRow("1441 minutes on create") << false << 1441;
        QTest::newRow("1441 minutes on patch") << true << 1441;
        QTest::newRow("0 minutes on create") << false << 0;
        QTest::newRow("0 minutes on patch") << true << 0;
    }

    void c07_aDurationOutOfRangeIsRefusedNamingTheField()
    {
        QFETCH(bool, onPatch);
        QFETCH(int, minutes);
        ApiClient client(m_server->baseUrl(), m_token);

        ApiReply reply;
        QString id;
        if (onPatch) {
            id = createMeeting(client, newMeeting());
            QVERIFY(!id.isEmpty());
            reply = client.patch(u"/v1/meetings/"_s + id, {{u"duration_minutes"_s, minutes}});
        } else {
            QJsonObject body = newMeeting();
            body.insert(u"duration_minutes"_s, minutes);
            reply = client.post(u"/v1/meetings"_s, body);
        }
        QCOMPARE(reply.status, 400);
        QVERIFY2(reply.errorFields().contains(u"duration_minutes"_s), reply.body.constData());
        if (onPatch)
            QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(u"duration_minutes").toInt(),
                     30);
    }

    void c07_everyAcceptedPatchIsAppliedInFull_data()
    {
        QTest::addColumn<QJsonObject>("patch");
        QTest::addColumn<QStringList>("paths");
        QTest::addColumn<QVariantList>("expected");

        QTest::newRow("a new topic") << QJsonObject{{u"topic"_s, u"Renamed"_s}}
                                     << QStringList{u"topic"_s} << QVariantList{u"Renamed"_s};
        QTest::newRow("the longest duration")
            << QJsonObject{{u"duration_minutes"_s, 1440}} << QStringList{u"duration_minutes"_s}
            << QVariantList{1440};
        QTest::newRow("a start time with an offset")
            << QJsonObject{{u"start_time"_s, u"2031-02-03T10:15:00+01:00"_s}}
            << QStringList{u"start_time"_s} << QVariantList{u"2031-02-03T09:15:00Z"_s};
        QTest::newRow("a wall-time start time with a new time zone")
            << QJsonObject{{u"start_time"_s, u"2031-07-01T09:00:00"_s},
                           {u"timezone"_s, u"America/New_York"_s}}
            << QStringList{u"start_time"_s, u"timezone"_s}
            << QVariantList{u"2031-07-01T13:00:00Z"_s, u"America/New_York"_s};
        QTest::newRow("a passcode and the waiting room together")
            << QJsonObject{{u"passcode"_s, u"n3w-code"_s}, {u"waiting_room"_s, false}}
            << QStringList{u"passcode"_s, u"has_passcode"_s, u"waiting_room"_s}
            << QVariantList{u"n3w-code"_s, true, false};
        QTest::newRow("every setting at once")
            << QJsonObject{{u"settings"_s,
                            QJsonObject{{u"auto_recording"_s, u"cloud"_s},
                                        {u"mute_upon_entry"_s, false},
                                        {u"allow_join_before_host"_s, true}}}}
            << QStringList{u"settings.auto_recording"_s, u"settings.mute_upon_entry"_s,
                           u"settings.allow_join_before_host"_s}
            << QVariantList{u"cloud"_s, false, true};
        QTest::newRow("a topic with a duration and a setting")
            << QJsonObject{{u"topic"_s, u"Mixed"_s},
                           {u"duration_minutes"_s, 45},
                           {u"settings"_s, QJsonObject{{u"mute_upon_entry"_s, false}}}}
            << QStringList{u"topic"_s, u"duration_minutes"_s, u"settings.mute_upon_entry"_s,
                           u"settings.auto_recording"_s}
            << QVariantList{u"Mixed"_s, 45, false, u"none"_s};
    }

    void c07_everyAcceptedPatchIsAppliedInFull()
    {
        QFETCH(QJsonObject, patch);
        QFETCH(QStringList, paths);
        QFETCH(QVariantList, expected);
        ApiClient client(m_server->baseUrl(), m_token);
        const QString id = createMeeting(client, newMeeting(u"Before"_s));
        QVERIFY(!id.isEmpty());

        const ApiReply patched = client.patch(u"/v1/meetings/"_s + id, patch);
        QCOMPARE(patched.status, 200);

        const QJsonObject after = client.get(u"/v1/meetings/"_s + id).json();
        for (qsizetype i = 0; i < paths.size(); ++i) {
            QCOMPARE(valueAt(after, paths.at(i)).toVariant(), expected.at(i));
            QCOMPARE(valueAt(patched.json(), paths.at(i)).toVariant(), expected.at(i));
        }
        QVERIFY(after.value(u"version").toInt() > 1);
    }

    // C08 ---------------------------------------------------------------------------------

    void c08_oneValidatorOnCreateAndPatch_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::addColumn<bool>("accepted");

        QTest::newRow("a ten-character passcode from the allowed set")
            << u"passcode"_s << u"w46@_*-x9Z"_s << true;
        QTest::newRow("a ten-character passcode outside the allowed set")
            << u"passcode"_s << u"w46!(i{74n"_s << false;
        QTest::newRow("an eleven-character passcode") << u"passcode"_s << u"12345678901"_s << false;
        QTest::newRow("an empty passcode") << u"passcode"_s << QString() << false;
        QTest::newRow("a passcode with spaces around it") << u"passcode"_s << u" 1234 "_s << false;
        QTest::newRow("a passcode of six emoji")
            << u"passcode"_s << QString(u"😀"_s).repeated(6) << false;
        QTest::newRow("a topic of 200 emoji")
            << u"topic"_s << QString(u"😀"_s).repeated(200) << true;
        QTest::newRow("a topic of 200 letters") << u"topic"_s << u"a"_s.repeated(200) << true;
        QTest::newRow("a topic of 201 letters") << u"topic"_s << u"a"_s.repeated(201) << false;
        QTest::newRow("a topic of 201 emoji")
            << u"topic"_s << QString(u"😀"_s).repeated(201) << false;
        QTest::newRow("an empty topic") << u"topic"_s << QString() << false;
    }

    void c08_oneValidatorOnCreateAndPatch()
    {
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFETCH(bool, accepted);
        ApiClient client(m_server->baseUrl(), m_token);

        QJsonObject body = newMeeting();
        body.insert(field, value);
        const ApiReply created = client.post(u"/v1/meetings"_s, body);
        QCOMPARE(created.status, accepted ? 201 : 400);

        const QString id = createMeeting(client, newMeeting(u"Plain"_s));
        QVERIFY(!id.isEmpty());
        const ApiReply patched = client.patch(u"/v1/meetings/"_s + id, {{field, value}});
        QCOMPARE(patched.status, accepted ? 200 : 400);

        if (accepted) {
            QCOMPARE(created.json().value(field).toString(), value);
            QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(field).toString(), value);
            return;
        }
        // The same refusal, word for word, on both routes.
        QCOMPARE(created.errorFields(), QStringList{field});
        QCOMPARE(patched.errorFields(), QStringList{field});
        QCOMPARE(errorMessages(created), errorMessages(patched));
        if (field == u"passcode")
            QVERIFY2(errorMessages(created).contains(u"A-Z a-z 0-9 @ _ * -"_s),
                     qPrintable(errorMessages(created)));
        QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(u"topic").toString(), u"Plain"_s);
    }

    void c08_aPasscodeAcceptedOnCreateIsAcceptedByJoinToken()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        QJsonObject body = newMeeting(u"Joinable"_s);
        body.insert(u"passcode"_s, u"w46@_*-x9Z"_s);
        const QString id = createMeeting(client, body);
        QVERIFY(!id.isEmpty());

        const ApiReply joined = client.post(u"/v1/meetings/"_s + id + u"/joinToken"_s,
                                            {{u"passcode"_s, u"w46@_*-x9Z"_s}});
        QCOMPARE(joined.status, 200);
        QVERIFY(!joined.json().value(u"jwt").toString().isEmpty());

        // The same validator: a passcode outside the set is a 400 here too, not a 403.
        const ApiReply malformed = client.post(u"/v1/meetings/"_s + id + u"/joinToken"_s,
                                               {{u"passcode"_s, u"w46!(i{74n"_s}});
        QCOMPARE(malformed.status, 400);
        QCOMPARE(malformed.errorFields(), QStringList{u"passcode"_s});
    }

    // C10 ---------------------------------------------------------------------------------

    void c10_idsAreRandomAndNotSequential()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        QStringList ids;
        for (int i = 0; i < 3; ++i) {
            ids << createMeeting(client, newMeeting(u"Id %1"_s.arg(i)));
            // 22 base62 digits hold 128 bits; at least 17 are needed for 96.
            static const QRegularExpression shape(u"^mtg_[A-Za-z0-9]{22}$"_s);
            QVERIFY2(shape.match(ids.constLast()).hasMatch(), qPrintable(ids.constLast()));
        }
        QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), 3);

        // Sequential or time-ordered ids share long prefixes; random ones almost never do.
        for (int a = 0; a < ids.size(); ++a) {
            for (int b = a + 1; b < ids.size(); ++b) {
                int common = 0;
                while (ids.at(a).at(4 + common) == ids.at(b).at(4 + common))
                    ++common;
                QVERIFY2(common < 5, qPrintable(ids.at(a) + u' ' + ids.at(b)));
            }
        }
    }

    void c10_someoneElsesMeetingAnswersLikeOneThatDoesNotExist_data()
    {
        QTest::addColumn<bool>("cancelled");
        QTest::addColumn<QString>("method");

        for (const bool cancelled : {false, true}) {
            const char *state = cancelled ? "a cancelled" : "a scheduled";
            QTest::addRow("reading %s meeting with a passcode", state) << cancelled << u"GET"_s;
            QTest::addRow("changing %s meeting with a passcode", state) << cancelled << u"PATCH"_s;
            QTest::addRow("cancelling %s meeting with a passcode", state)
                << cancelled << u"DELETE"_s;
        }
    }

    void c10_someoneElsesMeetingAnswersLikeOneThatDoesNotExist()
    {
        QFETCH(bool, cancelled);
        QFETCH(QString, method);
        ApiClient admin(m_server->baseUrl(), m_token);
        QJsonObject body = newMeeting(u"Private"_s);
        body.insert(u"passcode"_s, u"1234"_s);
        const QString id = createMeeting(admin, body);
        QVERIFY(!id.isEmpty());
        if (cancelled)
            QCOMPARE(admin.del(u"/v1/meetings/"_s + id).status, 204);

        if (m_strangerToken.isEmpty())
            m_strangerToken = freshUserToken(u"stranger"_s);
        QVERIFY(!m_strangerToken.isEmpty());
        ApiClient stranger(m_server->baseUrl(), m_strangerToken);
        auto send = [&](const QString &target) {
            const QString path = u"/v1/meetings/"_s + target;
            if (method == u"PATCH")
                return stranger.patch(path, {{u"topic"_s, u"Mine"_s}});
            if (method == u"DELETE")
                return stranger.del(path);
            return stranger.get(path);
        };

        const ApiReply theirs = send(id);
        const ApiReply random = send(kUnknownMeeting);
        QCOMPARE(theirs.status, 404);
        QCOMPARE(random.status, 404);
        QCOMPARE(theirs.problemWithoutRequestId(), random.problemWithoutRequestId());
        QVERIFY(theirs.header("ETag").isEmpty());
        QCOMPARE(theirs.header("Content-Length"), random.header("Content-Length"));
        for (const char *leak : {"passcode", "CANCELLED", "SCHEDULED", "state", "Private"})
            QVERIFY2(!theirs.body.contains(leak), leak);
    }

    // Merge patch, null and time zones ----------------------------------------------------

    void nullInAMergePatchClearsThePasscode()
    {
        ApiClient client(m_server->baseUrl(), m_token);
        QJsonObject body = newMeeting(u"With passcode"_s);
        body.insert(u"passcode"_s, u"1234"_s);
        const QString id = createMeeting(client, body);
        QVERIFY(!id.isEmpty());

        const ApiReply cleared = client.patch(u"/v1/meetings/"_s + id,
                                              {{u"passcode"_s, QJsonValue(QJsonValue::Null)}});
        QCOMPARE(cleared.status, 200);

        const QJsonObject after = client.get(u"/v1/meetings/"_s + id).json();
        QCOMPARE(after.value(u"has_passcode").toBool(true), false);
        QVERIFY(after.value(u"passcode").isNull());
        const ApiReply joined
            = client.post(u"/v1/meetings/"_s + id + u"/joinToken"_s, QJsonObject());
        QCOMPARE(joined.status, 200);
    }

    void nullForARequiredFieldIsRefused_data()
    {
        QTest::addColumn<QString>("field");

        QTest::newRow("a null topic") << u"topic"_s;
        QTest::newRow("a null start time") << u"start_time"_s;
        QTest::newRow("a null duration") << u"duration_minutes"_s;
        QTest::newRow("a null time zone") << u"timezone"_s;
    }

    void nullForARequiredFieldIsRefused()
    {
        QFETCH(QString, field);
        ApiClient client(m_server->baseUrl(), m_token);
        const QString id = createMeeting(client, newMeeting(u"Keeps its fields"_s));
        QVERIFY(!id.isEmpty());
        const QJsonObject before = client.get(u"/v1/meetings/"_s + id).json();

        const ApiReply reply
            = client.patch(u"/v1/meetings/"_s + id, {{field, QJsonValue(QJsonValue::Null)}});
        QCOMPARE(reply.status, 400);
        QCOMPARE(reply.errorFields(), QStringList{field});
        QCOMPARE(client.get(u"/v1/meetings/"_s + id).json(), before);
    }

    void wallTimeIsResolvedInTheMeetingsTimeZone_data()
    {
        QTest::addColumn<QString>("start");
        QTest::addColumn<QString>("zone");
        QTest::addColumn<QString>("utc");

        QTest::newRow("summer time in Berlin")
            << u"2030-07-01T10:00:00"_s << u"Europe/Berlin"_s << u"2030-07-01T08:00:00Z"_s;
        QTest::newRow("winter time in New York")
            << u"2030-01-15T09:00:00"_s << u"America/New_York"_s << u"2030-01-15T14:00:00Z"_s;
        QTest::newRow("a wall time in the spring-forward gap moves forward by the gap")
            << u"2030-03-31T02:30:00"_s << u"Europe/Berlin"_s << u"2030-03-31T01:30:00Z"_s;
        QTest::newRow("a wall time in the autumn overlap takes its first occurrence")
            << u"2030-10-27T02:30:00"_s << u"Europe/Berlin"_s << u"2030-10-27T00:30:00Z"_s;
        QTest::newRow("an offset that disagrees with the zone names its own instant")
            << u"2030-07-01T10:00:00+05:00"_s << u"Europe/Berlin"_s << u"2030-07-01T05:00:00Z"_s;
        QTest::newRow("a wall time without a zone is UTC")
            << u"2030-07-01T10:00:00"_s << QString() << u"2030-07-01T10:00:00Z"_s;
    }

    void wallTimeIsResolvedInTheMeetingsTimeZone()
    {
        QFETCH(QString, start);
        QFETCH(QString, zone);
        QFETCH(QString, utc);
        ApiClient client(m_server->baseUrl(), m_token);

        QJsonObject body = newMeeting(u"Zoned"_s, start);
        if (zone.isEmpty())
            body.remove(u"timezone"_s);
        else
            body.insert(u"timezone"_s, zone);
        const ApiReply created = client.post(u"/v1/meetings"_s, body);
        QCOMPARE(created.status, 201);
        QCOMPARE(created.json().value(u"start_time").toString(), utc);
        QCOMPARE(created.json().value(u"timezone").toString(), zone.isEmpty() ? u"UTC"_s : zone);

        // The same rule on PATCH: move another meeting to the same wall time.
        QJsonObject patch{{u"start_time"_s, start}};
        if (!zone.isEmpty())
            patch.insert(u"timezone"_s, zone);
        const QString id = createMeeting(client, newMeeting(u"Moved"_s, u"2030-06-01T00:00:00Z"_s));
        QVERIFY(!id.isEmpty());
        if (zone.isEmpty())
            patch.insert(u"timezone"_s, u"UTC"_s);
        QCOMPARE(client.patch(u"/v1/meetings/"_s + id, patch).status, 200);
        QCOMPARE(client.get(u"/v1/meetings/"_s + id).json().value(u"start_time").toString(), utc);
    }

private:
    QString m_strangerToken;
};

QTEST_GUILESS_MAIN(tst_CasesMeetings)
#include "tst_cases_meetings.moc"
