// Downloads of recording files through their signed links, against a real quorumd whose
// database and recordings directory the test seeds itself: whole files and byte ranges, the
// refusals of altered or expired links, keep-alive and pipelining, and what aborted and slow
// downloads cost the server. Links are minted here from the master key file with Qt's own HMAC,
// independently of the server's SignedUrl.

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "SelfSignedCertificate.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSslSocket>
#include <QTcpSocket>
#include <QUrl>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

const QString kRecording = u"rec_seededdownloads"_s;
const QString kSmall = u"fil_small"_s; // 5 MB, on disk
const QString kLarge = u"fil_large"_s; // 64 MB, on disk
const QString kGone = u"fil_gone"_s; // a row whose file is not on disk
constexpr qint64 kSmallSize = 5 * 1000 * 1000 + 7;
constexpr qint64 kLargeSize = 64LL * 1024 * 1024;
// What a download may add to the server's resident memory.
constexpr qint64 kRssSlackKb = 8 * 1024;
// Under AddressSanitizer freed memory waits in its quarantine, so the server's resident size
// says nothing of what a download holds: the memory bounds are checked in release builds.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRssIsMeaningful = false;
#else
constexpr bool kRssIsMeaningful = true;
#endif

// Known pseudo-random bytes: a download is checked byte for byte.
QByteArray contentOf(quint32 seed, qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator generator(seed);
    generator.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    for (qint64 i = size / 4 * 4; i < size; ++i)
        bytes[i] = char(generator.generate());
    return bytes;
}

qint64 residentKb(qint64 pid)
{
    QFile status(u"/proc/%1/status"_s.arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

// One response read from a raw socket: head fields and a body of Content-Length bytes.
struct RawResponse
{
    int status = 0;
    QHash<QByteArray, QByteArray> headers; // names lower case
    QByteArray body;
};

bool waitForBytes(QTcpSocket &socket, qint64 count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (socket.bytesAvailable() < count) {
        if (deadline.hasExpired() || socket.state() != QAbstractSocket::ConnectedState)
            return socket.bytesAvailable() >= count;
        socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    return true;
}

std::optional<RawResponse> readResponse(QTcpSocket &socket, int timeoutMs = 10000)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!socket.canReadLine() || !socket.peek(socket.bytesAvailable()).contains("\r\n\r\n")) {
        if (deadline.hasExpired() || socket.state() != QAbstractSocket::ConnectedState)
            return std::nullopt;
        socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
    }

    RawResponse response;
    const QByteArray statusLine = socket.readLine().trimmed();
    response.status = statusLine.mid(9, 3).toInt();
    while (true) {
        const QByteArray line = socket.readLine().trimmed();
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        response.headers.insert(line.first(colon).toLower(), line.sliced(colon + 1).trimmed());
    }
    const qint64 length = response.headers.value("content-length").toLongLong();
    if (!waitForBytes(socket, length, int(qMax<qint64>(1, deadline.remainingTime()))))
        return std::nullopt;
    response.body = socket.read(length);
    return response;
}

QByteArray getRequest(const QString &target, const QByteArray &extra = {})
{
    return "GET " + target.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + "\r\n";
}

} // namespace

class tst_RecordingDownloads : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QuorumdProcess> m_server;
    QByteArray m_urlKey;
    QByteArray m_small;
    QByteArray m_largeDigest;

    // The link the server would mint: path?expires=...&sig=base64url(HMAC(key, "v1:path:exp")).
    QString link(const QString &file, qint64 expires, const QString &recording = kRecording,
                 const QString &signedPath = {}) const
    {
        const QString path = u"/v1/recordings/%1/files/%2"_s.arg(recording, file);
        const QByteArray message = "v1:" + (signedPath.isEmpty() ? path : signedPath).toUtf8() + ':'
            + QByteArray::number(expires);
        const QByteArray mac
            = QMessageAuthenticationCode::hash(message, m_urlKey, QCryptographicHash::Sha256);
        const QByteArray sig
            = mac.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        return path + u"?expires=%1&sig=%2"_s.arg(expires).arg(QString::fromLatin1(sig));
    }

    QString validLink(const QString &file) const
    {
        return link(file, QDateTime::currentSecsSinceEpoch() + 3600);
    }

    void seed()
    {
        const QString dataDir = m_server->dataDir();
        const QString connectionName = u"seed"_s;
        {
            QSqlDatabase db = m_server->openDatabase(connectionName, DatabaseAccess::ReadWrite);
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            // An ended meeting of the admin's to hold the recording: PostgreSQL checks the
            // foreign keys on every connection.
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            QSqlQuery meeting(db);
            meeting.prepare(
                u"INSERT INTO meetings (id, workspace_id, host_id, topic, start_time, timezone, "
                "duration_minutes, waiting_room, auto_recording, mute_upon_entry, "
                "allow_join_before_host, state, version, created_at, updated_at) SELECT "
                "'mtg_seeded', workspace_id, id, 'Seeded', ?, 'UTC', 30, 0, 'none', 0, 0, "
                "'ended', 1, ?, ? FROM users WHERE name = 'admin'"_s);
            for (const QVariant &value : {QVariant(now - 120000), QVariant(now), QVariant(now)})
                meeting.addBindValue(value);
            QVERIFY2(meeting.exec(), qPrintable(meeting.lastError().text()));
            QCOMPARE(meeting.numRowsAffected(), 1);
            QSqlQuery recording(db);
            recording.prepare(
                u"INSERT INTO recordings (id, meeting_id, workspace_id, state, started_at, "
                "stopped_at, completed_at, duration_ms, progress, capture_dir, node, version, "
                "updated_at) SELECT ?, id, workspace_id, 'completed', ?, ?, ?, 60000, 100, ?, "
                "'test', 1, ? FROM meetings WHERE id = 'mtg_seeded'"_s);
            for (const QVariant &value :
                 {QVariant(kRecording), QVariant(now - 120000), QVariant(now - 60000),
                  QVariant(now), QVariant(kRecording), QVariant(now)})
                recording.addBindValue(value);
            QVERIFY2(recording.exec(), qPrintable(recording.lastError().text()));

            const QList<std::tuple<QString, QString, qint64>> files{
                {kSmall, u"small.mp4"_s, kSmallSize},
                {kLarge, u"large.mp4"_s, kLargeSize},
                {kGone, u"gone.mp4"_s, 1000}};
            for (const auto &[id, name, size] : files) {
                QSqlQuery file(db);
                file.prepare(u"INSERT INTO recording_files (id, recording_id, type, format, "
                             "content_type, path, size_bytes, duration_ms, created_at) VALUES "
                             "(?, ?, 'video', 'mp4', 'video/mp4', ?, ?, 60000, ?)"_s);
                for (const QVariant &value :
                     {QVariant(id), QVariant(kRecording), QVariant(kRecording + u'/' + name),
                      QVariant(size), QVariant(now)})
                    file.addBindValue(value);
                QVERIFY2(file.exec(), qPrintable(file.lastError().text()));
            }
        }
        QSqlDatabase::removeDatabase(connectionName);

        const QDir recordings(QDir(dataDir).filePath(u"recordings/"_s + kRecording));
        QVERIFY(recordings.mkpath(u"."_s));
        m_small = contentOf(1, kSmallSize);
        const QByteArray large = contentOf(2, kLargeSize);
        m_largeDigest = QCryptographicHash::hash(large, QCryptographicHash::Sha256);
        const QList<std::pair<QString, const QByteArray *>> contents{{u"small.mp4"_s, &m_small},
                                                                     {u"large.mp4"_s, &large}};
        for (const auto &[name, bytes] : contents) {
            QFile out(recordings.filePath(name));
            QVERIFY(out.open(QIODevice::WriteOnly));
            QCOMPARE(out.write(*bytes), bytes->size());
        }
    }

    void readUrlKey()
    {
        QFile file(QDir(m_server->dataDir()).filePath(u"master.key"_s));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray master = file.readAll();
        if (master.size() != 32)
            master = QByteArray::fromHex(master.trimmed());
        QCOMPARE(master.size(), 32);
        m_urlKey = QMessageAuthenticationCode::hash("quorum-derive:recording-file-url", master,
                                                    QCryptographicHash::Sha256);
    }

    qint64 serverRssKb() const { return residentKb(m_server->processId()); }

    void waitUntilIdle()
    {
        // A request answered after the abort shows the server has handled the disconnect.
        ApiClient client(m_server->baseUrl());
        QCOMPARE(client.get(u"/healthz"_s).status, 200);
    }

    // On `socket`, connected (plain or TLS) with a small read buffer: asks for the large file,
    // takes its first bytes, reads nothing for a second (the server's resident size must stay
    // within kRssSlackKb of `before`), then reads on for up to `readOnMs` and checks that the
    // whole file came.
    void readTheLargeFileSlowly(QTcpSocket &socket, qint64 before, int readOnMs)
    {
        socket.write(getRequest(validLink(kLarge), "Connection: close\r\n"));
        QVERIFY(waitForBytes(socket, 32 * 1024, 10000));
        QByteArray received = socket.readAll();

        // The client reads nothing for a second, while the server would have time to send
        // (or buffer) the whole file many times over.
        QTest::qWait(1000);
        const qint64 during = serverRssKb();
        if (kRssIsMeaningful)
            QVERIFY2(during - before < kRssSlackKb,
                     qPrintable(u"RSS grew from %1 kB to %2 kB"_s.arg(before).arg(during)));

        // Then it reads on, and gets the whole file.
        socket.setReadBufferSize(0);
        QDeadlineTimer deadline(readOnMs);
        while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
            socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
            received += socket.readAll();
        }
        received += socket.readAll();
        const qsizetype bodyStart = received.indexOf("\r\n\r\n") + 4;
        QVERIFY(received.startsWith("HTTP/1.1 200"));
        QCOMPARE(received.size() - bodyStart, kLargeSize);
        QVERIFY(QCryptographicHash::hash(QByteArrayView(received).sliced(bodyStart),
                                         QCryptographicHash::Sha256)
                == m_largeDigest);
    }

private Q_SLOTS:
    void initTestCase()
    {
        // A first start lays out the schema and writes the master key; the seed goes in while
        // the server is down.
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        m_server->stop();
        seed();
        readUrlKey();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
    }

    void cleanupTestCase() { m_server.reset(); }

    void wholeFile()
    {
        ApiClient client(m_server->baseUrl());
        const qint64 expires = QDateTime::currentSecsSinceEpoch() + 3600;

        const ApiReply reply = client.get(link(kSmall, expires));

        QCOMPARE(reply.status, 200);
        QCOMPARE(reply.body.size(), m_small.size());
        QVERIFY(reply.body == m_small);
        QCOMPARE(reply.header("Content-Length"), QByteArray::number(kSmallSize));
        QCOMPARE(reply.header("Content-Type"), QByteArray("video/mp4"));
        QCOMPARE(reply.header("Accept-Ranges"), QByteArray("bytes"));
        QCOMPARE(reply.header("Content-Disposition"),
                 "attachment; filename=\"" + kRecording.toLatin1() + ".mp4\"");
        QVERIFY(reply.header("Content-Range").isEmpty());
        QVERIFY(!reply.header("ETag").isEmpty());
        const QByteArray cache = reply.header("Cache-Control");
        QVERIFY2(cache.startsWith("private, max-age="), cache.constData());
        const qint64 maxAge = cache.mid(cache.indexOf('=') + 1).toLongLong();
        QVERIFY2(maxAge > 3500 && maxAge <= 3600, cache.constData());
        // Downloads count against the client address's rate limit, like every route that
        // does work.
        QCOMPARE(reply.header("RateLimit-Limit"), QByteArray("3000"));
    }

    void ranges_data()
    {
        QTest::addColumn<QByteArray>("range");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        QTest::addColumn<QByteArray>("contentRange");

        const QByteArray size = QByteArray::number(kSmallSize);
        QTest::newRow("the first hundred bytes")
            << QByteArray("bytes=0-99") << 206 << 0LL << 100LL << "bytes 0-99/" + size;
        QTest::newRow("everything from byte 100")
            << QByteArray("bytes=100-") << 206 << 100LL << kSmallSize - 100
            << "bytes 100-" + QByteArray::number(kSmallSize - 1) + '/' + size;
        QTest::newRow("the last 500 bytes")
            << QByteArray("bytes=-500") << 206 << kSmallSize - 500 << 500LL
            << "bytes " + QByteArray::number(kSmallSize - 500) + '-'
                + QByteArray::number(kSmallSize - 1) + '/' + size;
        const QByteArray last = QByteArray::number(kSmallSize - 1);
        QTest::newRow("the last byte") << "bytes=" + last + '-' + last << 206 << kSmallSize - 1
                                       << 1LL << "bytes " + last + '-' + last + '/' + size;
        QTest::newRow("a range past the end is not satisfiable")
            << "bytes=" + size + '-' << 416 << 0LL << 0LL << "bytes */" + size;
        QTest::newRow("two ranges get the whole file")
            << QByteArray("bytes=0-9,20-29") << 200 << 0LL << kSmallSize << QByteArray();
        QTest::newRow("a malformed range gets the whole file")
            << QByteArray("bytes=nine-ten") << 200 << 0LL << kSmallSize << QByteArray();
    }

    void ranges()
    {
        QFETCH(QByteArray, range);
        QFETCH(int, status);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        QFETCH(QByteArray, contentRange);
        ApiClient client(m_server->baseUrl());

        const ApiReply reply = client.get(validLink(kSmall), {{"Range", range}});

        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("Content-Range"), contentRange);
        QCOMPARE(reply.header("Accept-Ranges"), QByteArray("bytes"));
        if (status == 416) {
            QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
            QCOMPARE(reply.code(), u"range_not_satisfiable"_s);
            return;
        }
        QCOMPARE(reply.header("Content-Length"), QByteArray::number(length));
        QVERIFY(reply.body == m_small.mid(offset, length));
    }

    void refusals_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");

        const qint64 expires = QDateTime::currentSecsSinceEpoch() + 3600;
        const QString good = link(kSmall, expires);
        const QString sig = QUrlQuery(QUrl(good)).queryItemValue(u"sig"_s);
        const QString tamperedSig = (sig.startsWith(u'A') ? u"B"_s : u"A"_s) + sig.mid(1);

        QTest::newRow("a link without its query is refused")
            << u"/v1/recordings/%1/files/%2"_s.arg(kRecording, kSmall) << 403
            << u"invalid_signature"_s;
        QTest::newRow("a link with an altered signature is refused")
            << QString(good).replace(sig, tamperedSig) << 403 << u"invalid_signature"_s;
        QTest::newRow("a link moved to another file is refused")
            << QString(good).replace(kSmall, kLarge) << 403 << u"invalid_signature"_s;
        QTest::newRow("a link with a later expiry is refused")
            << QString(good).replace(QString::number(expires), QString::number(expires + 1)) << 403
            << u"invalid_signature"_s;
        QTest::newRow("a link signed for another path is refused")
            << link(kSmall, expires, kRecording, u"/v1/recordings/rec_other/files/fil_small"_s)
            << 403 << u"invalid_signature"_s;
        QTest::newRow("an expired link is refused as expired")
            << link(kSmall, QDateTime::currentSecsSinceEpoch() - 10) << 403 << u"url_expired"_s;
        QTest::newRow("a well-signed link to an unknown file is not found")
            << link(u"fil_unknown"_s, expires) << 404 << u"not_found"_s;
        QTest::newRow("a well-signed link to an unknown recording is not found")
            << link(kSmall, expires, u"rec_unknown"_s) << 404 << u"not_found"_s;
        QTest::newRow("a file missing on disk is not found")
            << link(kGone, expires) << 404 << u"not_found"_s;
    }

    void refusals()
    {
        QFETCH(QString, target);
        QFETCH(int, status);
        QFETCH(QString, code);
        ApiClient client(m_server->baseUrl());

        const ApiReply reply = client.get(target);

        QCOMPARE(reply.status, status);
        QCOMPARE(reply.header("Content-Type"), QByteArray("application/problem+json"));
        QCOMPARE(reply.code(), code);
        if (code == u"url_expired")
            QVERIFY(reply.json()
                        .value(u"detail"_s)
                        .toString()
                        .contains(u"GET /v1/recordings/"_s + kRecording));
    }

    void pipelinedRequestsAreAnsweredInOrder()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));

        // All three at once: a whole file, a range of it, then a plain route.
        socket.write(getRequest(validLink(kSmall))
                     + getRequest(validLink(kSmall), "Range: bytes=-10\r\n")
                     + getRequest(u"/healthz"_s, "Connection: close\r\n"));

        const auto whole = readResponse(socket);
        QVERIFY(whole);
        QCOMPARE(whole->status, 200);
        QVERIFY(whole->body == m_small);
        const auto tail = readResponse(socket);
        QVERIFY(tail);
        QCOMPARE(tail->status, 206);
        QVERIFY(tail->body == m_small.right(10));
        const auto health = readResponse(socket);
        QVERIFY(health);
        QCOMPARE(health->status, 200);
        QVERIFY(health->body.contains("ok"));
    }

    void keepAliveServesTheNextRequestAfterADownload()
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));

        for (const QByteArray &range : {QByteArray("bytes=0-99"), QByteArray("bytes=100-199")}) {
            socket.write(getRequest(validLink(kSmall), "Range: " + range + "\r\n"));
            const auto response = readResponse(socket);
            QVERIFY(response);
            QCOMPARE(response->status, 206);
            QCOMPARE(response->body.size(), 100);
        }
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }

    void anAbortedDownloadLeavesTheServerHealthy()
    {
        waitUntilIdle();
        const qint64 before = serverRssKb();
        QVERIFY(before > 0);

        {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_server->port());
            QVERIFY(socket.waitForConnected(5000));
            socket.write(getRequest(validLink(kLarge)));
            QVERIFY(waitForBytes(socket, 1024 * 1024, 10000));
            socket.abort();
        }
        waitUntilIdle();

        ApiClient client(m_server->baseUrl());
        QCOMPARE(client.get(u"/healthz"_s).status, 200);
        const ApiReply full = client.get(validLink(kLarge));
        QCOMPARE(full.status, 200);
        QCOMPARE(full.body.size(), kLargeSize);
        QVERIFY(QCryptographicHash::hash(full.body, QCryptographicHash::Sha256) == m_largeDigest);

        const qint64 after = serverRssKb();
        if (kRssIsMeaningful)
            QVERIFY2(after - before < kRssSlackKb,
                     qPrintable(u"RSS grew from %1 kB to %2 kB"_s.arg(before).arg(after)));
    }

    void aSlowReaderDoesNotMakeTheServerBufferTheFile()
    {
        waitUntilIdle();
        const qint64 before = serverRssKb();

        QTcpSocket socket;
        // Keep what the client takes from the kernel small, so that the pause is a real one.
        socket.setReadBufferSize(64 * 1024);
        socket.connectToHost(QHostAddress::LocalHost, m_server->port());
        QVERIFY(socket.waitForConnected(5000));
        readTheLargeFileSlowly(socket, before, 20000);
    }

    // Last: it restarts the server with TLS. Under TLS the socket's buffers are two (plain and
    // encrypted); a paused reader must still not make the server hold the file.
    void overTlsASlowReaderGetsTheWholeFileWithoutBuffering()
    {
        SelfSignedCertificate certificate;
        QVERIFY2(certificate.create(), qPrintable(certificate.error()));
        m_server->stop();
        m_server->setExtraArguments(certificate.serverArguments());
        QVERIFY2(m_server->start(), m_server->standardError().constData());
        const qint64 before = serverRssKb();

        QSslSocket socket;
        socket.setPeerVerifyMode(QSslSocket::VerifyNone);
        socket.setReadBufferSize(64 * 1024);
        socket.connectToHostEncrypted(u"127.0.0.1"_s, m_server->port());
        QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
        readTheLargeFileSlowly(socket, before, 30000);
    }
};

QTEST_GUILESS_MAIN(tst_RecordingDownloads)
#include "tst_recording_downloads.moc"
