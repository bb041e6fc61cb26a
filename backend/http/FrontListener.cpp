#include "http/FrontListener.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace quorum {

namespace {

constexpr int kBacklog = 1024;

QString systemError(const char *what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what),
                                        QString::fromLocal8Bit(strerror(errno)));
}

// Builds the socket address for address:port; IPv4 or IPv6 (the "any" address as dual stack).
socklen_t toSockaddr(const QHostAddress &address, quint16 port, sockaddr_storage *storage)
{
    std::memset(storage, 0, sizeof(*storage));
    const bool any = address == QHostAddress::Any || address == QHostAddress::AnyIPv6;
    if (address.protocol() == QAbstractSocket::IPv4Protocol && !any) {
        auto *in = reinterpret_cast<sockaddr_in *>(storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        return sizeof(sockaddr_in);
    }

    auto *in6 = reinterpret_cast<sockaddr_in6 *>(storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    const Q_IPV6ADDR bytes
        = any ? QHostAddress(QHostAddress::AnyIPv6).toIPv6Address() : address.toIPv6Address();
    std::memcpy(&in6->sin6_addr, bytes.c, sizeof(bytes.c));
    return sizeof(sockaddr_in6);
}

Result<int> openOne(const QHostAddress &address, quint16 port)
{
    sockaddr_storage storage;
    const socklen_t length = toSockaddr(address, port, &storage);

    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{ErrorCode::Unavailable, systemError("socket"), {}};

    const int on = 1;
    const int off = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (storage.ss_family == AF_INET6 && address == QHostAddress::Any)
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));

    if (::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0
        || ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0
        || ::listen(fd, kBacklog) != 0) {
        const QString message = systemError("bind");
        ::close(fd);
        return Error{ErrorCode::Unavailable, message, {}};
    }
    return fd;
}

// SO_REUSEPORT lets every socket of the same user join a port, another quorumd's included,
// and the kernel would then split connections between the two servers. A listening socket
// without the option is refused while anything listens there, so a short probe turns
// "already in use" back into an error.
Status probeFree(const QHostAddress &address, quint16 port)
{
    sockaddr_storage storage;
    const socklen_t length = toSockaddr(address, port, &storage);
    const int fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error{ErrorCode::Unavailable, systemError("socket")};
    const int on = 1;
    const int off = 0;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    if (storage.ss_family == AF_INET6 && address == QHostAddress::Any)
        ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    const bool free = ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) == 0;
    const QString message = free ? QString() : systemError("bind");
    ::close(fd);
    if (!free)
        return Error{ErrorCode::Unavailable, message};
    return success();
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage;
    socklen_t length = sizeof(storage);
    if (::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length) != 0)
        return 0;
    if (storage.ss_family == AF_INET)
        return ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
    return ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port);
}

} // namespace

Result<FrontListener> FrontListener::open(const QHostAddress &address, quint16 port, int count)
{
    FrontListener listener;
    listener.m_port = port;
    if (port != 0) {
        if (const Status free = probeFree(address, port); !free)
            return free.error();
    }

    for (int i = 0; i < qMax(1, count); ++i) {
        Result<int> fd = openOne(address, listener.m_port);
        if (!fd)
            return fd.error();

        listener.m_descriptors.append(*fd);
        if (listener.m_port == 0)
            listener.m_port = boundPort(*fd);
    }
    return listener;
}

FrontListener::FrontListener(FrontListener &&other) noexcept
    : m_descriptors(std::exchange(other.m_descriptors, {}))
    , m_port(other.m_port)
{ }

FrontListener::~FrontListener()
{
    for (qintptr fd : std::as_const(m_descriptors)) {
        if (fd >= 0)
            ::close(int(fd));
    }
}

qintptr FrontListener::take(int index)
{
    return std::exchange(m_descriptors[index], -1);
}

} // namespace quorum
