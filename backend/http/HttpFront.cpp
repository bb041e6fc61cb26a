#include "http/HttpFront.h"

#include "http/FrontContext.h"

#include <sys/resource.h>

#include "http/FrontListener.h"
#include "http/FrontWorker.h"
#include <algorithm>

#include <QLoggingCategory>

namespace quorum {

namespace {

// The configured cap, kept clear of the open-file limit: descriptors are also needed for the
// database, the listening sockets and the log.
int connectionCap(int configured)
{
    constexpr rlim_t kReserved = 64;
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return configured;
    const rlim_t usable = limit.rlim_cur > kReserved ? limit.rlim_cur - kReserved : 1;
    return int(std::min<rlim_t>(rlim_t(configured), usable));
}

} // namespace

Q_LOGGING_CATEGORY(lcHttp, "quorum.http")

HttpFront::HttpFront(HttpFrontConfig config, RequestHandler handler, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_handler(std::move(handler))
{ }

HttpFront::~HttpFront()
{
    joinWorkers();
}

void HttpFront::setUpgradeHandler(const QString &path, UpgradeHandler handler)
{
    m_upgradePath = path;
    m_upgradeHandler = std::move(handler);
}

void HttpFront::setWorkerAttachment(WorkerAttachmentFactory factory)
{
    m_attachmentFactory = std::move(factory);
}

bool HttpFront::start(QString *errorMessage)
{
    if (m_running) {
        if (errorMessage)
            *errorMessage = QStringLiteral("already started");
        return false;
    }

    const int workerCount = qMax(1, m_config.workerThreads);
    Result<FrontListener> listener
        = FrontListener::open(m_config.address, m_config.port, workerCount);
    if (!listener) {
        if (errorMessage)
            *errorMessage = listener.error().detail;
        qCCritical(lcHttp) << "cannot listen:" << listener.error().detail;
        return false;
    }

    if (m_boundCallback)
        m_boundCallback(listener->port());

    auto context = std::make_shared<FrontContext>();
    context->limits = m_config.limits;
    context->handler = m_handler;
    context->tls = m_config.tls;
    context->connectionCap = connectionCap(m_config.limits.maxConnections);
    context->attachmentFactory = m_attachmentFactory;
    context->workers = std::make_unique<FrontWorkerSlot[]>(size_t(workerCount));
    context->workerCount = workerCount;
    if (m_upgradeHandler) {
        context->upgradePaths = {m_upgradePath.toUtf8()};
        context->upgradeHandler = m_upgradeHandler;
    }

    for (int i = 0; i < workerCount; ++i) {
        auto worker = std::make_unique<FrontWorker>(context, i);
        connect(worker.get(), &FrontWorker::drained, this, &HttpFront::onWorkerDrained,
                Qt::QueuedConnection);
        QString error;
        const qintptr descriptor = listener->take(i);
        const bool started = worker->start(descriptor, &error);
        m_workers.push_back(std::move(worker));
        if (!started) {
            if (errorMessage)
                *errorMessage = error;
            qCCritical(lcHttp) << "cannot start worker:" << error;
            joinWorkers();
            return false;
        }
    }

    m_port = listener->port();
    m_running = true;
    qCDebug(lcHttp).noquote() << "listening on" << m_config.address.toString() << m_port << "with"
                              << workerCount << (m_config.tls ? "TLS workers" : "workers");
    return true;
}

quint16 HttpFront::port() const
{
    return m_port;
}

void HttpFront::stop(int graceMs)
{
    if (!m_running) {
        QMetaObject::invokeMethod(this, &HttpFront::stopped, Qt::QueuedConnection);
        return;
    }

    m_running = false;
    m_drainingWorkers = int(m_workers.size());
    for (const auto &worker : m_workers)
        worker->drain(graceMs);
}

void HttpFront::onWorkerDrained()
{
    if (m_drainingWorkers <= 0 || --m_drainingWorkers > 0)
        return;

    joinWorkers();
    Q_EMIT stopped();
}

void HttpFront::joinWorkers()
{
    for (const auto &worker : m_workers)
        worker->shutdown();
    m_workers.clear();
    m_running = false;
}

} // namespace quorum
