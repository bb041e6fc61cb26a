// A trivial server for measuring the front by hand:
//   front_bench <port> [--no-guard]   then   wrk -t2 -c64 -d5s http://127.0.0.1:<port>/hello
// With --no-guard, bare QHttpServer instances in the same two-thread SO_REUSEPORT layout serve
// instead, for comparison.
#include "http/FrontListener.h"
#include "http/HttpFront.h"

#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QTcpServer>
#include <QThread>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

const QByteArray kBody = QByteArrayLiteral("{\"hello\":\"world\"}");

class BareServer final : public QAbstractHttpServer
{
protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        makeResponder(request, socket).write(kBody, "application/json");
        return true;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override { }
};

int runBare(quint16 port)
{
    auto listener = quorum::FrontListener::open(QHostAddress::LocalHost, port, 2);
    if (!listener) {
        std::fprintf(stderr, "%s\n", qPrintable(listener.error().detail));
        return 1;
    }

    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < 2; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->start();
        const qintptr descriptor = listener->take(i);
        auto *anchor = new QObject;
        anchor->moveToThread(thread.get());
        QMetaObject::invokeMethod(
            anchor,
            [descriptor] {
                auto *server = new BareServer;
                auto *tcp = new QTcpServer(server);
                tcp->setSocketDescriptor(descriptor);
                server->bind(tcp);
            },
            Qt::BlockingQueuedConnection);
        threads.push_back(std::move(thread));
    }
    std::printf("bare QHttpServer on 127.0.0.1:%u\n", listener->port());
    std::fflush(stdout);
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const quint16 port = args.size() > 1 ? args.at(1).toUShort() : 8080;
    if (args.contains(QStringLiteral("--no-guard")))
        return runBare(port);

    quorum::HttpFrontConfig config;
    config.port = port;
    quorum::HttpFront front(config, [](const QHttpServerRequest &, QHttpServerResponder &&r) {
        r.write(kBody, "application/json");
    });

    QString error;
    if (!front.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("guarded front on 127.0.0.1:%u\n", front.port());
    std::fflush(stdout);
    return app.exec();
}
