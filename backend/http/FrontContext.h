#pragma once

#include "http/HttpFront.h"

#include <QByteArray>
#include <QList>

#include <atomic>
#include <memory>
#include <mutex>

namespace quorum {

class FrontHttpServer;

// One worker as the others see it: where to hand a new connection, and how busy it is.
struct FrontWorkerSlot
{
    std::mutex mutex; // guards `server` against the worker's shutdown
    FrontHttpServer *server = nullptr; // set while the worker accepts
    std::atomic<int> connections{0}; // connections it holds now
    std::atomic<int> incoming{0}; // connections handed to it and not yet taken
};

// What every worker of one HttpFront shares, read-only once the workers run.
struct FrontContext
{
    HttpLimits limits;
    RequestHandler handler;
    QList<QByteArray> upgradePaths;
    UpgradeHandler upgradeHandler;
    WorkerAttachmentFactory attachmentFactory;
    std::optional<QSslConfiguration> tls;
    // Shared by the workers: the connections open now, against limits.maxConnections.
    mutable std::atomic<int> openConnections{0};
    int connectionCap = 0;
    // One slot per worker: new connections go to the worker that holds fewest.
    std::unique_ptr<FrontWorkerSlot[]> workers;
    int workerCount = 0;
};

} // namespace quorum
