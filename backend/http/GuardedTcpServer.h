#pragma once

#include <QTcpServer>

namespace quorum {

class FrontHttpServer;

// The plain-TCP server of one worker: adopts a listening descriptor opened by FrontListener
// and puts each accepted socket behind its FrontConnection before QHttpServer takes it.
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    explicit GuardedTcpServer(FrontHttpServer *front, QObject *parent = nullptr);

    // Takes an accepted descriptor as this worker's own connection.
    void acceptDescriptor(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    FrontHttpServer *m_front;
};

} // namespace quorum
