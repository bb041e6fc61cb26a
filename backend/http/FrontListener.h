#pragma once

#include "core/Result.h"

#include <QHostAddress>
#include <QList>

namespace quorum {

// The listening sockets of the front: one per worker, all bound to one port with
// SO_REUSEPORT so that the kernel spreads connections over the workers. For port 0 the first
// socket picks a free port and the others join it.
class FrontListener final
{
public:
    static Result<FrontListener> open(const QHostAddress &address, quint16 port, int count);

    FrontListener(FrontListener &&other) noexcept;
    FrontListener &operator=(FrontListener &&other) = delete;
    FrontListener(const FrontListener &) = delete;
    FrontListener &operator=(const FrontListener &) = delete;
    ~FrontListener(); // closes the descriptors not taken

    quint16 port() const { return m_port; }
    int count() const { return int(m_descriptors.size()); }
    // The caller owns the descriptor from now on.
    qintptr take(int index);

private:
    FrontListener() = default;

    QList<qintptr> m_descriptors;
    quint16 m_port = 0;
};

} // namespace quorum
