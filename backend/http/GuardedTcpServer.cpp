#include "http/GuardedTcpServer.h"

#include "http/FrontHttpServer.h"
#include "http/FrontSocket.h"

namespace quorum {

GuardedTcpServer::GuardedTcpServer(FrontHttpServer *front, QObject *parent)
    : QTcpServer(parent)
    , m_front(front)
{ }

void GuardedTcpServer::incomingConnection(qintptr descriptor)
{
    if (!m_front->handOff(descriptor))
        acceptDescriptor(descriptor);
}

void GuardedTcpServer::acceptDescriptor(qintptr descriptor)
{
    auto *socket = new FrontSocket<QTcpSocket>(this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }

    m_front->adopt(socket, [this, socket] { addPendingConnection(socket); });
}

} // namespace quorum
