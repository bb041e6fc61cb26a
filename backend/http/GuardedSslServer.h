#pragma once

#include <QSslServer>

namespace quorum {

class FrontHttpServer;

// The TLS server of one worker: like GuardedTcpServer, but a socket is handed on only once
// its handshake is done, so the guard reads decrypted bytes.
class GuardedSslServer final : public QSslServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedSslServer)

public:
    explicit GuardedSslServer(FrontHttpServer *front, QObject *parent = nullptr);

    // Takes an accepted descriptor as this worker's own connection (TLS handshake first).
    void acceptDescriptor(qintptr descriptor);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    FrontHttpServer *m_front;
};

} // namespace quorum
