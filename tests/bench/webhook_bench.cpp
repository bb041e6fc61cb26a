// The webhook delivery benchmark (`make bench` runs it through tests/bench/run_webhooks.sh; not
// a test). Against a real quorumd on loopback (started with --webhooks-allow-private-networks)
// it runs a fast receiver of its own on its own thread (keep-alive, 200 at once) and measures
// (a) the delay from a state change, POST /v1/meetings/{id}:end, to the arrival of the first
// attempt of its meeting.ended, over R meetings, and (b) sustained deliveries per second while
// S subscriptions each receive every event of meetings started and ended as fast as the API
// allows. Usage:
//   webhook_bench --url http://127.0.0.1:PORT --token PAT [--rounds R] [--subscriptions S]
//                 [--produce-seconds N]
// The token needs meeting.read, meeting.write, meeting.join, webhook.read and webhook.write.
// Lines starting with BENCH_RESULT carry the figures for the script's table.
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

constexpr double kTargetFirstAttemptP95Ms = 200.0;
constexpr double kTargetDeliveriesPerSecond = 2000.0;

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QTimer tick;
    tick.start(5);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
    }
    return true;
}

// The receiver: lives on its own thread, answers every request at once and notes when the
// first request about each meeting arrived and how many requests came.
class FastReceiver final : public QObject
{
public:
    void start()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        m_port = m_server.serverPort();
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    quint16 port() const { return m_port; }
    qint64 requests() const
    {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    qint64 firstNs() const
    {
        QMutexLocker lock(&m_mutex);
        return m_firstNs;
    }
    qint64 lastNs() const
    {
        QMutexLocker lock(&m_mutex);
        return m_lastNs;
    }
    // When the first meeting.ended about this meeting arrived; 0 if none yet.
    qint64 endedAt(const QByteArray &meetingId) const
    {
        QMutexLocker lock(&m_mutex);
        return m_endedAt.value(meetingId);
    }

private:
    void read(QTcpSocket *socket)
    {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
            if (headEnd < 0)
                return;
            const qsizetype lengthAt = buffer.indexOf("ontent-Length:", 0);
            qsizetype length = 0;
            if (lengthAt >= 0 && lengthAt < headEnd)
                length = buffer.mid(lengthAt + 14, buffer.indexOf('\r', lengthAt) - lengthAt - 14)
                             .trimmed()
                             .toLongLong();
            if (buffer.size() < headEnd + 4 + length)
                return;
            const QByteArray body = buffer.mid(headEnd + 4, length);
            buffer.remove(0, headEnd + 4 + length);
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");

            const qint64 now = nowNs();
            QByteArray endedMeeting;
            if (body.startsWith("{\"event\":\"meeting.ended\"")) {
                const qsizetype at = body.indexOf("\"meeting_id\":\"");
                if (at >= 0)
                    endedMeeting = body.mid(at + 14, body.indexOf('"', at + 14) - at - 14);
            }
            QMutexLocker lock(&m_mutex);
            ++m_requests;
            if (m_firstNs == 0)
                m_firstNs = now;
            m_lastNs = now;
            if (!endedMeeting.isEmpty() && !m_endedAt.contains(endedMeeting))
                m_endedAt.insert(endedMeeting, now);
        }
    }

    // A child, so that moveToThread takes it (and the sockets it makes) along.
    QTcpServer m_server{this};
    quint16 m_port = 0;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    mutable QMutex m_mutex;
    qint64 m_requests = 0;
    qint64 m_firstNs = 0;
    qint64 m_lastNs = 0;
    QHash<QByteArray, qint64> m_endedAt;
};

class Api
{
public:
    Api(QString base, QString token)
        : m_base(std::move(base))
        , m_token(std::move(token))
    { }

    // The status and JSON body; status 0 when nothing came within 10 s.
    std::pair<int, QJsonObject> post(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest request(QUrl(m_base + path));
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        request.setHeader(QNetworkRequest::ContentTypeHeader, "application/json");
        std::unique_ptr<QNetworkReply> reply(
            m_network.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)));
        waitFor([&] { return reply->isFinished(); }, 10000);
        return {reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                QJsonDocument::fromJson(reply->readAll()).object()};
    }

private:
    QString m_base;
    QString m_token;
    QNetworkAccessManager m_network;
};

// A meeting made LIVE by its host over the signalling socket; the id, or empty. The socket
// stays with `host` until the meeting ends.
QString liveMeeting(Api &api, quint16 port, std::unique_ptr<QWebSocket> &host)
{
    const auto [status, meeting] = api.post(u"/v1/meetings"_s,
                                            {{u"topic"_s, u"Bench 🚒"_s},
                                             {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                             {u"duration_minutes"_s, 30},
                                             {u"waiting_room"_s, false}});
    if (status != 201)
        return {};
    const QString id = meeting.value(u"id"_s).toString();
    const QString jwt
        = api.post(u"/v1/meetings/"_s + id + u"/joinToken"_s, {}).second.value(u"jwt"_s).toString();
    host = std::make_unique<QWebSocket>();
    bool joined = false;
    QObject::connect(host.get(), &QWebSocket::textMessageReceived, [&joined](const QString &text) {
        if (text.contains(u"\"joined\""_s))
            joined = true;
    });
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({u"quorum.v1"_s});
    host->open(QNetworkRequest(QUrl(u"ws://127.0.0.1:%1/v1/signal"_s.arg(port))), options);
    if (!waitFor([&] { return host->state() == QAbstractSocket::ConnectedState; }, 5000))
        return {};
    host->sendTextMessage(QString::fromUtf8(
        QJsonDocument(QJsonObject{{u"type"_s, u"join"_s}, {u"id"_s, u"1"_s}, {u"token"_s, jwt}})
            .toJson(QJsonDocument::Compact)));
    if (!waitFor([&] { return joined; }, 5000))
        return {};
    return id;
}

double percentile(std::vector<double> values, double p)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    const size_t index = std::min(values.size() - 1, size_t(p * double(values.size() - 1) + 0.5));
    return values[index];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({u"url"_s, u"quorumd's base URL"_s, u"URL"_s});
    parser.addOption({u"token"_s, u"an admin's personal access token"_s, u"PAT"_s});
    parser.addOption(
        {u"rounds"_s, u"meetings ended for the first-attempt delay"_s, u"R"_s, u"200"_s});
    parser.addOption(
        {u"subscriptions"_s, u"subscriptions in the throughput run"_s, u"S"_s, u"100"_s});
    parser.addOption({u"produce-seconds"_s, u"how long events are produced"_s, u"N"_s, u"5"_s});
    parser.process(app);
    const QString base = parser.value(u"url"_s);
    const quint16 port = quint16(QUrl(base).port());
    Api api(base, parser.value(u"token"_s));

    QThread receiverThread;
    FastReceiver receiver;
    receiver.moveToThread(&receiverThread);
    receiverThread.start();
    QMetaObject::invokeMethod(
        &receiver, [&receiver] { receiver.start(); }, Qt::BlockingQueuedConnection);
    const QString hookUrl = u"http://127.0.0.1:%1/hook"_s.arg(receiver.port());
    auto subscribe = [&](const QStringList &events) {
        return api
            .post(u"/v1/webhooks"_s,
                  {{u"url"_s, hookUrl}, {u"events"_s, QJsonArray::fromStringList(events)}})
            .first;
    };
    int failures = 0;

    // (a) The first attempt's delay after :end, one meeting at a time.
    if (subscribe({u"meeting.ended"_s}) != 201) {
        std::fprintf(stderr, "webhook_bench: cannot subscribe (private networks allowed?)\n");
        return 1;
    }
    const int rounds = parser.value(u"rounds"_s).toInt();
    std::vector<double> delaysMs;
    for (int round = 0; round < rounds; ++round) {
        std::unique_ptr<QWebSocket> host;
        const QString id = liveMeeting(api, port, host);
        if (id.isEmpty()) {
            ++failures;
            continue;
        }
        const qint64 start = nowNs();
        api.post(u"/v1/meetings/%1:end"_s.arg(id), {});
        const QByteArray key = id.toLatin1();
        if (!waitFor([&] { return receiver.endedAt(key) != 0; }, 10000)) {
            ++failures;
            continue;
        }
        delaysMs.push_back(double(receiver.endedAt(key) - start) / 1e6);
    }
    const double p50 = percentile(delaysMs, 0.50);
    const double p95 = percentile(delaysMs, 0.95);

    // (b) Throughput: S subscriptions to every meeting event, meetings as fast as possible.
    const int subscriptions = parser.value(u"subscriptions"_s).toInt();
    for (int i = 0; i < subscriptions; ++i) {
        if (subscribe({u"meeting.started"_s, u"meeting.ended"_s, u"participant.joined"_s,
                       u"participant.left"_s})
            != 201)
            ++failures;
    }
    waitFor([] { return false; }, 500); // the last pings of (a) settle
    const qint64 before = receiver.requests();
    const qint64 productionStartNs = nowNs();
    QElapsedTimer producing;
    producing.start();
    int meetings = 0;
    while (producing.elapsed() < parser.value(u"produce-seconds"_s).toInt() * 1000) {
        std::unique_ptr<QWebSocket> host;
        const QString id = liveMeeting(api, port, host);
        if (id.isEmpty()) {
            ++failures;
            continue;
        }
        api.post(u"/v1/meetings/%1:end"_s.arg(id), {});
        ++meetings;
    }
    const double producedSeconds = double(producing.elapsed()) / 1000.0;
    // Every event of (b) goes to every subscription, (a)'s subscription hears the ended too.
    const qint64 expected = qint64(meetings) * (4LL * subscriptions + 1);
    const bool drained = waitFor([&] { return receiver.requests() - before >= expected; }, 120000);
    const qint64 delivered = receiver.requests() - before;
    // From the first event produced to the last delivery received.
    const double seconds = double(receiver.lastNs() - productionStartNs) / 1e9;
    const double perSecond = double(delivered) / seconds;

    std::printf("first attempt after :end (%zu meetings): p50 %.1f ms, p95 %.1f ms (target "
                "p95 <= %.0f)\n",
                delaysMs.size(), p50, p95, kTargetFirstAttemptP95Ms);
    std::printf("deliveries: %lld of %lld in %.2f s (%d meetings x %d subscriptions, produced "
                "in %.2f s): %.0f/s (target >= %.0f)%s\n",
                qlonglong(delivered), qlonglong(expected), seconds, meetings, subscriptions,
                producedSeconds, perSecond, kTargetDeliveriesPerSecond,
                drained ? "" : " NOT DRAINED");
    std::printf("failures: %d\n\n", failures);
    std::printf("BENCH_RESULT first_attempt_p50_ms %.2f\n", p50);
    std::printf("BENCH_RESULT first_attempt_p95_ms %.2f\n", p95);
    std::printf("BENCH_RESULT deliveries_per_s %.1f\n", perSecond);
    std::printf("BENCH_RESULT failures %d\n", failures);

    receiverThread.quit();
    receiverThread.wait();
    return failures == 0 && drained ? 0 : 1;
}
