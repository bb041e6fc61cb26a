#pragma once

#include "http/HttpFront.h"

#include <QByteArray>
#include <QList>

#include <atomic>

namespace quorum {

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
};

} // namespace quorum
