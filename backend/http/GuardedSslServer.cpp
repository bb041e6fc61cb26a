#include "http/GuardedSslServer.h"

#include "http/FrontHttpServer.h"
#include "http/FrontSocket.h"

#include <QLoggingCategory>
#include <QTimer>

namespace quorum {

Q_DECLARE_LOGGING_CATEGORY(lcFront)

namespace {

constexpr int kHandshakeTimeoutMs = 10000;

} // namespace

GuardedSslServer::GuardedSslServer(FrontHttpServer *front, QObject *parent)
    : QSslServer(parent)
    , m_front(front)
{ }

void GuardedSslServer::incomingConnection(qintptr descriptor)
{
    if (!m_front->handOff(descriptor))
        acceptDescriptor(descriptor);
}

void GuardedSslServer::acceptDescriptor(qintptr descriptor)
{
    // QSslServer's own version would hand the socket on without our guard in front.
    auto *socket = new FrontSocket<QSslSocket>(this);
    socket->setSslConfiguration(sslConfiguration());
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }

    connect(socket, &QSslSocket::encrypted, this, [this, socket] {
        m_front->adopt(socket, [this, socket] { addPendingConnection(socket); });
    });
    connect(socket, &QSslSocket::sslErrors, socket, [socket](const QList<QSslError> &errors) {
        qCDebug(lcFront) << "TLS handshake failed:" << errors;
        socket->abort();
    });
    connect(socket, &QAbstractSocket::disconnected, socket, [socket] {
        if (!socket->isEncrypted())
            socket->deleteLater();
    });
    QTimer::singleShot(kHandshakeTimeoutMs, socket, [socket] {
        if (!socket->isEncrypted())
            socket->abort();
    });

    socket->startServerEncryption();
}

} // namespace quorum
