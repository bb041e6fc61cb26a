#include "UrlGuard.h"

using namespace Qt::StringLiterals;

// A placeholder of the delivery engine's branch, so the engine links and its tests run: the
// subscriptions helper (W1) owns the real guard, which replaces this file at the merge.

namespace quorum {

namespace {

QHostAddress unmapped(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    return isV4 ? QHostAddress(v4) : address;
}

bool inAny(const QHostAddress &address, std::initializer_list<const char *> subnets)
{
    for (const char *subnet : subnets) {
        if (address.isInSubnet(QHostAddress::parseSubnet(QString::fromLatin1(subnet))))
            return true;
    }
    return false;
}

} // namespace

UrlGuard::UrlGuard(bool allowPrivateNetworks)
    : m_allowPrivateNetworks(allowPrivateNetworks)
{ }

std::optional<QString> UrlGuard::checkUrl(const QUrl &url) const
{
    if (!url.isValid() || url.host().isEmpty())
        return u"the URL needs a host"_s;
    if (!url.userInfo().isEmpty())
        return u"the URL must not carry credentials"_s;
    const QString scheme = url.scheme().toLower();
    if (scheme != u"https" && !(m_allowPrivateNetworks && scheme == u"http"))
        return u"the URL must use https"_s;
    const QHostAddress literal(url.host());
    if (!literal.isNull())
        return checkAddress(literal);
    return std::nullopt;
}

std::optional<QString> UrlGuard::checkAddress(const QHostAddress &raw) const
{
    const QHostAddress address = unmapped(raw);
    if (inAny(address, {"169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32"}))
        return u"%1 is a cloud metadata address"_s.arg(address.toString());

    const bool loopbackOrPrivate = address.isLoopback()
        || inAny(address, {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"});
    if (loopbackOrPrivate)
        return m_allowPrivateNetworks
            ? std::nullopt
            : std::optional(u"%1 is a loopback or private address"_s.arg(address.toString()));

    if (address.isNull() || address.isMulticast() || address.isLinkLocal() || address.isBroadcast()
        || inAny(address,
                 {"0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "240.0.0.0/4",
                  "::/128", "2001:db8::/32"}))
        return u"%1 is not a public address"_s.arg(address.toString());
    return std::nullopt;
}

std::optional<QString> UrlGuard::checkAddresses(const QList<QHostAddress> &addresses) const
{
    if (addresses.isEmpty())
        return u"the name resolved to no address"_s;
    for (const QHostAddress &address : addresses) {
        if (auto refusal = checkAddress(address))
            return refusal;
    }
    return std::nullopt;
}

} // namespace quorum
