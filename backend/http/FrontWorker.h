#pragma once

#include "http/FrontContext.h"

#include <QObject>
#include <QThread>

#include <memory>

namespace quorum {

class FrontHttpServer;

// One worker thread of the front and the FrontHttpServer that lives in it. Used from the
// thread that owns the HttpFront; everything it starts runs in its own thread.
class FrontWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FrontWorker)

public:
    FrontWorker(std::shared_ptr<const FrontContext> context, int index);
    ~FrontWorker() override; // shutdown()

    // Starts the thread and adopts the listening descriptor in it (ownership moves on success).
    bool start(qintptr listeningDescriptor, QString *errorMessage);
    void drain(int graceMs);
    // Aborts every connection, destroys the server in its thread and joins the thread.
    void shutdown();

Q_SIGNALS:
    void drained();

private:
    std::shared_ptr<const FrontContext> m_context;
    int m_index = 0;
    QThread m_thread;
    QObject *m_anchor = nullptr; // lives in m_thread; the context of calls into it
    FrontHttpServer *m_server = nullptr; // lives in m_thread
    std::unique_ptr<QObject> m_attachment; // made and destroyed in m_thread
};

} // namespace quorum
