// What keeps one client, or one stray process, from taking the server away from the others:
// the request deadline, the connection cap, and one server per port and per data directory.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QtTest>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// Waits until the server closes the socket; returns how long that took, or -1.
qint64 msUntilClosed(QTcpSocket &socket, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (socket.state() == QAbstractSocket::UnconnectedState)
            return timer.elapsed();
        socket.waitForReadyRead(100);
        socket.readAll();
    }
    return socket.state() == QAbstractSocket::UnconnectedState ? timer.elapsed() : -1;
}

} // namespace

class tst_ConnectionLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void slowOrIdleConnectionsAreClosedAtTheirDeadline_data()
    {
        QTest::addColumn<QByteArray>("sent");
        QTest::newRow("an idle connection") << QByteArray();
        QTest::newRow("half a request head") << QByteArray("GET /healthz HTTP/1.1\r\nHost: x\r\n");
        QTest::newRow("half a body")
            << QByteArray("POST /v1/meetings HTTP/1.1\r\nHost: x\r\nContent-Type: "
                          "application/json\r\nContent-Length: 100\r\n\r\n{\"topic\":");
    }

    void slowOrIdleConnectionsAreClosedAtTheirDeadline()
    {
        QFETCH(QByteArray, sent);
        QuorumdProcess server({u"--request-timeout"_s, u"1"_s});
        QVERIFY2(server.start(), server.standardError().constData());

        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(sent);
        QVERIFY(socket.waitForBytesWritten(5000) || sent.isEmpty());

        const qint64 closedAfter = msUntilClosed(socket, 8000);
        QVERIFY2(closedAfter >= 0, "the server kept the connection open");

        // Served clients are not affected.
        ApiClient client(server.baseUrl());
        QCOMPARE(client.get(u"/healthz"_s).status, 200);
    }

    void keepAliveConnectionsThatKeepAskingStayOpen()
    {
        QuorumdProcess server({u"--request-timeout"_s, u"2"_s});
        QVERIFY2(server.start(), server.standardError().constData());
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        QElapsedTimer timer;
        timer.start();
        // Five requests a second apart outlive the deadline without breaking it.
        for (int i = 0; i < 5; ++i) {
            socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
            QVERIFY(socket.waitForReadyRead(5000));
            QVERIFY(socket.readAll().startsWith("HTTP/1.1 200"));
            QTest::qWait(1000);
        }
        QVERIFY(timer.elapsed() > 4000);
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState);
    }

    void connectionsBeyondTheCapAreClosedAtOnce()
    {
        QuorumdProcess server({u"--max-connections"_s, u"3"_s, u"--workers"_s, u"1"_s});
        QVERIFY2(server.start(), server.standardError().constData());

        std::vector<std::unique_ptr<QTcpSocket>> held;
        for (int i = 0; i < 3; ++i) {
            held.push_back(std::make_unique<QTcpSocket>());
            held.back()->connectToHost(QHostAddress::LocalHost, server.port());
            QVERIFY(held.back()->waitForConnected(5000));
        }
        QTcpSocket extra;
        extra.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(extra.waitForConnected(5000));
        QVERIFY2(msUntilClosed(extra, 5000) >= 0, "a fourth connection was kept");

        // The three held ones still work, and a freed place is taken again.
        held.front()->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(held.front()->waitForReadyRead(5000));
        QVERIFY(held.front()->readAll().startsWith("HTTP/1.1 200"));
        held.pop_back();
        QTRY_VERIFY_WITH_TIMEOUT(ApiClient(server.baseUrl()).get(u"/healthz"_s).status == 200,
                                 5000);
    }

    void aSecondServerOnTheSamePortIsRefused()
    {
        QuorumdProcess first;
        QVERIFY2(first.start(), first.standardError().constData());
        QuorumdProcess second({u"--listen"_s, u"127.0.0.1:%1"_s.arg(first.port())});
        QVERIFY(!second.start(5000));
        QVERIFY(second.standardError().contains("in use"));
    }

    void aSecondServerOnTheSameDataDirectoryIsRefused()
    {
        QuorumdProcess first;
        QVERIFY2(first.start(), first.standardError().constData());
        const auto second = first.command({u"--listen"_s, u"127.0.0.1:0"_s});
        QVERIFY(second.exitCode != 0);
        QVERIFY2(second.err.contains("Another quorumd"), second.err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_ConnectionLimits)
#include "tst_connection_limits.moc"
