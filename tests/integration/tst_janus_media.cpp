// The janus media plane without a browser: quorumd runs its own Janus (a real one, Debian's)
// and drives its VideoRoom. The test looks into that Janus through its own API (the address
// and secrets are in the configuration quorumd wrote) to see rooms made and destroyed, checks
// the SFU frames' answers, a recording nobody spoke in, an external node from --janus-nodes,
// refused settings, a Janus that dies started again with the live rooms made anew, and that no
// Janus outlives its server. Media itself is the browser test's
// (tests/e2e/browser/join_page.mjs with QUORUM_E2E_MEDIA=janus). Skipped when janus is not
// installed.

#include "ApiClient.h"
#include "LiveScenario.h"
#include "QuorumdProcess.h"
#include "RecordingChecks.h"
#include "SignalClient.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <csignal>
#include <sys/types.h>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// What quorumd's generated configuration says about its Janus.
struct JanusAddress
{
    quint16 port = 0;
    QString apiSecret;
    QString adminKey;
};

QString configValue(const QString &path, const QString &key)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QRegularExpression line(u"^\\s*%1\\s*=\\s*\"?([^\"\\n]*)\"?\\s*$"_s.arg(key),
                                  QRegularExpression::MultilineOption);
    return line.match(QString::fromUtf8(file.readAll())).captured(1);
}

JanusAddress janusOf(const QString &dataDir)
{
    const QDir config(QDir(dataDir).filePath(u"janus"_s));
    return {quint16(configValue(config.filePath(u"janus.transport.websockets.jcfg"_s), u"ws_port"_s)
                        .toUInt()),
            configValue(config.filePath(u"janus.jcfg"_s), u"api_secret"_s),
            configValue(config.filePath(u"janus.plugin.videoroom.jcfg"_s), u"admin_key"_s)};
}

// A client of Janus's own API, for looking: one session, one VideoRoom handle.
class JanusLook
{
public:
    bool open(const JanusAddress &address)
    {
        m_address = address;
        QNetworkRequest request(QUrl(u"ws://127.0.0.1:%1"_s.arg(address.port)));
        request.setRawHeader("Sec-WebSocket-Protocol", "janus-protocol");
        m_socket.open(request);
        // A refused connection (Janus not up yet) ends the wait at once.
        QElapsedTimer waited;
        waited.start();
        while (m_socket.state() != QAbstractSocket::ConnectedState) {
            if (waited.elapsed() > 5000
                || (m_socket.state() == QAbstractSocket::UnconnectedState && waited.elapsed() > 50))
                return false;
            QTest::qWait(20);
        }
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, &m_socket,
                         [this](const QString &text) {
                             m_answers.append(QJsonDocument::fromJson(text.toUtf8()).object());
                         });
        m_session = call({{u"janus"_s, u"create"_s}})
                        .value(u"data"_s)
                        .toObject()
                        .value(u"id"_s)
                        .toInteger();
        m_handle = call({{u"janus"_s, u"attach"_s}, {u"plugin"_s, u"janus.plugin.videoroom"_s}})
                       .value(u"data"_s)
                       .toObject()
                       .value(u"id"_s)
                       .toInteger();
        return m_session != 0 && m_handle != 0;
    }

    // Whether the VideoRoom has a room of that name; nullopt when Janus did not say.
    std::optional<bool> roomExists(const QString &room)
    {
        const QJsonObject answer
            = call({{u"janus"_s, u"message"_s},
                    {u"body"_s, QJsonObject{{u"request"_s, u"exists"_s}, {u"room"_s, room}}}});
        const QJsonObject data
            = answer.value(u"plugindata"_s).toObject().value(u"data"_s).toObject();
        if (!data.contains(u"exists"_s))
            return std::nullopt;
        return data.value(u"exists"_s).toBool();
    }

private:
    QJsonObject call(QJsonObject request)
    {
        const QString transaction = QString::number(++m_transactions);
        request.insert(u"transaction"_s, transaction);
        request.insert(u"apisecret"_s, m_address.apiSecret);
        if (m_session)
            request.insert(u"session_id"_s, m_session);
        if (m_handle)
            request.insert(u"handle_id"_s, m_handle);
        // Janus's parser takes a request on one line only.
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact)));
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 5000) {
            for (qsizetype i = 0; i < m_answers.size(); ++i) {
                if (m_answers[i].value(u"transaction"_s).toString() == transaction
                    && m_answers[i].value(u"janus"_s).toString() != u"ack")
                    return m_answers.takeAt(i);
            }
            QTest::qWait(20);
        }
        return {};
    }

    QWebSocket m_socket;
    JanusAddress m_address;
    QList<QJsonObject> m_answers;
    qint64 m_session = 0;
    qint64 m_handle = 0;
    quint64 m_transactions = 0;
};

// Processes whose command line mentions `text` (the Janus a data dir's server started).
QList<qint64> processesMentioning(const QString &text)
{
    QList<qint64> found;
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool isPid = false;
        const qint64 pid = entry.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile cmdline(u"/proc/%1/cmdline"_s.arg(entry));
        if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains(text.toUtf8()))
            found << pid;
    }
    return found;
}

bool waitUntil(const std::function<bool()> &condition, int timeoutMs = 5000)
{
    QElapsedTimer waited;
    waited.start();
    while (!condition()) {
        if (waited.elapsed() > timeoutMs)
            return false;
        QTest::qWait(50);
    }
    return true;
}

const QStringList kJanusFlags{u"--media"_s, u"janus"_s, u"--rate-limits"_s, u"off"_s};

} // namespace

class JanusMediaTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (QStandardPaths::findExecutable(u"janus"_s).isEmpty())
            QSKIP("janus is not installed (installer/debian-packages.sh test)");
        m_live = std::make_unique<LiveScenario>(kJanusFlags);
        QVERIFY2(m_live->start(), m_live->server().standardError().constData());
        m_janus = janusOf(m_live->server().dataDir());
        QVERIFY2(m_janus.port != 0 && !m_janus.apiSecret.isEmpty(),
                 "quorumd wrote no Janus configuration");
    }

    void cleanupTestCase() { m_live.reset(); }

    void serverRunsItsOwnJanus()
    {
        const ApiReply status = m_live->api().get(u"/v1/admin/status"_s);
        QCOMPARE(status.status, 200);
        const QJsonObject media = status.json().value(u"media"_s).toObject();
        QCOMPARE(media.value(u"adapter"_s).toString(), u"janus"_s);
        const QJsonArray servers = media.value(u"servers"_s).toArray();
        QCOMPARE(servers.size(), 1);
        QCOMPARE(servers.first().toObject().value(u"connected"_s).toBool(), true);

        // Only the server speaks to it: the configuration is the owner's alone, and Janus's
        // API asks for the secret written there.
        const QFileInfo config(QDir(m_live->server().dataDir()).filePath(u"janus/janus.jcfg"_s));
        QCOMPARE(config.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        JanusAddress wrongSecret = m_janus;
        wrongSecret.apiSecret = u"guess"_s;
        JanusLook intruder;
        QVERIFY(!intruder.open(wrongSecret));
    }

    void roomLivesWithTheMeeting()
    {
        JanusLook look;
        QVERIFY(look.open(m_janus));
        const QString meetingId = m_live->createMeeting(false);
        QVERIFY(!meetingId.isEmpty());
        QCOMPARE(look.roomExists(meetingId), std::optional<bool>(false));

        QJsonObject joined;
        auto host = m_live->join(u"admin"_s, meetingId, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);
        QCOMPARE(joined.value(u"media"_s).toString(), u"sfu"_s);
        QVERIFY(waitUntil([&] { return look.roomExists(meetingId) == std::optional(true); }));

        QCOMPARE(m_live->api().post(u"/v1/meetings/%1:end"_s.arg(meetingId), {}).status, 200);
        QVERIFY2(waitUntil([&] { return look.roomExists(meetingId) == std::optional(false); }),
                 "the meeting ended but its room stands");
    }

    void sfuFramesAreChecked()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject joined;
        auto host = m_live->join(u"admin"_s, meetingId, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);

        struct Case
        {
            QJsonObject frame;
            QString code;
        };
        const QList<Case> cases{
            // An answer must name the receiving connection it answers.
            {{{u"type"_s, u"answer"_s}, {u"to"_s, u"sfu"_s}, {u"sdp"_s, u"v=0"_s}},
             u"invalid_frame"_s},
            // Receiving connections are offered by the SFU, never by the client.
            {{{u"type"_s, u"offer"_s},
              {u"to"_s, u"sfu"_s},
              {u"feed"_s, u"par_x"_s},
              {u"sdp"_s, u"v=0"_s}},
             u"invalid_frame"_s},
            {{{u"type"_s, u"offer"_s}, {u"to"_s, u"sfu"_s}, {u"sdp"_s, 5}}, u"invalid_frame"_s},
            {{{u"type"_s, u"candidate"_s}, {u"to"_s, u"sfu"_s}, {u"candidate"_s, u"a"_s}},
             u"invalid_frame"_s},
            {{{u"type"_s, u"answer"_s},
              {u"to"_s, u"sfu"_s},
              {u"feed"_s, u"par_nobody"_s},
              {u"sdp"_s, u"v=0"_s}},
             u"invalid_frame"_s},
            // Well-formed, but no SDP Janus can use: refused by the SFU, after a round trip.
            {{{u"type"_s, u"offer"_s}, {u"to"_s, u"sfu"_s}, {u"sdp"_s, u"v=0\r\nnonsense\r\n"_s}},
             u"media_failed"_s},
        };
        int n = 0;
        for (Case c : cases) {
            const QString id = u"f%1"_s.arg(++n);
            c.frame.insert(u"id"_s, id);
            host->send(c.frame);
            const QJsonObject error = host->waitFor(u"error"_s, 5000);
            QVERIFY2(!error.isEmpty(), qPrintable(u"no error for frame %1"_s.arg(n)));
            QCOMPARE(error.value(u"id"_s).toString(), id);
            QCOMPARE(error.value(u"code"_s).toString(), c.code);
            QVERIFY(!error.value(u"message"_s).toString().isEmpty());
        }
        // The socket stays usable after refusals.
        QVERIFY(host->isOpen());
    }

    void recordingWithoutMediaFailsClearly()
    {
        const QString meetingId = m_live->createMeeting(false);
        QJsonObject joined;
        auto host = m_live->join(u"admin"_s, meetingId, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);

        ApiClient api = m_live->api();
        const ApiReply started = api.post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
        QCOMPARE(started.status, 202);
        const QString recordingId = started.json().value(u"recording_id"_s).toString();
        // What a meeting's recordings hold is for the server's account only.
        const QDir meetingDir(
            QDir(m_live->server().dataDir()).filePath(u"recordings/"_s + meetingId));
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::ExeGroup
            | QFileDevice::ReadOther | QFileDevice::ExeOther;
        QVERIFY(meetingDir.exists());
        QCOMPARE(QFileInfo(meetingDir.path()).permissions() & others, QFileDevice::Permissions());
        QCOMPARE(QFileInfo(meetingDir.filePath(recordingId)).permissions() & others,
                 QFileDevice::Permissions());
        QTest::qWait(500);
        QCOMPARE(api.post(u"/v1/meetings/%1/recordings:stop"_s.arg(meetingId), {}).status, 202);

        const QJsonObject failed
            = RecordingChecks::waitForState(api, recordingId, {u"failed"_s, u"completed"_s}, 15000);
        QCOMPARE(failed.value(u"state"_s).toString(), u"failed"_s);
        QCOMPARE(failed.value(u"error_code"_s).toString(), u"capture_empty"_s);
    }

    void externalNodeFromFile()
    {
        // The first server's Janus serves a second server as a configured node.
        QTemporaryDir files;
        QVERIFY(files.isValid());
        const QString secretPath = files.filePath(u"api.secret"_s);
        const QString keyPath = files.filePath(u"admin.key"_s);
        for (const auto &[path, value] :
             {std::pair{secretPath, m_janus.apiSecret}, std::pair{keyPath, m_janus.adminKey}}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
            file.write(value.toUtf8() + '\n');
        }
        const QString nodesPath = files.filePath(u"nodes.json"_s);
        QFile nodes(nodesPath);
        QVERIFY(nodes.open(QIODevice::WriteOnly));
        nodes.write(QJsonDocument(
                        QJsonArray{QJsonObject{{u"name"_s, u"janus-a"_s},
                                               {u"region"_s, u"local"_s},
                                               {u"url"_s, u"ws://127.0.0.1:%1"_s.arg(m_janus.port)},
                                               {u"api_secret_file"_s, u"api.secret"_s},
                                               {u"admin_key_file"_s, u"admin.key"_s}}})
                        .toJson());
        nodes.close();

        LiveScenario second({u"--media"_s, u"janus"_s, u"--janus-nodes"_s, nodesPath});
        QVERIFY2(second.start(), second.server().standardError().constData());
        QCOMPARE(second.api()
                     .get(u"/v1/admin/status"_s)
                     .json()
                     .value(u"media"_s)
                     .toObject()
                     .value(u"adapter"_s)
                     .toString(),
                 u"janus"_s);
        // It runs no Janus of its own.
        QVERIFY(!QFileInfo::exists(QDir(second.server().dataDir()).filePath(u"janus"_s)));

        JanusLook look;
        QVERIFY(look.open(m_janus));
        const QString meetingId = second.createMeeting(false);
        QJsonObject joined;
        auto host = second.join(u"admin"_s, meetingId, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);
        QVERIFY(waitUntil([&] { return look.roomExists(meetingId) == std::optional(true); }));
    }

    void unreachableNodeIsPlain()
    {
        // A node nobody listens on: quorumd starts, says so, and refuses media at once.
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        QTemporaryDir files;
        QVERIFY(files.isValid());
        QFile nodes(files.filePath(u"nodes.json"_s));
        QVERIFY(nodes.open(QIODevice::WriteOnly));
        nodes.write(u"[{\"name\":\"gone\",\"region\":\"local\",\"url\":\"ws://127.0.0.1:%1\"}]"_s
                        .arg(closedPort)
                        .toUtf8());
        nodes.close();
        LiveScenario live({u"--media"_s, u"janus"_s, u"--janus-nodes"_s, nodes.fileName()});
        QVERIFY2(live.start(), live.server().standardError().constData());

        const QJsonObject media
            = live.api().get(u"/v1/admin/status"_s).json().value(u"media"_s).toObject();
        QCOMPARE(media.value(u"servers"_s).toArray().first().toObject().value(u"connected"_s),
                 QJsonValue(false));

        const QString meetingId = live.createMeeting(false);
        QJsonObject joined;
        auto host = live.join(u"admin"_s, meetingId, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);
        host->send({{u"type"_s, u"offer"_s},
                    {u"id"_s, u"o"_s},
                    {u"to"_s, u"sfu"_s},
                    {u"sdp"_s, u"v=0\r\n"_s}});
        const QJsonObject error = host->waitFor(u"error"_s, 2000);
        QCOMPARE(error.value(u"code"_s).toString(), u"media_failed"_s);
        QVERIFY(error.value(u"message"_s).toString().contains(u"cannot be reached"));

        const ApiReply recording
            = live.api().post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
        QVERIFY2(recording.status >= 400
                     || recording.json().value(u"state"_s).toString() == u"failed"_s,
                 recording.body.constData());
    }

    void badJanusSettingsAreRefused_data()
    {
        QTest::addColumn<QString>("nodes");
        QTest::addColumn<QStringList>("flags");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing file")
            << QString() << QStringList{u"--janus-nodes"_s, u"@"_s} << u"cannot read"_s;
        QTest::newRow("not an array") << u"{}"_s << QStringList() << u"JSON array"_s;
        QTest::newRow("no region") << u"[{\"name\":\"a\",\"url\":\"ws://127.0.0.1:1\"}]"_s
                                   << QStringList() << u"`region` is required"_s;
        QTest::newRow("unknown field")
            << u"[{\"name\":\"a\",\"region\":\"r\",\"url\":\"ws://127.0.0.1:1\","
               "\"secret\":\"x\"}]"_s
            << QStringList() << u"unknown field `secret`"_s;
        QTest::newRow("nodes with builtin")
            << u"[{\"name\":\"a\",\"region\":\"r\",\"url\":\"ws://127.0.0.1:1\"}]"_s
            << QStringList{u"--media"_s, u"builtin"_s}
            << u"--janus-nodes needs --media janus or auto"_s;
        QTest::newRow("http url")
            << u"[{\"name\":\"a\",\"region\":\"r\",\"url\":\"http://127.0.0.1:1\"}]"_s
            << QStringList() << u"`url` must be ws://"_s;
        QTest::newRow("readable secret")
            << u"[{\"name\":\"a\",\"region\":\"r\",\"url\":\"ws://127.0.0.1:1\","
               "\"api_secret_file\":\"open.secret\"}]"_s
            << QStringList() << u"readable by others"_s;
        QTest::newRow("public ip") << QString() << QStringList{u"--janus-public-ip"_s, u"x.y"_s}
                                   << u"--janus-public-ip must be an IP address"_s;
        QTest::newRow("rtp ports") << QString() << QStringList{u"--janus-rtp-ports"_s, u"9-5"_s}
                                   << u"--janus-rtp-ports must be LOW-HIGH"_s;
        QTest::newRow("rtp ports reversed")
            << QString() << QStringList{u"--janus-rtp-ports"_s, u"40000-20000"_s}
            << u"LOW is above HIGH"_s;
        QTest::newRow("loopback interface")
            << QString() << QStringList{u"--janus-ice-interfaces"_s, u"lo"_s}
            << u"Janus never offers media on loopback"_s;
        QTest::newRow("unknown interface")
            << QString() << QStringList{u"--janus-ice-interfaces"_s, u"nonexistent0"_s}
            << u"no interface or address of this machine matches nonexistent0"_s;
        QTest::newRow("no such binary")
            << QString() << QStringList{u"--janus-binary"_s, u"/nonexistent/janus"_s}
            << u"no Janus at /nonexistent/janus (--janus-binary)"_s;
        QTest::newRow("binary that exits")
            << QString() << QStringList{u"--janus-binary"_s, u"/bin/false"_s}
            << u"/bin/false exited at start with code 1"_s;
    }

    void badJanusSettingsAreRefused()
    {
        QFETCH(QString, nodes);
        QFETCH(QStringList, flags);
        QFETCH(QString, message);

        QTemporaryDir files;
        QVERIFY(files.isValid());
        QFile open(files.filePath(u"open.secret"_s));
        QVERIFY(open.open(QIODevice::WriteOnly));
        open.write("s3cret\n");
        open.close();
        QVERIFY(open.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                    | QFileDevice::ReadOther));
        QStringList arguments{u"--media"_s, u"janus"_s};
        if (!nodes.isEmpty()) {
            QFile file(files.filePath(u"nodes.json"_s));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(nodes.toUtf8());
            arguments << u"--janus-nodes"_s << file.fileName();
        }
        for (QString flag : flags)
            arguments << flag.replace(u"@"_s, files.filePath(u"absent.json"_s));

        QuorumdProcess server(arguments);
        QVERIFY(!server.start(15000));
        QVERIFY2(server.standardError().contains(message.toUtf8()),
                 server.standardError().constData());
    }

    void janusThatDiesComesBack()
    {
        const QString meetingBefore = m_live->createMeeting(false);
        QJsonObject joined;
        auto host = m_live->join(u"admin"_s, meetingBefore, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);

        const QString configuration = QDir(m_live->server().dataDir()).filePath(u"janus"_s);
        const QList<qint64> running = processesMentioning(configuration);
        QCOMPARE(running.size(), 1);
        QCOMPARE(::kill(pid_t(running.first()), SIGKILL), 0);

        // quorumd starts it again, on the same port and secrets.
        QVERIFY2(waitUntil(
                     [&] {
                         const QList<qint64> now = processesMentioning(configuration);
                         return now.size() == 1 && now.first() != running.first();
                     },
                     10000),
                 "no new Janus");
        std::unique_ptr<JanusLook> look;
        QVERIFY(waitUntil(
            [&] {
                look = std::make_unique<JanusLook>();
                return look->open(m_janus);
            },
            15000));

        // The live meeting's room stands again (its media must be negotiated anew), and a new
        // meeting gets one.
        QVERIFY2(waitUntil([&] { return look->roomExists(meetingBefore) == std::optional(true); },
                           10000),
                 "the live meeting's room was not made again");
        const QString meetingAfter = m_live->createMeeting(false);
        auto another = m_live->join(u"admin"_s, meetingAfter, &joined);
        QCOMPARE(joined.value(u"type"_s).toString(), u"joined"_s);
        QVERIFY(waitUntil([&] { return look->roomExists(meetingAfter) == std::optional(true); }));
    }

    // Last: it stops the shared server.
    void noJanusOutlivesItsServer()
    {
        const QString configuration = QDir(m_live->server().dataDir()).filePath(u"janus"_s);
        QVERIFY(!processesMentioning(configuration).isEmpty());
        m_live->server().stop();
        QVERIFY2(waitUntil([&] { return processesMentioning(configuration).isEmpty(); }),
                 "Janus still runs after its server stopped");

        // Not even after a crash of the server.
        QuorumdProcess crashing(kJanusFlags);
        QVERIFY(crashing.start());
        const QString crashingConfiguration = QDir(crashing.dataDir()).filePath(u"janus"_s);
        QVERIFY(!processesMentioning(crashingConfiguration).isEmpty());
        crashing.kill();
        QVERIFY2(waitUntil([&] { return processesMentioning(crashingConfiguration).isEmpty(); }),
                 "Janus still runs after its server was killed");
    }

private:
    std::unique_ptr<LiveScenario> m_live;
    JanusAddress m_janus;
};

QTEST_GUILESS_MAIN(JanusMediaTest)
#include "tst_janus_media.moc"
