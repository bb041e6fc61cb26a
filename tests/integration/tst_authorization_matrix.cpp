// The authorization matrix of DESIGN.md *Permissions*: every route of `quorumd routes`, called
// by five callers against the objects of workspace A, with the answer each one is promised.
//
//   - no token at all: 401 with WWW-Authenticate invalid_token wherever a token is needed;
//   - the admin of workspace B: 404 for every object of A, exactly as if it did not exist;
//   - bob, another member of A: 404 for alice's meeting and webhook, 403 forbidden for the
//     admin-only routes;
//   - an app installed in A with meeting.read alone: 403 insufficient_scope naming the scope it
//     lacks, and 403 first_party_only where only first-party credentials may go;
//   - the rightful caller (alice for her objects, A's admin for the admin routes): 2xx.
//
// The server is the test build with the `test-capture` media plane, so that alice's recordings
// are made through the real API: started, stopped and processed.
//
// Every refused write is followed by a re-read of its object by its owner: nothing changed.
// The table must name every route the server has; a new route fails the test until it is here.

#include "ApiClient.h"
#include "OAuthFlow.h"
#include "QuorumdProcess.h"
#include "SignalClient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <array>
#include <memory>
#include <vector>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kPassword = u"correct horse battery staple"_s;

enum Caller { Anonymous, OtherAdmin, OtherMember, NarrowApp, Owner, CallerCount };

const std::array<const char *, CallerCount> kCallerNames{
    "a caller without a token", "the admin of workspace B", "bob, another member of A",
    "an app with only meeting.read", "the rightful caller"};

// What a caller must get: a status, and for a refusal its problem code (and for
// insufficient_scope the scope WWW-Authenticate must name).
struct Expect
{
    int status = 0;
    QString code;
    QString scope;
};

Expect ok(int status)
{
    return {status, {}, {}};
}
const Expect kUnauthorized{401, u"unauthorized"_s, {}};
const Expect kNotFound{404, u"not_found"_s, {}};
const Expect kForbidden{403, u"forbidden"_s, {}};
const Expect kFirstPartyOnly{403, u"first_party_only"_s, {}};
Expect lacks(const QString &scope)
{
    return {403, u"insufficient_scope"_s, scope};
}

// The object a refused write must have left alone, re-read by its owner afterwards.
enum class Witness {
    None,
    Meeting,
    Live,
    Webhook,
    Recording,
    Tokens,
    User,
    App,
    AppPower,
    MeetingList,
    WebhookList,
    UserList,
    AppList
};

// What the rightful caller's row needs made anew, because its call uses the object up.
enum class Fresh {
    None,
    Meeting,
    LiveHostOnly,
    LiveWithAttendee,
    LiveWithWaiting,
    LiveRecording,
    Recording,
    Webhook,
    Token,
    InstalledApp,
    UninstalledApp
};

struct RouteCase
{
    QByteArray method;
    QString pattern;
    QString action; // a verb phrase: "reads alice's meeting"
    std::optional<QJsonObject> body; // sent as JSON; none: no body
    std::array<Expect, CallerCount> expect;
    QString owner; // whose token the rightful call uses: alice or admin
    Witness witness = Witness::None;
    Fresh fresh = Fresh::None;
    bool list = false; // a collection: what it shows must not leak A's objects to strangers
};

// The objects the paths name.
struct Objects
{
    QString meeting; // alice's, SCHEDULED
    QString live; // alice's, LIVE
    QString participant; // a participant of `live` other than alice
    QString recording; // alice's recording of `live`, stopped and processed
    QString webhook; // alice's
    QString delivery; // of `webhook`
    QString token; // alice's spare personal token (its id)
    QString user; // carol, a member of A
    QString app; // the narrow app
};

// A well-formed id of the same kind that no object has.
QString unknownLike(const QString &id)
{
    const qsizetype prefix = id.lastIndexOf(u'_') + 1;
    return id.left(prefix) + QString(id.size() - prefix, u'0');
}

QStringList ids(const QJsonArray &items)
{
    QStringList list;
    for (const QJsonValue &item : items)
        list << item.toObject().value(u"id"_s).toString();
    list.sort();
    return list;
}

// Answers every request with 204 and closes: the webhook receiver of the test.
class Receiver final : public QTcpServer
{
public:
    Receiver()
    {
        connect(this, &QTcpServer::newConnection, this, [this]() {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [socket]() {
                    socket->readAll();
                    socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n"
                                  "Connection: close\r\n\r\n");
                    socket->disconnectFromHost();
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }
};

} // namespace

Q_DECLARE_METATYPE(Caller)

class tst_AuthorizationMatrix : public QObject
{
    Q_OBJECT

private:
    ApiClient client(const QString &bearer) const { return ApiClient(m_server->baseUrl(), bearer); }
    ApiClient as(const QString &who) const { return client(m_tokens.value(who)); }

    QJsonObject meetingBody(const QString &topic, bool waitingRoom = false) const
    {
        return {{u"topic"_s, topic},
                {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                {u"duration_minutes"_s, 30},
                {u"waiting_room"_s, waitingRoom}};
    }

    QJsonObject webhookBody() const
    {
        return {{u"url"_s, u"http://127.0.0.1:%1/hook"_s.arg(m_receiver.serverPort())},
                {u"events"_s, QJsonArray{u"meeting.ended"_s}}};
    }

    static QJsonObject tokenBody(const QString &name)
    {
        return {{u"name"_s, name}, {u"scopes"_s, QJsonArray{u"meeting.read"_s}}};
    }

    QJsonObject appBody(const QString &name) const
    {
        return {{u"name"_s, name},
                {u"description"_s, u"Reads the calendar."_s},
                {u"client_type"_s, u"confidential"_s},
                {u"redirect_uris"_s, QJsonArray{u"https://app.example.com/callback"_s}},
                {u"scopes"_s, QJsonArray{u"meeting.read"_s}}};
    }

    QString created(const ApiReply &reply) const
    {
        return reply.status == 201 ? reply.json().value(u"id"_s).toString() : QString();
    }

    // A meeting of alice's, LIVE with her as host; `attendee` (a user name) joins it too and
    // his participant id is returned in `participant`. The sockets stay open until the end.
    QString startLive(const QString &attendee, bool waitingRoom, QString *participant)
    {
        const QString id
            = created(as(u"alice"_s).post(u"/v1/meetings"_s, meetingBody(u"Live"_s, waitingRoom)));
        if (id.isEmpty() || !join(u"alice"_s, id, nullptr))
            return {};
        if (!attendee.isEmpty() && !join(attendee, id, participant))
            return {};
        return id;
    }

    // alice starts recording her live meeting; the recording's id, or empty.
    QString startRecording(const QString &meeting)
    {
        const ApiReply started
            = as(u"alice"_s)
                  .post(u"/v1/meetings/"_s + meeting + u"/recordings:start"_s, QJsonObject{});
        return started.status == 202 ? started.json().value(u"recording_id"_s).toString()
                                     : QString();
    }

    // A recording of a fresh live meeting of alice's, started and stopped (so processing).
    QString stoppedRecording()
    {
        const QString meeting = startLive({}, false, nullptr);
        const QString recording = meeting.isEmpty() ? QString() : startRecording(meeting);
        if (recording.isEmpty())
            return {};
        const ApiReply stopped
            = as(u"alice"_s)
                  .post(u"/v1/meetings/"_s + meeting + u"/recordings:stop"_s, QJsonObject{});
        return stopped.status == 202 ? recording : QString();
    }

    bool join(const QString &who, const QString &meeting, QString *participant)
    {
        const ApiReply token
            = as(who).post(u"/v1/meetings/"_s + meeting + u"/joinToken"_s, QJsonObject{});
        auto socket = std::make_unique<SignalClient>();
        if (token.status != 200 || !socket->open(m_server->port()))
            return false;
        // Mute requests are acknowledged at once, so a mute's answer does not wait.
        socket->ackMuteRequestsAfter(0);
        const QJsonObject answer = socket->join(token.json().value(u"jwt"_s).toString());
        const QString type = answer.value(u"type"_s).toString();
        if (type != u"joined" && type != u"waiting")
            return false;
        if (participant)
            *participant = answer.value(u"participant_id"_s).toString();
        m_sockets.push_back(std::move(socket));
        return true;
    }

    QJsonObject registerApp(const QString &name, bool install)
    {
        const ApiReply app = as(u"admin"_s).post(u"/v1/apps"_s, appBody(name));
        if (app.status != 201)
            return {};
        if (install) {
            const QString path
                = u"/v1/apps/"_s + app.json().value(u"id"_s).toString() + u"/installation"_s;
            const QJsonObject grant{{u"scopes"_s, QJsonArray{u"meeting.read"_s}}};
            if (as(u"admin"_s).post(path, grant).status != 201)
                return {};
        }
        return app.json();
    }

    // The objects the owner's row acts on: shared ones, or fresh ones where its call uses
    // them up.
    Objects objectsFor(const RouteCase &route, Caller caller)
    {
        Objects objects = m_objects;
        if (caller != Owner)
            return objects;

        QString participant;
        switch (route.fresh) {
        case Fresh::None:
            break;
        case Fresh::Meeting:
            objects.meeting
                = created(as(u"alice"_s).post(u"/v1/meetings"_s, meetingBody(u"To cancel"_s)));
            break;
        case Fresh::LiveHostOnly:
            objects.live = startLive({}, false, nullptr);
            break;
        case Fresh::LiveWithAttendee:
        case Fresh::LiveWithWaiting:
            objects.live
                = startLive(u"dave"_s, route.fresh == Fresh::LiveWithWaiting, &participant);
            objects.participant = participant;
            break;
        case Fresh::LiveRecording:
            objects.live = startLive({}, false, nullptr);
            if (startRecording(objects.live).isEmpty())
                objects.live.clear();
            break;
        case Fresh::Recording:
            objects.recording = stoppedRecording();
            break;
        case Fresh::Webhook:
            objects.webhook = created(as(u"alice"_s).post(u"/v1/webhooks"_s, webhookBody()));
            break;
        case Fresh::Token:
            objects.token = as(u"alice"_s)
                                .post(u"/v1/tokens"_s, tokenBody(u"to revoke"_s))
                                .json()
                                .value(u"id"_s)
                                .toString();
            break;
        case Fresh::InstalledApp:
        case Fresh::UninstalledApp:
            objects.app
                = registerApp(u"Fresh %1"_s.arg(++m_counter), route.fresh == Fresh::InstalledApp)
                      .value(u"id"_s)
                      .toString();
            break;
        }
        return objects;
    }

    static QString resolve(const QString &pattern, const Objects &objects)
    {
        QString path = pattern;
        QString id;
        if (pattern.startsWith(u"/v1/meetings/"))
            id = pattern.contains(u"/participants") || pattern.contains(u"/recordings")
                    || pattern.endsWith(u":end")
                ? objects.live
                : objects.meeting;
        else if (pattern.startsWith(u"/j/"))
            id = objects.meeting;
        else if (pattern.startsWith(u"/v1/webhooks/"))
            id = objects.webhook;
        else if (pattern.startsWith(u"/v1/tokens/"))
            id = objects.token;
        else if (pattern.startsWith(u"/v1/users/"))
            id = objects.user;
        else if (pattern.startsWith(u"/v1/apps/"))
            id = objects.app;
        else if (pattern.startsWith(u"/v1/recordings/"))
            id = pattern.contains(u"/files/") ? u"rec_unsigned"_s : objects.recording;
        return path.replace(u"{id}"_s, id)
            .replace(u"{pid}"_s, objects.participant)
            .replace(u"{did}"_s, objects.delivery)
            .replace(u"{fid}"_s, u"fil_unsigned"_s);
    }

    // What a refused write must not have changed, as its owner sees it.
    QByteArray snapshot(Witness witness)
    {
        auto single = [](const ApiReply &reply) {
            return QByteArray::number(reply.status) + ' ' + reply.header("ETag") + ' ' + reply.body;
        };
        auto listed = [](const ApiReply &reply, const QString &name) {
            return ids(reply.json().value(name).toArray()).join(u',').toUtf8();
        };
        const Objects &o = m_objects;
        switch (witness) {
        case Witness::None:
            return {};
        case Witness::Meeting:
            return single(as(u"alice"_s).get(u"/v1/meetings/"_s + o.meeting));
        case Witness::Live:
            return single(as(u"alice"_s).get(u"/v1/meetings/"_s + o.live))
                + single(as(u"alice"_s).get(u"/v1/meetings/"_s + o.live + u"/participants"_s));
        case Witness::Webhook: {
            // Deliveries change live fields; the stored version and the settings do not.
            const ApiReply reply = as(u"alice"_s).get(u"/v1/webhooks/"_s + o.webhook);
            const QJsonObject json = reply.json();
            return QByteArray::number(reply.status) + reply.header("ETag")
                + QJsonDocument(QJsonObject{{u"url"_s, json.value(u"url"_s)},
                                            {u"events"_s, json.value(u"events"_s)},
                                            {u"enabled"_s, json.value(u"enabled"_s)}})
                      .toJson();
        }
        case Witness::Recording: {
            // File links are minted afresh at every read; the stored version is the witness.
            const ApiReply reply = as(u"alice"_s).get(u"/v1/recordings/"_s + o.recording);
            return QByteArray::number(reply.status) + ' ' + reply.header("ETag") + ' '
                + reply.json().value(u"state"_s).toString().toUtf8();
        }
        case Witness::Tokens:
            return listed(as(u"alice"_s).get(u"/v1/tokens?page_size=300"_s), u"tokens"_s);
        case Witness::User:
            return single(as(u"admin"_s).get(u"/v1/users/"_s + o.user));
        case Witness::App:
            return single(as(u"admin"_s).get(u"/v1/apps/"_s + o.app));
        case Witness::AppPower:
            return single(client(m_appToken).get(u"/v1/me"_s));
        case Witness::MeetingList:
            return listed(as(u"admin"_s).get(u"/v1/meetings?page_size=300"_s), u"meetings"_s);
        case Witness::WebhookList:
            return listed(as(u"admin"_s).get(u"/v1/webhooks?page_size=300"_s), u"webhooks"_s);
        case Witness::UserList:
            return listed(as(u"admin"_s).get(u"/v1/users?page_size=300"_s), u"users"_s);
        case Witness::AppList:
            return listed(as(u"admin"_s).get(u"/v1/apps?page_size=300"_s), u"apps"_s);
        }
        return {};
    }

    QString bearerOf(Caller caller, const RouteCase &route) const
    {
        switch (caller) {
        case Anonymous:
            return {};
        case OtherAdmin:
            return m_tokens.value(u"olga"_s);
        case OtherMember:
            return m_tokens.value(u"bob"_s);
        case NarrowApp:
            return m_appToken;
        case Owner:
        case CallerCount:
            break;
        }
        return m_tokens.value(route.owner);
    }

    // An event stream stays open: its status is read from the head, then it is dropped.
    ApiReply openStream(const QString &path, const QString &bearer)
    {
        QNetworkRequest request(QUrl(m_server->baseUrl() + path));
        if (!bearer.isEmpty())
            request.setRawHeader("Authorization", "Bearer " + bearer.toLatin1());
        std::unique_ptr<QNetworkReply> reply(m_network.get(request));
        QSignalSpy head(reply.get(), &QNetworkReply::metaDataChanged);
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        const bool answered = head.wait(10000) || finished.count() > 0;
        ApiReply result;
        if (answered) {
            result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            result.headers = reply->rawHeaderPairs();
            if (result.status != 200) {
                if (!reply->isFinished())
                    finished.wait(10000);
                result.body = reply->readAll();
            }
        }
        reply->abort();
        return result;
    }

    ApiReply call(const RouteCase &route, const QString &path, const QString &bearer)
    {
        if (path.endsWith(u"/stream"))
            return openStream(path, bearer);
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        if (route.body) {
            body = QJsonDocument(*route.body).toJson(QJsonDocument::Compact);
            headers << qMakePair(QByteArray("Content-Type"),
                                 route.method == "PATCH"
                                     ? QByteArray("application/merge-patch+json")
                                     : QByteArray("application/json"));
        }
        return client(bearer).send(route.method, path, body, headers);
    }

    // Object ids of A that a stranger's answer must never show.
    QStringList secretsFor(Caller caller) const
    {
        const Objects &o = m_objects;
        if (caller == OtherAdmin)
            return {o.meeting, o.live, o.recording, o.webhook,
                    o.token,   o.user, o.app,       m_userIds.value(u"alice"_s)};
        if (caller == OtherMember)
            return {o.meeting, o.live, o.recording, o.webhook, o.token};
        return {};
    }

    void buildTable();

    std::unique_ptr<QuorumdProcess> m_server;
    Receiver m_receiver;
    QNetworkAccessManager m_network;
    QHash<QString, QString> m_tokens; // by user name
    QHash<QString, QString> m_userIds;
    QString m_appToken;
    Objects m_objects;
    QList<RouteCase> m_routes;
    std::vector<std::unique_ptr<SignalClient>> m_sockets;
    int m_counter = 0;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_receiver.listen(QHostAddress::LocalHost, 0));
        m_server = std::make_unique<QuorumdProcess>(
            QStringList{u"--webhooks-allow-private-networks"_s, u"--rate-limits"_s, u"off"_s,
                        u"--media"_s, u"test-capture"_s, u"--recording-min-free"_s, u"0"_s});
        m_server->useTestBuild();
        QVERIFY2(m_server->start(), m_server->standardError().constData());

        // Workspace A is "default" (its admin is "admin"); B is "other", with olga its admin.
        QVERIFY(!m_server->createWorkspace(u"other"_s).isEmpty());
        for (const QString &name : {u"alice"_s, u"bob"_s, u"carol"_s, u"dave"_s})
            m_userIds.insert(name, m_server->createUser(name, u"default"_s));
        m_userIds.insert(u"olga"_s, m_server->createUser(u"olga"_s, u"other"_s, u"admin"_s));
        m_tokens.insert(u"admin"_s, m_server->token());
        for (auto it = m_userIds.cbegin(); it != m_userIds.cend(); ++it) {
            QVERIFY2(it.value().startsWith(u"usr_"), qPrintable(it.value()));
            const QString workspace = it.key() == u"olga" ? u"other"_s : u"default"_s;
            m_tokens.insert(it.key(), m_server->token(it.key(), workspace));
        }

        // The narrow app: registered and installed in A with meeting.read alone.
        const QJsonObject app = registerApp(u"Calendar reader"_s, true);
        QVERIFY(!app.isEmpty());
        m_objects.app = app.value(u"id"_s).toString();
        OAuthFlow flow(m_server->baseUrl());
        const ApiReply token = flow.post(
            u"/oauth/token"_s, {{u"grant_type"_s, u"client_credentials"_s}},
            app.value(u"client_id"_s).toString(), app.value(u"client_secret"_s).toString());
        m_appToken = token.json().value(u"access_token"_s).toString();
        QVERIFY2(!m_appToken.isEmpty(), token.body.constData());

        // alice's objects: a scheduled meeting, a live one with bob in it, a webhook
        // subscription with a delivery, and a spare personal token.
        ApiClient alice = as(u"alice"_s);
        m_objects.meeting
            = created(alice.post(u"/v1/meetings"_s, meetingBody(u"Alice's planning"_s)));
        QVERIFY(!m_objects.meeting.isEmpty());
        m_objects.live = startLive(u"bob"_s, false, &m_objects.participant);
        QVERIFY(!m_objects.live.isEmpty() && !m_objects.participant.isEmpty());
        // A recording of it, stopped and processed, so that refusals leave a still witness.
        m_objects.recording = startRecording(m_objects.live);
        QVERIFY(m_objects.recording.startsWith(u"rec_"));
        QCOMPARE(
            alice.post(u"/v1/meetings/"_s + m_objects.live + u"/recordings:stop"_s, QJsonObject{})
                .status,
            202);
        QTRY_VERIFY_WITH_TIMEOUT(QStringList({u"completed"_s, u"failed"_s})
                                     .contains(alice.get(u"/v1/recordings/"_s + m_objects.recording)
                                                   .json()
                                                   .value(u"state"_s)
                                                   .toString()),
                                 60000);
        m_objects.webhook = created(alice.post(u"/v1/webhooks"_s, webhookBody()));
        QVERIFY(!m_objects.webhook.isEmpty());
        const ApiReply test
            = alice.post(u"/v1/webhooks/"_s + m_objects.webhook + u":test"_s, QJsonObject{});
        QVERIFY2(test.status / 100 == 2, test.body.constData());
        QTRY_VERIFY_WITH_TIMEOUT(
            !alice.get(u"/v1/webhooks/"_s + m_objects.webhook + u"/deliveries"_s)
                 .json()
                 .value(u"deliveries"_s)
                 .toArray()
                 .isEmpty(),
            10000);
        m_objects.delivery = alice.get(u"/v1/webhooks/"_s + m_objects.webhook + u"/deliveries"_s)
                                 .json()
                                 .value(u"deliveries"_s)
                                 .toArray()
                                 .first()
                                 .toObject()
                                 .value(u"id"_s)
                                 .toString();
        m_objects.token
            = alice.post(u"/v1/tokens"_s, tokenBody(u"spare"_s)).json().value(u"id"_s).toString();
        QVERIFY(!m_objects.token.isEmpty());
        m_objects.user = m_userIds.value(u"carol"_s);

        buildTable();
    }

    void cleanupTestCase()
    {
        m_sockets.clear();
        m_server.reset();
    }

    void theTableCoversEveryRoute()
    {
        const auto routes = m_server->command({u"routes"_s});
        QCOMPARE(routes.exitCode, 0);
        QStringList served;
        for (const QByteArray &line : routes.out.split('\n')) {
            if (!line.trimmed().isEmpty())
                served << QString::fromUtf8(line.simplified());
        }
        QStringList tabled;
        for (const RouteCase &route : std::as_const(m_routes))
            tabled << QString::fromLatin1(route.method) + u' ' + route.pattern;

        QStringList missing;
        for (const QString &route : std::as_const(served)) {
            if (!tabled.contains(route))
                missing << route;
        }
        QStringList stale;
        for (const QString &route : std::as_const(tabled)) {
            if (!served.contains(route))
                stale << route;
        }
        QVERIFY2(missing.isEmpty(), qPrintable(u"not in the table: "_s + missing.join(u", ")));
        QVERIFY2(stale.isEmpty(), qPrintable(u"not served: "_s + stale.join(u", ")));
        QCOMPARE(tabled.removeDuplicates(), qsizetype(0));
    }

    void everyCallerGetsWhatPermissionsPromises_data()
    {
        QTest::addColumn<int>("route");
        QTest::addColumn<Caller>("caller");

        for (qsizetype i = 0; i < m_routes.size(); ++i) {
            const RouteCase &route = m_routes.at(i);
            for (int caller = 0; caller < CallerCount; ++caller) {
                const Expect &expect = route.expect.at(caller);
                const QString who = caller == Owner && !route.owner.isEmpty()
                    ? (route.owner == u"alice" ? u"alice herself"_s : u"the admin of A"_s)
                    : QString::fromLatin1(kCallerNames.at(caller));
                const QString answer = expect.code.isEmpty()
                    ? QString::number(expect.status)
                    : u"%1 %2"_s.arg(expect.status).arg(expect.code);
                QTest::addRow("%s %s (%s %s): %s", qPrintable(who), qPrintable(route.action),
                              route.method.constData(), qPrintable(route.pattern),
                              qPrintable(answer))
                    << int(i) << Caller(caller);
            }
        }
    }

    void everyCallerGetsWhatPermissionsPromises()
    {
        QFETCH(int, route);
        QFETCH(Caller, caller);
        const RouteCase &tested = m_routes.at(route);
        const Expect &expect = tested.expect.at(caller);

        const Objects objects = objectsFor(tested, caller);
        const QString path = resolve(tested.pattern, objects);
        QVERIFY2(!path.contains(u"//") && !path.contains(u'{'), qPrintable(path));
        const bool refused = expect.status >= 400;
        const QByteArray before = refused ? snapshot(tested.witness) : QByteArray();

        const ApiReply reply = call(tested, path, bearerOf(caller, tested));

        const QByteArray said = reply.body.left(600);
        QVERIFY2(reply.status == expect.status,
                 qPrintable(u"got %1: %2"_s.arg(reply.status).arg(QString::fromUtf8(said))));
        if (!expect.code.isEmpty()) {
            QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
            QCOMPARE(reply.code(), expect.code);
        }
        if (expect.code == u"unauthorized")
            QVERIFY2(reply.header("WWW-Authenticate").contains("error=\"invalid_token\""),
                     reply.header("WWW-Authenticate").constData());
        if (expect.code == u"insufficient_scope") {
            const QByteArray challenge = reply.header("WWW-Authenticate");
            QVERIFY2(challenge.contains("error=\"insufficient_scope\""), challenge.constData());
            QVERIFY2(challenge.contains("scope=\"" + expect.scope.toLatin1() + '"'),
                     challenge.constData());
        }
        // A stranger learns nothing of A's objects: not in a refusal, not in a list.
        if (refused || tested.list) {
            for (const QString &secret : secretsFor(caller))
                QVERIFY2(!reply.body.contains(secret.toUtf8()), qPrintable(secret));
        }
        if (refused && tested.method != "GET")
            QCOMPARE(snapshot(tested.witness), before);

        // "Not yours" reads exactly like "not there".
        if (expect.code == u"not_found") {
            Objects unknown = objects;
            for (QString *id :
                 {&unknown.meeting, &unknown.live, &unknown.participant, &unknown.recording,
                  &unknown.webhook, &unknown.delivery, &unknown.token, &unknown.user, &unknown.app})
                *id = unknownLike(*id);
            const ApiReply missing
                = call(tested, resolve(tested.pattern, unknown), bearerOf(caller, tested));
            QCOMPARE(missing.status, 404);
            QCOMPARE(reply.problemWithoutRequestId(), missing.problemWithoutRequestId());
        }
    }

    // The matrix has no co-host among its callers: bob, made co-host of a live meeting of
    // alice's, may take its host actions and read its recordings, but not delete them.
    void aCoHostRecordsButMayNotDelete()
    {
        QString bobInRoom;
        const QString meeting = startLive(u"bob"_s, false, &bobInRoom);
        QVERIFY(!meeting.isEmpty() && !bobInRoom.isEmpty());
        const QString base = u"/v1/meetings/"_s + meeting;
        QCOMPARE(as(u"alice"_s)
                     .patch(base + u"/participants/"_s + bobInRoom, {{u"role"_s, u"co_host"_s}})
                     .status,
                 200);

        ApiClient bob = as(u"bob"_s);
        const ApiReply started = bob.post(base + u"/recordings:start"_s, QJsonObject{});
        QCOMPARE(started.status, 202);
        const QString recording = started.json().value(u"recording_id"_s).toString();
        QCOMPARE(bob.post(base + u"/recordings:stop"_s, QJsonObject{}).status, 202);
        QCOMPARE(bob.get(base + u"/recordings"_s).status, 200);
        QCOMPARE(bob.get(u"/v1/recordings/"_s + recording).status, 200);

        const ApiReply refused = bob.del(u"/v1/recordings/"_s + recording);
        QCOMPARE(refused.status, 403);
        QCOMPARE(refused.code(), u"forbidden"_s);
        QCOMPARE(as(u"alice"_s).get(u"/v1/recordings/"_s + recording).status, 200);
        // dave, a member who is neither host nor co-host here, does not see it at all.
        QCOMPARE(as(u"dave"_s).del(u"/v1/recordings/"_s + recording).status, 404);
        QCOMPARE(as(u"alice"_s).del(u"/v1/recordings/"_s + recording).status, 204);
    }
};

void tst_AuthorizationMatrix::buildTable()
{
    const QString read = u"meeting.read"_s;
    const QString write = u"meeting.write"_s;
    const QString webhookRead = u"webhook.read"_s;
    const QString recordingRead = u"recording.read"_s;
    const QString recordingWrite = u"recording.write"_s;
    const QString webhookWrite = u"webhook.write"_s;
    const QJsonObject empty;

    // A route that needs a bearer token: a caller without one gets 401.
    auto bearer
        = [this](const QByteArray &method, const QString &pattern, const QString &action,
                 std::optional<QJsonObject> body, Expect otherAdmin, Expect member, Expect app,
                 Expect owner, const QString &ownerName, Witness witness = Witness::None,
                 Fresh fresh = Fresh::None, bool list = false) {
              m_routes << RouteCase{method,
                                    pattern,
                                    action,
                                    std::move(body),
                                    {kUnauthorized, otherAdmin, member, app, owner},
                                    ownerName,
                                    witness,
                                    fresh,
                                    list};
          };
    // A public route: every caller gets the same answer, token or not.
    auto open = [this](const QByteArray &method, const QString &pattern, const QString &action,
                       Expect answer) {
        m_routes << RouteCase{method,
                              pattern,
                              action,
                              std::nullopt,
                              {answer, answer, answer, answer, answer},
                              u"alice"_s,
                              Witness::None,
                              Fresh::None,
                              false};
    };
    const QString alice = u"alice"_s;
    const QString admin = u"admin"_s;

    // Meetings. The app acts for the workspace: it reads every meeting of A.
    bearer("POST", u"/v1/meetings"_s, u"schedules a meeting"_s, meetingBody(u"New"_s), ok(201),
           ok(201), lacks(write), ok(201), alice, Witness::MeetingList);
    bearer("GET", u"/v1/meetings"_s, u"lists meetings"_s, std::nullopt, ok(200), ok(200), ok(200),
           ok(200), alice, Witness::None, Fresh::None, true);
    bearer("GET", u"/v1/meetings/{id}"_s, u"reads alice's meeting"_s, std::nullopt, kNotFound,
           kNotFound, ok(200), ok(200), alice);
    bearer("PATCH", u"/v1/meetings/{id}"_s, u"renames alice's meeting"_s,
           QJsonObject{{u"topic"_s, u"Taken over"_s}}, kNotFound, kNotFound, lacks(write), ok(200),
           alice, Witness::Meeting);
    bearer("DELETE", u"/v1/meetings/{id}"_s, u"cancels alice's meeting"_s, std::nullopt, kNotFound,
           kNotFound, lacks(write), ok(204), alice, Witness::Meeting, Fresh::Meeting);
    // Any user of the workspace may join any of its meetings.
    bearer("POST", u"/v1/meetings/{id}/joinToken"_s, u"asks for a join token"_s, empty, kNotFound,
           ok(200), lacks(u"meeting.join"_s), ok(200), alice, Witness::Meeting);
    bearer("POST", u"/v1/meetings/{id}:end"_s, u"ends alice's live meeting"_s, std::nullopt,
           kNotFound, kNotFound, lacks(write), ok(200), alice, Witness::Live, Fresh::LiveHostOnly);

    // Participants of alice's live meeting.
    bearer("GET", u"/v1/meetings/{id}/participants"_s, u"lists the participants"_s, std::nullopt,
           kNotFound, kNotFound, ok(200), ok(200), alice);
    bearer("GET", u"/v1/meetings/{id}/participants/stream"_s, u"watches the participants"_s,
           std::nullopt, kNotFound, kNotFound, ok(200), ok(200), alice);
    bearer("POST", u"/v1/meetings/{id}/participants:muteAll"_s, u"mutes everyone"_s, std::nullopt,
           kNotFound, kNotFound, lacks(write), ok(200), alice, Witness::Live);
    bearer("PATCH", u"/v1/meetings/{id}/participants/{pid}"_s, u"makes a participant co-host"_s,
           QJsonObject{{u"role"_s, u"co_host"_s}}, kNotFound, kNotFound, lacks(write), ok(200),
           alice, Witness::Live, Fresh::LiveWithAttendee);
    bearer("DELETE", u"/v1/meetings/{id}/participants/{pid}"_s, u"removes a participant"_s,
           std::nullopt, kNotFound, kNotFound, lacks(write), ok(204), alice, Witness::Live,
           Fresh::LiveWithAttendee);
    bearer("POST", u"/v1/meetings/{id}/participants/{pid}/mute"_s, u"mutes a participant"_s,
           std::nullopt, kNotFound, kNotFound, lacks(write), ok(200), alice, Witness::Live);
    bearer("POST", u"/v1/meetings/{id}/participants/{pid}/admit"_s,
           u"admits a participant from the waiting room"_s, std::nullopt, kNotFound, kNotFound,
           lacks(write), ok(200), alice, Witness::Live, Fresh::LiveWithWaiting);

    // Recordings of alice's live meeting. Starting and stopping are host actions; reading
    // needs the right to read the meeting; deleting is the host's (or an admin's) call.
    bearer("POST", u"/v1/meetings/{id}/recordings:start"_s, u"starts recording"_s, std::nullopt,
           kNotFound, kNotFound, lacks(recordingWrite), ok(202), alice, Witness::Live,
           Fresh::LiveHostOnly);
    bearer("POST", u"/v1/meetings/{id}/recordings:stop"_s, u"stops recording"_s, std::nullopt,
           kNotFound, kNotFound, lacks(recordingWrite), ok(202), alice, Witness::Live,
           Fresh::LiveRecording);
    bearer("GET", u"/v1/meetings/{id}/recordings"_s, u"lists the meeting's recordings"_s,
           std::nullopt, kNotFound, kNotFound, lacks(recordingRead), ok(200), alice);
    bearer("GET", u"/v1/recordings/{id}"_s, u"reads alice's recording"_s, std::nullopt, kNotFound,
           kNotFound, lacks(recordingRead), ok(200), alice);
    bearer("DELETE", u"/v1/recordings/{id}"_s, u"deletes alice's recording"_s, std::nullopt,
           kNotFound, kNotFound, lacks(recordingWrite), ok(204), alice, Witness::Recording,
           Fresh::Recording);

    // Webhook subscriptions: each client manages its own.
    bearer("POST", u"/v1/webhooks"_s, u"subscribes to webhooks"_s, webhookBody(), ok(201), ok(201),
           lacks(webhookWrite), ok(201), alice, Witness::WebhookList);
    bearer("GET", u"/v1/webhooks"_s, u"lists webhook subscriptions"_s, std::nullopt, ok(200),
           ok(200), lacks(webhookRead), ok(200), alice, Witness::None, Fresh::None, true);
    bearer("GET", u"/v1/webhooks/{id}"_s, u"reads alice's subscription"_s, std::nullopt, kNotFound,
           kNotFound, lacks(webhookRead), ok(200), alice);
    bearer("PATCH", u"/v1/webhooks/{id}"_s, u"moves alice's subscription"_s,
           QJsonObject{{u"url"_s, u"http://127.0.0.1:%1/moved"_s.arg(m_receiver.serverPort())}},
           kNotFound, kNotFound, lacks(webhookWrite), ok(200), alice, Witness::Webhook);
    bearer("DELETE", u"/v1/webhooks/{id}"_s, u"deletes alice's subscription"_s, std::nullopt,
           kNotFound, kNotFound, lacks(webhookWrite), ok(204), alice, Witness::Webhook,
           Fresh::Webhook);
    bearer("POST", u"/v1/webhooks/{id}:rotateSecret"_s, u"rotates the subscription's secret"_s,
           empty, kNotFound, kNotFound, lacks(webhookWrite), ok(200), alice, Witness::Webhook);
    bearer("POST", u"/v1/webhooks/{id}:test"_s, u"sends a test event"_s, std::nullopt, kNotFound,
           kNotFound, lacks(webhookWrite), ok(202), alice, Witness::Webhook);
    bearer("GET", u"/v1/webhooks/{id}/deliveries"_s, u"lists the deliveries"_s, std::nullopt,
           kNotFound, kNotFound, lacks(webhookRead), ok(200), alice);
    bearer("POST", u"/v1/webhooks/{id}/deliveries/{did}:redeliver"_s, u"redelivers a delivery"_s,
           std::nullopt, kNotFound, kNotFound, lacks(webhookWrite), ok(202), alice,
           Witness::Webhook);

    // The caller's own account.
    bearer("GET", u"/v1/me"_s, u"reads who they are"_s, std::nullopt, ok(200), ok(200), ok(200),
           ok(200), alice);
    bearer("POST", u"/v1/me/password"_s, u"changes their own password"_s,
           QJsonObject{{u"current_password"_s, kPassword}, {u"new_password"_s, kPassword}}, ok(204),
           ok(204), kFirstPartyOnly, ok(204), alice);
    bearer("GET", u"/v1/tokens"_s, u"lists their personal tokens"_s, std::nullopt, ok(200), ok(200),
           kFirstPartyOnly, ok(200), alice, Witness::None, Fresh::None, true);
    bearer("POST", u"/v1/tokens"_s, u"creates a personal token"_s, tokenBody(u"laptop"_s), ok(201),
           ok(201), kFirstPartyOnly, ok(201), alice, Witness::Tokens);
    bearer("DELETE", u"/v1/tokens/{id}"_s, u"revokes alice's token"_s, std::nullopt, kNotFound,
           kNotFound, kFirstPartyOnly, ok(204), alice, Witness::Tokens, Fresh::Token);
    bearer("GET", u"/v1/audit"_s, u"reads the audit log"_s, std::nullopt, ok(200), ok(200),
           kFirstPartyOnly, ok(200), alice, Witness::None, Fresh::None, true);

    // Users: first-party, workspace admins. carol is the user acted on.
    bearer("GET", u"/v1/users"_s, u"lists users"_s, std::nullopt, ok(200), kForbidden,
           kFirstPartyOnly, ok(200), admin, Witness::None, Fresh::None, true);
    bearer("POST", u"/v1/users"_s, u"creates a user"_s,
           QJsonObject{{u"name"_s, u"erin"_s}, {u"role"_s, u"admin"_s}}, ok(201), kForbidden,
           kFirstPartyOnly, ok(201), admin, Witness::UserList);
    bearer("GET", u"/v1/users/{id}"_s, u"reads carol's user"_s, std::nullopt, kNotFound, kForbidden,
           kFirstPartyOnly, ok(200), admin);
    bearer("PATCH", u"/v1/users/{id}"_s, u"makes carol an admin"_s,
           QJsonObject{{u"role"_s, u"admin"_s}}, kNotFound, kForbidden, kFirstPartyOnly, ok(200),
           admin, Witness::User);
    bearer("POST", u"/v1/users/{id}/password-link"_s, u"makes carol a password link"_s,
           std::nullopt, kNotFound, kForbidden, kFirstPartyOnly, ok(201), admin, Witness::User);

    // Apps, the marketplace and installations: first-party, admins of the app's workspace.
    bearer("POST", u"/v1/apps"_s, u"registers an app"_s, appBody(u"Another"_s), ok(201), kForbidden,
           kFirstPartyOnly, ok(201), admin, Witness::AppList);
    bearer("GET", u"/v1/apps"_s, u"lists apps"_s, std::nullopt, ok(200), kForbidden,
           kFirstPartyOnly, ok(200), admin, Witness::None, Fresh::None, true);
    bearer("GET", u"/v1/apps/{id}"_s, u"reads the app"_s, std::nullopt, kNotFound, kForbidden,
           kFirstPartyOnly, ok(200), admin);
    bearer("PATCH", u"/v1/apps/{id}"_s, u"widens the app's scopes"_s,
           QJsonObject{{u"scopes"_s, QJsonArray{read, write}}}, kNotFound, kForbidden,
           kFirstPartyOnly, ok(200), admin, Witness::App);
    bearer("DELETE", u"/v1/apps/{id}"_s, u"deletes the app"_s, std::nullopt, kNotFound, kForbidden,
           kFirstPartyOnly, ok(204), admin, Witness::App, Fresh::InstalledApp);
    bearer("GET", u"/v1/marketplace"_s, u"browses the marketplace"_s, std::nullopt, ok(200),
           kForbidden, kFirstPartyOnly, ok(200), admin, Witness::None, Fresh::None, true);
    bearer("POST", u"/v1/apps/{id}/installation"_s, u"installs the app"_s,
           QJsonObject{{u"scopes"_s, QJsonArray{read}}}, kNotFound, kForbidden, kFirstPartyOnly,
           ok(201), admin, Witness::AppPower, Fresh::UninstalledApp);
    bearer("DELETE", u"/v1/apps/{id}/installation"_s, u"uninstalls the app"_s, std::nullopt,
           kNotFound, kForbidden, kFirstPartyOnly, ok(204), admin, Witness::AppPower,
           Fresh::InstalledApp);
    bearer("GET", u"/v1/admin/status"_s, u"reads the server status"_s, std::nullopt, ok(200),
           kForbidden, kFirstPartyOnly, ok(200), admin);

    // Public routes answer the same to everyone; a token neither helps nor hurts.
    open("GET", u"/healthz"_s, u"asks whether the server is up"_s, ok(200));
    open("GET", u"/readyz"_s, u"asks whether the server is ready"_s, ok(200));
    open("GET", u"/metrics"_s, u"scrapes the metrics"_s, ok(200));
    open("GET", u"/.well-known/jwks.json"_s, u"reads the signing keys"_s, ok(200));
    open("GET", u"/v1/openapi.yaml"_s, u"reads the API description"_s, ok(200));
    open("GET", u"/v1/signal"_s, u"asks for signalling without an upgrade"_s,
         {426, u"upgrade_required"_s, {}});
    // A recording file is reached by its signed link, never by a token: without one, 403.
    open("GET", u"/v1/recordings/{id}/files/{fid}"_s,
         u"downloads a recording file without a signed link"_s, {403, u"invalid_signature"_s, {}});
    open("GET", u"/.well-known/oauth-authorization-server"_s, u"reads the OAuth metadata"_s,
         ok(200));
    open("GET", u"/oauth/authorize"_s, u"asks to authorize without parameters"_s, ok(400));
    open("POST", u"/oauth/authorize"_s, u"posts a consent without parameters"_s, ok(400));
    open("POST", u"/oauth/token"_s, u"asks for a token without client credentials"_s, ok(401));
    open("POST", u"/oauth/revoke"_s, u"revokes without client credentials"_s, ok(401));
    open("POST", u"/oauth/introspect"_s, u"introspects without client credentials"_s, ok(401));
    open("GET", u"/"_s, u"opens the home page"_s, ok(303));
    open("GET", u"/signin"_s, u"opens the sign-in page"_s, ok(200));
    open("POST", u"/signin"_s, u"posts an empty sign-in form"_s, ok(403));
    open("GET", u"/signout"_s, u"opens the sign-out page"_s, ok(303));
    open("POST", u"/signout"_s, u"posts an empty sign-out form"_s, ok(303));
    open("GET", u"/set-password"_s, u"opens the set-password page without a link"_s, ok(404));
    open("POST", u"/set-password"_s, u"posts an empty set-password form"_s, ok(404));
    // The join page is for anyone with the link; its token exchange takes a browser session,
    // which no bearer token stands in for.
    open("GET", u"/j/{id}"_s, u"opens the join page"_s, ok(200));
    open("GET", u"/assets/join.js"_s, u"loads the join page's script"_s, ok(200));
    open("GET", u"/assets/join.css"_s, u"loads the join page's style sheet"_s, ok(200));
    open("POST", u"/j/{id}/token"_s, u"asks the join page for a token without signing in"_s,
         {401, u"sign_in_required"_s, {}});
}

QTEST_GUILESS_MAIN(tst_AuthorizationMatrix)
#include "tst_authorization_matrix.moc"
