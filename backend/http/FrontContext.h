#pragma once

#include "http/HttpFront.h"

#include <QByteArray>
#include <QList>

namespace quorum {

// What every worker of one HttpFront shares, read-only once the workers run.
struct FrontContext
{
    HttpLimits limits;
    RequestHandler handler;
    QList<QByteArray> upgradePaths;
    UpgradeHandler upgradeHandler;
    std::optional<QSslConfiguration> tls;
};

} // namespace quorum
