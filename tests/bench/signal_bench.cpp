// The signalling load tool (`make bench` runs it through tests/bench/run_signal.sh; not a test).
// Against a real quorumd on loopback it opens N WebSockets spread over M meetings and prints
// joins per second, the server's memory per socket, the fan-out delay of participant_joined and
// participant_left in one meeting of F people, and how soon the participants list reflects a
// join or a leave. Usage:
//   signal_bench --url http://127.0.0.1:PORT --token PAT --pid QUORUMD_PID
//                [--sockets N] [--meetings M] [--fanout-size F] [--rounds R]
//                [--concurrency C] [--timeout SECONDS] [--keepalive-wait SECONDS]
// The token needs meeting.read, meeting.write and meeting.join. Every wait is bounded; lines
// starting with BENCH_RESULT carry the figures for the script's table.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <sys/resource.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

// Targets of issue 3.
constexpr int kTargetSockets = 5000;
constexpr double kTargetKibPerSocket = 32.0;
constexpr double kTargetFanoutP99Ms = 50.0;
constexpr double kTargetListP99Ms = 50.0;

// How long one fan-out or list round may take before it counts as lost.
constexpr int kRoundTimeoutMs = 5000;

QElapsedTimer &monotonic()
{
    static QElapsedTimer timer;
    if (!timer.isValid())
        timer.start();
    return timer;
}

qint64 nowNs()
{
    return monotonic().nsecsElapsed();
}

// Keeps the event loop waking up so that waits notice their deadline even when nothing
// arrives; every wait of this tool goes through here.
bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer tick;
    tick.start(20);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

void pause(int ms)
{
    waitFor([] { return false; }, ms);
}

QString raiseOpenFileLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return u"open-file limit unknown"_s;

    const rlim_t previous = limit.rlim_cur;
    if (limit.rlim_cur == limit.rlim_max)
        return u"open-file soft limit already at the hard limit, %1"_s.arg(quint64(previous));
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0)
            return u"open-file limit stays %1 (raising it failed)"_s.arg(quint64(previous));
    }
    return u"open-file soft limit raised from %1 to %2 (the hard limit)"_s.arg(quint64(previous))
        .arg(quint64(limit.rlim_cur));
}

// VmRSS of a process in KiB, or -1.
qint64 residentKib(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return -1;

    std::sort(values.begin(), values.end());
    // Nearest rank: the smallest value with at least p of the values at or below it.
    const auto rank = static_cast<size_t>(std::ceil(p / 100.0 * double(values.size())));
    return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

// One signalling connection. It joins as soon as it is connected unless told to wait, and,
// when it watches, reports every participant_joined and participant_left it receives.
class Peer final : public QObject
{
    Q_OBJECT

public:
    enum class State { Idle, Connecting, Connected, Joining, Joined, Closed, Failed };

    Peer(QUrl url, QString meetingId, QString token, bool joinOnConnect, bool watch)
        : m_socket(new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this))
        , m_url(std::move(url))
        , m_meetingId(std::move(meetingId))
        , m_token(std::move(token))
        , m_joinOnConnect(joinOnConnect)
        , m_watch(watch)
    {
        connect(m_socket, &QWebSocket::connected, this, &Peer::onConnected);
        connect(m_socket, &QWebSocket::disconnected, this, &Peer::onDisconnected);
        connect(m_socket, &QWebSocket::textMessageReceived, this, &Peer::onText);
        connect(m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                [this](QAbstractSocket::SocketError) { fail(m_socket->errorString()); });
    }

    void open()
    {
        QWebSocketHandshakeOptions options;
        options.setSubprotocols({u"quorum.v1"_s});
        m_state = State::Connecting;
        m_socket->open(QNetworkRequest(m_url), options);
    }

    void sendJoin()
    {
        const QJsonObject frame{{u"type"_s, u"join"_s},
                                {u"id"_s, u"1"_s},
                                {u"token"_s, m_token},
                                {u"meeting_id"_s, m_meetingId}};
        m_state = State::Joining;
        m_socket->sendTextMessage(
            QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    }

    void sendLeave() { m_socket->sendTextMessage(u"{\"type\":\"leave\"}"_s); }

    void close()
    {
        if (m_socket->state() != QAbstractSocket::UnconnectedState)
            m_socket->close();
    }

    bool isOpen() const { return m_socket->state() != QAbstractSocket::UnconnectedState; }
    State state() const { return m_state; }
    bool settled() const { return m_state == State::Joined || m_state == State::Failed; }
    const QString &participantId() const { return m_participantId; }
    qint64 joinedAt() const { return m_joinedAt; }
    const QString &problem() const { return m_problem; }

Q_SIGNALS:
    void connectedToServer();
    void joined();
    void failed();
    void rosterEvent(bool joinedEvent, const QString &participantId, qint64 atNs);

private:
    void onConnected()
    {
        m_state = State::Connected;
        Q_EMIT connectedToServer();
        if (m_joinOnConnect)
            sendJoin();
    }

    void onDisconnected()
    {
        if (m_state == State::Joined || m_state == State::Closed) {
            m_state = State::Closed;
            return;
        }
        fail(u"closed %1 %2"_s.arg(int(m_socket->closeCode())).arg(m_socket->closeReason()));
    }

    void onText(const QString &message)
    {
        const qint64 at = nowNs();
        if (m_state == State::Joining) {
            const QJsonObject frame = QJsonDocument::fromJson(message.toUtf8()).object();
            const QString type = frame.value(u"type").toString();
            if (type == u"joined") {
                m_participantId = frame.value(u"participant_id").toString();
                m_joinedAt = at;
                m_state = State::Joined;
                Q_EMIT joined();
            } else {
                fail(u"answered %1"_s.arg(message.left(200)));
            }
            return;
        }

        // Only watchers parse what follows: the crowd's own roster traffic stays cheap here.
        if (!m_watch || m_state != State::Joined)
            return;
        const bool isJoin = message.contains(u"\"participant_joined\"");
        if (!isJoin && !message.contains(u"\"participant_left\""))
            return;
        const QJsonObject frame = QJsonDocument::fromJson(message.toUtf8()).object();
        const QString id = isJoin ? frame.value(u"participant").toObject().value(u"id").toString()
                                  : frame.value(u"participant_id").toString();
        Q_EMIT rosterEvent(isJoin, id, at);
    }

    void fail(const QString &problem)
    {
        if (m_state == State::Failed || m_state == State::Closed)
            return;
        if (m_state == State::Joined) {
            m_state = State::Closed;
            return;
        }
        m_problem = problem;
        m_state = State::Failed;
        Q_EMIT failed();
    }

    QWebSocket *m_socket; // a child, so that it moves with the peer to the crowd's thread
    QUrl m_url;
    QString m_meetingId;
    QString m_token;
    bool m_joinOnConnect = true;
    bool m_watch = false;
    // Read by the main thread while a crowd peer's own thread changes it.
    std::atomic<State> m_state = State::Idle;
    QString m_participantId;
    qint64 m_joinedAt = 0;
    QString m_problem;
};

struct Options
{
    QUrl base;
    QByteArray token;
    qint64 pid = 0;
    int sockets = 5000;
    int meetings = 50;
    int fanoutSize = 100;
    int rounds = 50;
    int concurrency = 64;
    int timeoutSeconds = 120;
    int keepAliveWaitSeconds = 12; // past the server's ping interval (10 s by default)
};

struct Reply
{
    int status = 0;
    QJsonObject json;
    QString problem;
};

// The measurements, in order; each step says what went wrong and stops the run when it
// cannot go on.
class SignalBench final
{
public:
    explicit SignalBench(Options options)
        : m_options(std::move(options))
    {
        QUrl signal = m_options.base;
        signal.setScheme(m_options.base.scheme() == u"https" ? u"wss"_s : u"ws"_s);
        signal.setPath(u"/v1/signal"_s);
        m_signalUrl = signal;
    }

    ~SignalBench() { closeAll(); }

    int run()
    {
        std::printf("signal_bench: %s\n", qPrintable(raiseOpenFileLimit()));
        std::printf("signal_bench: %d sockets in %d meetings, fan-out in %d, %d rounds, "
                    "against %s (pid %lld)\n",
                    m_options.sockets, m_options.meetings, m_options.fanoutSize, m_options.rounds,
                    qPrintable(m_options.base.toString()), m_options.pid);
        std::fflush(stdout);

        if (!crowd() || !fanOut() || !listFreshness() || !keepAlive()) {
            printTable();
            return 1;
        }
        printTable();
        return 0;
    }

private:
    // POSTs or GETs one request and waits for its answer.
    Reply request(const QByteArray &method, const QString &pathAndQuery,
                  const QJsonObject &body = {})
    {
        Reply reply;
        QNetworkReply *network = send(method, pathAndQuery, body);
        const bool finished
            = waitFor([network] { return network->isFinished(); }, m_options.timeoutSeconds * 1000);
        if (!finished) {
            network->abort();
            reply.problem = u"no answer in time"_s;
        } else {
            reply = toReply(network);
        }
        network->deleteLater();
        return reply;
    }

    QNetworkReply *send(const QByteArray &method, const QString &pathAndQuery,
                        const QJsonObject &body)
    {
        QUrl url = m_options.base;
        const qsizetype question = pathAndQuery.indexOf(u'?');
        url.setPath(pathAndQuery.left(question));
        if (question >= 0)
            url.setQuery(pathAndQuery.mid(question + 1));
        QNetworkRequest network(url);
        network.setRawHeader("Authorization", "Bearer " + m_options.token);
        network.setTransferTimeout(m_options.timeoutSeconds * 1000);
        if (method == "GET")
            return m_http.get(network);
        network.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        return m_http.sendCustomRequest(network, method,
                                        QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    static Reply toReply(QNetworkReply *network)
    {
        Reply reply;
        reply.status = network->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = network->readAll();
        reply.json = QJsonDocument::fromJson(bytes).object();
        if (reply.status < 200 || reply.status > 299)
            reply.problem = u"HTTP %1 %2 %3"_s.arg(reply.status)
                                .arg(network->errorString(), QString::fromUtf8(bytes.left(300)));
        return reply;
    }

    std::optional<QString> createMeeting(const QString &topic)
    {
        // A start an hour ahead is valid whenever the tool runs; joining early is allowed.
        const QString start = QDateTime::currentDateTimeUtc().addSecs(3600).toString(Qt::ISODate);
        const QJsonObject body{{u"topic"_s, topic},
                               {u"start_time"_s, start},
                               {u"duration_minutes"_s, 120},
                               {u"waiting_room"_s, false},
                               {u"settings"_s, QJsonObject{{u"allow_join_before_host"_s, true}}}};
        const Reply reply = request("POST", u"/v1/meetings"_s, body);
        if (!reply.problem.isEmpty()) {
            std::fprintf(stderr, "signal_bench: creating a meeting: %s\n",
                         qPrintable(reply.problem));
            return std::nullopt;
        }
        return reply.json.value(u"id").toString();
    }

    // Join tokens for fresh guests, `count` of them for each meeting of `meetings` in turn;
    // at most `concurrency` requests in flight.
    std::optional<QStringList> joinTokens(const QStringList &meetings, int count,
                                          const QString &namePrefix)
    {
        QStringList tokens(count);
        std::vector<QPointer<QNetworkReply>> sent;
        int next = 0;
        int done = 0;
        QString problem;
        std::function<void()> issue = [&] {
            while (next < count && next - done < m_options.concurrency && problem.isEmpty()) {
                const int index = next++;
                const QString meeting = meetings.at(index % meetings.size());
                const QJsonObject body{{u"guest"_s, true},
                                       {u"display_name"_s, u"%1 %2"_s.arg(namePrefix).arg(index)}};
                QNetworkReply *network
                    = send("POST", u"/v1/meetings/%1/joinToken"_s.arg(meeting), body);
                sent.emplace_back(network);
                QObject::connect(network, &QNetworkReply::finished, network, [&, network, index] {
                    const Reply reply = toReply(network);
                    network->deleteLater();
                    ++done;
                    if (!reply.problem.isEmpty() && problem.isEmpty())
                        problem = reply.problem;
                    tokens[index] = reply.json.value(u"jwt").toString();
                    issue();
                });
            }
        };
        issue();

        const bool finished
            = waitFor([&] { return done == next && (next == count || !problem.isEmpty()); },
                      m_options.timeoutSeconds * 1000);
        // Whatever is still in flight must not call back into this frame once it returns.
        for (const QPointer<QNetworkReply> &network : sent) {
            if (!network)
                continue;
            QObject::disconnect(network, &QNetworkReply::finished, nullptr, nullptr);
            network->abort();
            network->deleteLater();
        }
        if (!finished || !problem.isEmpty()) {
            std::fprintf(stderr, "signal_bench: join tokens: %s\n",
                         qPrintable(finished ? problem : u"not all in time"_s));
            return std::nullopt;
        }
        return tokens;
    }

    Peer *addPeer(const QString &meeting, const QString &token, bool joinOnConnect, bool watch)
    {
        m_peers.push_back(
            std::make_unique<Peer>(m_signalUrl, meeting, token, joinOnConnect, watch));
        return m_peers.back().get();
    }

    // Opens a peer per token, at most `concurrency` joining at once; returns those that
    // joined. Reports the first failures. With `thread`, the peers live there (the crowd):
    // their idle sockets then cost the measuring thread nothing in each of its poll() calls.
    std::vector<Peer *> openAll(const QStringList &meetings, const QStringList &tokens, bool watch,
                                double *seconds, QThread *thread = nullptr)
    {
        std::vector<Peer *> peers;
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            const QString &meeting = meetings.at(i % meetings.size());
            if (!thread) {
                peers.push_back(addPeer(meeting, tokens.at(i), true, watch));
                continue;
            }
            auto *peer = new Peer(m_signalUrl, meeting, tokens.at(i), true, watch);
            peer->moveToThread(thread);
            m_crowd.push_back(peer);
            peers.push_back(peer);
        }

        size_t next = 0;
        size_t settled = 0;
        const auto start = [&] {
            while (next < peers.size() && next - settled < size_t(m_options.concurrency)) {
                Peer *peer = peers[next++];
                QMetaObject::invokeMethod(peer, [peer] { peer->open(); });
            }
        };
        // The counting runs in this thread whatever thread a peer lives in; the anchor goes
        // first when the function returns, and with it every connection to the lambdas.
        QObject anchor;
        for (Peer *peer : peers) {
            QObject::connect(peer, &Peer::joined, &anchor, [&] {
                ++settled;
                start();
            });
            QObject::connect(peer, &Peer::failed, &anchor, [&] {
                ++settled;
                start();
            });
        }

        const qint64 began = nowNs();
        start();
        waitFor([&] { return settled == peers.size(); }, m_options.timeoutSeconds * 1000);
        *seconds = double(nowNs() - began) / 1e9;

        std::vector<Peer *> joined;
        int reported = 0;
        for (Peer *peer : peers) {
            if (peer->state() == Peer::State::Joined)
                joined.push_back(peer);
            else if (reported++ < 5)
                std::fprintf(stderr, "signal_bench: a socket did not join: %s\n",
                             qPrintable(peer->state() == Peer::State::Failed ? peer->problem()
                                                                             : u"timed out"_s));
        }
        return joined;
    }

    bool crowd()
    {
        QStringList meetings;
        for (int i = 0; i < m_options.meetings; ++i) {
            const auto id = createMeeting(u"Signal bench %1"_s.arg(i));
            if (!id)
                return false;
            meetings << *id;
        }
        const auto tokens = joinTokens(meetings, m_options.sockets, u"Crowd"_s);
        if (!tokens)
            return false;

        // Memory per socket is the slope between a tenth of the crowd and all of it: what the
        // first sockets pay once (code pages touched, caches warming up) is not per socket.
        const qsizetype warmup = std::max<qsizetype>(1, tokens->size() / 10);
        double seconds = 0;
        m_crowdThread.start();
        std::vector<Peer *> joined
            = openAll(meetings, tokens->mid(0, warmup), false, &seconds, &m_crowdThread);
        pause(1000);
        const qint64 before = residentKib(m_options.pid);
        const size_t warmJoined = joined.size();
        double restSeconds = 0;
        const std::vector<Peer *> rest
            = openAll(meetings, tokens->mid(warmup), false, &restSeconds, &m_crowdThread);
        joined.insert(joined.end(), rest.begin(), rest.end());
        seconds += restSeconds;
        m_liveSockets = int(joined.size());
        m_joinsPerSecond = seconds > 0 ? double(joined.size()) / seconds : 0;

        // Let the last roster frames drain before reading the server's memory.
        pause(1000);
        const qint64 after = residentKib(m_options.pid);
        if (before > 0 && after > 0 && rest.size() > 0)
            m_kibPerSocket = double(after - before) / double(joined.size() - warmJoined);
        m_crowdBaseKib = before;
        m_crowdMeasured = qsizetype(joined.size() - warmJoined);
        std::printf("crowd: %zu of %d joined in %.2f s (%.0f joins/s); quorumd RSS %lld -> %lld "
                    "KiB\n",
                    joined.size(), m_options.sockets, seconds, m_joinsPerSecond, before, after);
        std::fflush(stdout);
        // A shortfall shows in the table; the other figures are still worth having.
        return !joined.empty();
    }

    // Memory again once every socket has exchanged keep-alive pings (and the fan-out meeting
    // has come and gone), over the same base: reading and writing after the join must not
    // grow a socket's cost.
    bool keepAlive()
    {
        pause(m_options.keepAliveWaitSeconds * 1000);
        const qint64 after = residentKib(m_options.pid);
        const qsizetype measured = m_crowdMeasured + m_options.fanoutSize;
        if (m_crowdBaseKib > 0 && after > 0 && m_crowdMeasured > 0)
            m_kibPerSocketAfterPings = double(after - m_crowdBaseKib) / double(measured);
        std::printf("keep-alive: after %d s, quorumd RSS %lld KiB\n",
                    m_options.keepAliveWaitSeconds, after);
        std::fflush(stdout);
        return true;
    }

    // One meeting of fanoutSize watchers; R times a newcomer joins and leaves, and each
    // watcher's participant_joined / participant_left arrival is timed from the newcomer's
    // join or leave frame.
    bool fanOut()
    {
        const auto meeting = createMeeting(u"Signal bench fan-out"_s);
        if (!meeting)
            return false;
        m_fanoutMeeting = *meeting;
        const auto watcherTokens = joinTokens({*meeting}, m_options.fanoutSize, u"Watcher"_s);
        const auto newcomerTokens = joinTokens({*meeting}, 2 * m_options.rounds, u"Newcomer"_s);
        if (!watcherTokens || !newcomerTokens)
            return false;
        m_newcomerTokens = *newcomerTokens;

        double seconds = 0;
        m_watchers = openAll({*meeting}, *watcherTokens, true, &seconds);
        if (int(m_watchers.size()) != m_options.fanoutSize)
            return false;

        // Arrivals per participant id: joins and leaves apart.
        QHash<QString, std::vector<qint64>> joins;
        QHash<QString, std::vector<qint64>> leaves;
        for (Peer *watcher : m_watchers) {
            QObject::connect(watcher, &Peer::rosterEvent, watcher,
                             [&](bool isJoin, const QString &id, qint64 at) {
                                 (isJoin ? joins : leaves)[id].push_back(at);
                             });
        }

        const size_t everyone = m_watchers.size();
        for (int round = 0; round < m_options.rounds; ++round) {
            Peer *newcomer = addPeer(*meeting, m_newcomerTokens.at(round), false, false);
            newcomer->open();
            if (!waitFor([newcomer] { return newcomer->state() != Peer::State::Connecting; },
                         kRoundTimeoutMs)
                || newcomer->state() != Peer::State::Connected) {
                std::fprintf(stderr, "signal_bench: a newcomer could not connect: %s\n",
                             qPrintable(newcomer->problem()));
                return false;
            }

            const qint64 joinAt = nowNs();
            newcomer->sendJoin();
            const bool arrived = waitFor(
                [&] {
                    return newcomer->state() == Peer::State::Joined
                        && joins.value(newcomer->participantId()).size() == everyone;
                },
                kRoundTimeoutMs);
            if (newcomer->state() != Peer::State::Joined) {
                std::fprintf(stderr, "signal_bench: a newcomer did not join: %s\n",
                             qPrintable(newcomer->problem()));
                return false;
            }
            m_joinedMs.push_back(double(newcomer->joinedAt() - joinAt) / 1e6);
            record(joins.value(newcomer->participantId()), joinAt, arrived);

            const qint64 leaveAt = nowNs();
            newcomer->sendLeave();
            const bool gone = waitFor(
                [&] { return leaves.value(newcomer->participantId()).size() == everyone; },
                kRoundTimeoutMs);
            record(leaves.value(newcomer->participantId()), leaveAt, gone);
            waitFor([newcomer] { return !newcomer->isOpen(); }, kRoundTimeoutMs);
        }

        for (Peer *watcher : m_watchers)
            QObject::disconnect(watcher, &Peer::rosterEvent, nullptr, nullptr);
        std::printf("fan-out: %d joins and %d leaves to %zu watchers; %d deliveries missing\n",
                    m_options.rounds, m_options.rounds, everyone, m_lostDeliveries);
        std::fflush(stdout);
        return true;
    }

    void record(const std::vector<qint64> &arrivals, qint64 sentAt, bool complete)
    {
        qint64 last = sentAt;
        for (const qint64 at : arrivals) {
            m_deliveryMs.push_back(double(at - sentAt) / 1e6);
            last = std::max(last, at);
        }
        m_lostDeliveries += int(m_watchers.size() - arrivals.size());
        // An incomplete round counts as the whole timeout: it missed whatever its real delay.
        m_everyoneMs.push_back(complete ? double(last - sentAt) / 1e6 : double(kRoundTimeoutMs));
    }

    // Whether GET .../participants?state=present lists someone of this display name; follows
    // the cursor. nullopt when the request failed.
    std::optional<bool> listed(const QString &displayName)
    {
        QString cursor;
        do {
            QUrlQuery query;
            query.addQueryItem(u"state"_s, u"present"_s);
            query.addQueryItem(u"page_size"_s, u"300"_s);
            if (!cursor.isEmpty())
                query.addQueryItem(u"cursor"_s, cursor);
            const qint64 sentAt = nowNs();
            const Reply reply = request(
                "GET", u"/v1/meetings/%1/participants?%2"_s.arg(m_fanoutMeeting, query.toString()));
            m_getMs.push_back(double(nowNs() - sentAt) / 1e6);
            if (reply.status == 404 && m_listMs.empty()) {
                m_listMissing = true;
                return std::nullopt;
            }
            if (!reply.problem.isEmpty()) {
                std::fprintf(stderr, "signal_bench: the participants list: %s\n",
                             qPrintable(reply.problem));
                return std::nullopt;
            }
            for (const QJsonValue &entry : reply.json.value(u"participants").toArray()) {
                if (entry.toObject().value(u"display_name").toString() == displayName)
                    return true;
            }
            cursor = reply.json.value(u"next_cursor").toString();
        } while (!cursor.isEmpty());
        return false;
    }

    // Polls the list (one request at a time, each right after the previous answer) until it
    // shows `wanted` for the name; the delay runs from `since` to the answer that shows it.
    bool pollUntil(const QString &displayName, bool wanted, qint64 since)
    {
        QDeadlineTimer deadline(kRoundTimeoutMs);
        while (!deadline.hasExpired()) {
            const auto present = listed(displayName);
            if (!present)
                return false;
            if (*present == wanted) {
                const double ms = double(nowNs() - since) / 1e6;
                m_listMs.push_back(ms);
                (wanted ? m_listJoinMs : m_listLeaveMs).push_back(ms);
                return true;
            }
        }
        m_listMs.push_back(double(kRoundTimeoutMs));
        return true;
    }

    bool listFreshness()
    {
        for (int round = 0; round < m_options.rounds; ++round) {
            const int index = m_options.rounds + round;
            const QString name = u"Newcomer %1"_s.arg(index);
            Peer *newcomer = addPeer(m_fanoutMeeting, m_newcomerTokens.at(index), false, false);
            newcomer->open();
            if (!waitFor([newcomer] { return newcomer->state() != Peer::State::Connecting; },
                         kRoundTimeoutMs)
                || newcomer->state() != Peer::State::Connected)
                return false;

            const qint64 joinAt = nowNs();
            newcomer->sendJoin();
            if (!pollUntil(name, true, joinAt)) {
                // A server without the participants route still gets the other figures.
                if (m_listMissing)
                    std::printf("participants list: GET .../participants answers 404; skipped\n");
                return m_listMissing;
            }
            waitFor([newcomer] { return newcomer->settled(); }, kRoundTimeoutMs);

            const qint64 leaveAt = nowNs();
            newcomer->sendLeave();
            if (!pollUntil(name, false, leaveAt))
                return false;
            waitFor([newcomer] { return !newcomer->isOpen(); }, kRoundTimeoutMs);
        }
        return true;
    }

    void closeAll()
    {
        for (const auto &peer : m_peers)
            peer->close();
        waitFor(
            [this] {
                return std::none_of(m_peers.begin(), m_peers.end(),
                                    [](const auto &peer) { return peer->isOpen(); });
            },
            10000);
        m_peers.clear();

        // The crowd closes and goes in its own thread; its deferred deletions run as the
        // thread finishes.
        if (!m_crowd.empty()) {
            QMetaObject::invokeMethod(
                m_crowd.front(),
                [crowd = m_crowd] {
                    for (Peer *peer : crowd) {
                        peer->close();
                        peer->deleteLater();
                    }
                },
                Qt::BlockingQueuedConnection);
            m_crowd.clear();
        }
        m_crowdThread.quit();
        m_crowdThread.wait(10000);
    }

    void printTable()
    {
        const double fanoutP50 = percentile(m_deliveryMs, 50);
        const double fanoutP99 = percentile(m_deliveryMs, 99);
        const double everyoneP99 = percentile(m_everyoneMs, 99);
        const double listP50 = percentile(m_listMs, 50);
        const double listP99 = percentile(m_listMs, 99);

        std::printf("BENCH_RESULT live_sockets %d\n", m_liveSockets);
        std::printf("BENCH_RESULT joins_per_s %.1f\n", m_joinsPerSecond);
        std::printf("BENCH_RESULT kib_per_socket %.2f\n", m_kibPerSocket);
        std::printf("BENCH_RESULT kib_per_socket_pinged %.2f\n", m_kibPerSocketAfterPings);
        std::printf("BENCH_RESULT fanout_p50_ms %.3f\n", fanoutP50);
        std::printf("BENCH_RESULT fanout_p99_ms %.3f\n", fanoutP99);
        std::printf("BENCH_RESULT fanout_everyone_p99_ms %.3f\n", everyoneP99);
        std::printf("BENCH_RESULT fanout_lost %d\n", m_lostDeliveries);
        std::printf("BENCH_RESULT list_p50_ms %.3f\n", listP50);
        std::printf("BENCH_RESULT list_p99_ms %.3f\n", listP99);
        std::printf("BENCH_RESULT joined_p50_ms %.3f\n", percentile(m_joinedMs, 50));
        std::printf("BENCH_RESULT list_get_p50_ms %.3f\n", percentile(m_getMs, 50));
        std::printf("BENCH_RESULT list_join_p50_ms %.3f\n", percentile(m_listJoinMs, 50));
        std::printf("BENCH_RESULT list_leave_p50_ms %.3f\n", percentile(m_listLeaveMs, 50));

        const auto verdict = [](bool measured, bool pass) {
            return !measured ? "-" : pass ? "PASS" : "MISS";
        };
        std::printf("\n%-34s %12s  %-22s %s\n", "figure", "value", "target", "result");
        std::printf("%-34s %12d  %-22s %s\n", "live sockets on one node", m_liveSockets, ">= 5000",
                    verdict(true, m_liveSockets >= kTargetSockets));
        std::printf("%-34s %12.0f  %-22s %s\n", "joins per second", m_joinsPerSecond, "-", "-");
        std::printf("%-34s %12.2f  %-22s %s\n", "server KiB per socket", m_kibPerSocket,
                    "<= 32 KiB",
                    verdict(m_kibPerSocket > 0, m_kibPerSocket <= kTargetKibPerSocket));
        std::printf(
            "%-34s %12.2f  %-22s %s\n", "server KiB per socket, after pings",
            m_kibPerSocketAfterPings, "<= 32 KiB",
            verdict(m_kibPerSocketAfterPings > 0, m_kibPerSocketAfterPings <= kTargetKibPerSocket));
        std::printf("%-34s %12.2f  %-22s %s\n", "fan-out p50 ms (per delivery)", fanoutP50, "-",
                    "-");
        std::printf(
            "%-34s %12.2f  %-22s %s\n", "fan-out p99 ms (per delivery)", fanoutP99, "<= 50 ms",
            verdict(fanoutP99 >= 0, fanoutP99 <= kTargetFanoutP99Ms && m_lostDeliveries == 0));
        std::printf("%-34s %12.2f  %-22s %s\n", "fan-out p99 ms (all 100 reached)", everyoneP99,
                    "-", "-");
        std::printf("%-34s %12.2f  %-22s %s\n", "newcomer's joined answer, p50 ms",
                    percentile(m_joinedMs, 50), "-", "-");
        std::printf("%-34s %12.2f  %-22s %s\n", "list reflects it, p50 ms", listP50, "-", "-");
        std::printf("%-34s %12.2f  %-22s %s\n", "list reflects it, p99 ms", listP99, "<= 50 ms",
                    verdict(listP99 >= 0, listP99 <= kTargetListP99Ms));
        std::printf("%-34s %12.2f  %-22s %s\n", "one list request, p50 ms", percentile(m_getMs, 50),
                    "-", "-");
        std::fflush(stdout);
    }

    Options m_options;
    QUrl m_signalUrl;
    QNetworkAccessManager m_http;
    std::vector<std::unique_ptr<Peer>> m_peers; // in this thread
    QThread m_crowdThread;
    std::vector<Peer *> m_crowd; // in m_crowdThread, deleted there
    std::vector<Peer *> m_watchers;
    QString m_fanoutMeeting;
    QStringList m_newcomerTokens;

    int m_liveSockets = 0;
    double m_joinsPerSecond = 0;
    double m_kibPerSocket = -1;
    double m_kibPerSocketAfterPings = -1;
    qint64 m_crowdBaseKib = -1;
    qsizetype m_crowdMeasured = 0;
    std::vector<double> m_deliveryMs;
    std::vector<double> m_everyoneMs;
    int m_lostDeliveries = 0;
    std::vector<double> m_listMs;
    bool m_listMissing = false;
    // What the two delays above are made of: the join's own answer, and one list request.
    std::vector<double> m_joinedMs;
    std::vector<double> m_getMs;
    std::vector<double> m_listJoinMs;
    std::vector<double> m_listLeaveMs;
};

} // namespace

int main(int argc, char *argv[])
{
    // Thousands of sockets in one thread: Qt's poll dispatcher, not GLib's, whose notifier
    // lists cost time linear in the socket count on every write (see quorumd's runQuorumd).
    qputenv("QT_NO_GLIB", "1");
    QCoreApplication app(argc, argv);
    monotonic();

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Signalling load against a real quorumd on loopback."_s);
    parser.addHelpOption();
    const QList<QCommandLineOption> options{
        {u"url"_s, u"quorumd's base URL (http://127.0.0.1:PORT)."_s, u"URL"_s},
        {u"token"_s, u"A personal access token (meeting.read, .write, .join)."_s, u"TOKEN"_s},
        {u"pid"_s, u"quorumd's process id, for its memory."_s, u"PID"_s},
        {u"sockets"_s, u"Sockets to open (default 5000)."_s, u"N"_s, u"5000"_s},
        {u"meetings"_s, u"Meetings to spread them over (default 50)."_s, u"M"_s, u"50"_s},
        {u"fanout-size"_s, u"People in the fan-out meeting (default 100)."_s, u"F"_s, u"100"_s},
        {u"rounds"_s, u"Joins and leaves measured (default 50)."_s, u"R"_s, u"50"_s},
        {u"concurrency"_s, u"Joins and token requests in flight (default 64)."_s, u"C"_s, u"64"_s},
        {u"keepalive-wait"_s,
         u"Seconds to wait for keep-alive pings before the second memory "
         "reading (default 12)."_s,
         u"SECONDS"_s, u"12"_s},
        {u"timeout"_s, u"Bound of each phase, seconds (default 120)."_s, u"S"_s, u"120"_s},
    };
    parser.addOptions(options);
    parser.process(app);

    Options settings;
    settings.base = QUrl(parser.value(u"url"_s));
    settings.token = parser.value(u"token"_s).toUtf8();
    settings.pid = parser.value(u"pid"_s).toLongLong();
    settings.sockets = parser.value(u"sockets"_s).toInt();
    settings.meetings = parser.value(u"meetings"_s).toInt();
    settings.fanoutSize = parser.value(u"fanout-size"_s).toInt();
    settings.rounds = parser.value(u"rounds"_s).toInt();
    settings.concurrency = parser.value(u"concurrency"_s).toInt();
    settings.timeoutSeconds = parser.value(u"timeout"_s).toInt();
    settings.keepAliveWaitSeconds = parser.value(u"keepalive-wait"_s).toInt();
    if (!settings.base.isValid() || settings.base.host().isEmpty() || settings.token.isEmpty()
        || settings.pid <= 0 || settings.sockets < 1 || settings.meetings < 1
        || settings.fanoutSize < 1 || settings.rounds < 1 || settings.concurrency < 1
        || settings.timeoutSeconds < 1 || settings.keepAliveWaitSeconds < 0) {
        std::fprintf(stderr,
                     "signal_bench: --url, --token and --pid are required; counts must "
                     "be positive\n");
        return 2;
    }

    SignalBench bench(std::move(settings));
    return bench.run();
}

#include "signal_bench.moc"
