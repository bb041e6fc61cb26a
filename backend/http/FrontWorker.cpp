#include "http/FrontWorker.h"

#include "http/FrontHttpServer.h"

namespace quorum {

FrontWorker::FrontWorker(std::shared_ptr<const FrontContext> context, int index)
    : m_context(std::move(context))
    , m_index(index)
{
    m_thread.setObjectName(QStringLiteral("http-worker-%1").arg(index));
}

FrontWorker::~FrontWorker()
{
    shutdown();
}

bool FrontWorker::start(qintptr listeningDescriptor, QString *errorMessage)
{
    m_thread.start();
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);

    bool ok = false;
    QString error;
    QMetaObject::invokeMethod(
        m_anchor,
        [this, listeningDescriptor, &ok, &error] {
            // Made first: the upgrade handler may need it as soon as the server accepts.
            if (m_context->attachmentFactory)
                m_attachment = m_context->attachmentFactory();
            m_server = new FrontHttpServer(m_context, m_index);
            connect(m_server, &FrontHttpServer::drained, this, &FrontWorker::drained);
            ok = m_server->listenOn(listeningDescriptor, &error);
        },
        Qt::BlockingQueuedConnection);

    if (!ok && errorMessage)
        *errorMessage = error;
    return ok;
}

void FrontWorker::drain(int graceMs)
{
    if (!m_server)
        return;

    QMetaObject::invokeMethod(
        m_server, [server = m_server, graceMs] { server->drain(graceMs); }, Qt::QueuedConnection);
}

void FrontWorker::shutdown()
{
    if (!m_thread.isRunning())
        return;

    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            if (m_server)
                m_server->abortAll();
            delete m_server;
            m_server = nullptr;
            m_attachment.reset();
            m_anchor->deleteLater(); // processed as the thread finishes
            m_anchor = nullptr;
        },
        Qt::BlockingQueuedConnection);

    m_thread.quit();
    m_thread.wait();
}

} // namespace quorum
