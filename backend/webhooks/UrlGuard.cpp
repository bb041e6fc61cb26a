#include "UrlGuard.h"

#include <QLoggingCategory>

#include <algorithm>
#include <array>

Q_LOGGING_CATEGORY(lcUrlGuard, "quorum.webhooks.guard")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// What an address is, as far as sending webhooks to it goes.
enum class Kind {
    Public,
    Loopback, // allowed with private networks
    Private, // allowed with private networks
    Metadata, // never
    Unspecified, // never
    LinkLocal, // never
    Multicast, // never
    Reserved, // never: documentation, benchmarking, future use, protocol assignments
};

struct Verdict
{
    Kind kind;
    const char16_t *what; // how a refusal names it
};

struct Ipv4Range
{
    quint32 network;
    int prefix;
    Verdict verdict;
};

constexpr quint32 ipv4(quint8 a, quint8 b, quint8 c, quint8 d)
{
    return (quint32(a) << 24) | (quint32(b) << 16) | (quint32(c) << 8) | quint32(d);
}

// Cloud metadata services answer on these; they hand out credentials, so no switch opens them.
constexpr std::array kIpv4Metadata{
    ipv4(169, 254, 169, 254), // AWS, GCP, Azure, OpenStack, DigitalOcean
    ipv4(169, 254, 170, 2), // AWS ECS task metadata
    ipv4(100, 100, 100, 200), // Alibaba Cloud
    ipv4(192, 0, 0, 192), // Oracle Cloud
};

// Most specific first is not needed: the ranges do not overlap.
const std::array kIpv4Ranges{
    Ipv4Range{ipv4(0, 0, 0, 0), 8, {Kind::Unspecified, u"an unspecified (\"this network\")"}},
    Ipv4Range{ipv4(10, 0, 0, 0), 8, {Kind::Private, u"a private"}},
    Ipv4Range{ipv4(100, 64, 0, 0), 10, {Kind::Private, u"a shared (carrier-grade NAT)"}},
    Ipv4Range{ipv4(127, 0, 0, 0), 8, {Kind::Loopback, u"a loopback"}},
    Ipv4Range{ipv4(169, 254, 0, 0), 16, {Kind::LinkLocal, u"a link-local"}},
    Ipv4Range{ipv4(172, 16, 0, 0), 12, {Kind::Private, u"a private"}},
    Ipv4Range{ipv4(192, 0, 0, 0), 24, {Kind::Reserved, u"a reserved (IETF protocol)"}},
    Ipv4Range{ipv4(192, 0, 2, 0), 24, {Kind::Reserved, u"a documentation"}},
    Ipv4Range{ipv4(192, 88, 99, 0), 24, {Kind::Reserved, u"a reserved (6to4 relay)"}},
    Ipv4Range{ipv4(192, 168, 0, 0), 16, {Kind::Private, u"a private"}},
    Ipv4Range{ipv4(198, 18, 0, 0), 15, {Kind::Reserved, u"a reserved (benchmarking)"}},
    Ipv4Range{ipv4(198, 51, 100, 0), 24, {Kind::Reserved, u"a documentation"}},
    Ipv4Range{ipv4(203, 0, 113, 0), 24, {Kind::Reserved, u"a documentation"}},
    Ipv4Range{ipv4(224, 0, 0, 0), 4, {Kind::Multicast, u"a multicast"}},
    Ipv4Range{ipv4(240, 0, 0, 0), 4, {Kind::Reserved, u"a reserved (future use or broadcast)"}},
};

Verdict classifyIpv4(quint32 address)
{
    for (quint32 metadata : kIpv4Metadata) {
        if (address == metadata)
            return {Kind::Metadata, u"a cloud metadata"};
    }
    for (const Ipv4Range &range : kIpv4Ranges) {
        const quint32 mask = range.prefix == 0 ? 0 : ~quint32(0) << (32 - range.prefix);
        if ((address & mask) == range.network)
            return range.verdict;
    }
    return {Kind::Public, u"a public"};
}

using Bytes = std::array<quint8, 16>;

Bytes bytesOf(const QHostAddress &address)
{
    const Q_IPV6ADDR raw = address.toIPv6Address();
    Bytes bytes{};
    for (int i = 0; i < 16; ++i)
        bytes[i] = raw[i];
    return bytes;
}

// Whether the first `prefix` bits of the address equal those of `network`.
bool inPrefix(const Bytes &address, const Bytes &network, int prefix)
{
    for (int bit = 0; bit < prefix; ++bit) {
        const int byte = bit / 8;
        const quint8 mask = quint8(0x80 >> (bit % 8));
        if ((address[byte] & mask) != (network[byte] & mask))
            return false;
    }
    return true;
}

quint32 lastIpv4(const Bytes &bytes)
{
    return ipv4(bytes[12], bytes[13], bytes[14], bytes[15]);
}

Verdict classifyIpv6(const Bytes &b)
{
    static const Bytes metadata = bytesOf(QHostAddress(u"fd00:ec2::254"_s));
    static const Bytes nat64 = bytesOf(QHostAddress(u"64:ff9b::"_s));
    if (b == metadata)
        return {Kind::Metadata, u"a cloud metadata"};

    // Addresses that carry an IPv4 address are judged as that address: a mapped
    // ::ffff:169.254.169.254 reaches the metadata service as surely as the plain one does.
    const bool zeroHigh80 = std::all_of(b.begin(), b.begin() + 10, [](quint8 x) { return !x; });
    if (zeroHigh80 && b[10] == 0xff && b[11] == 0xff)
        return classifyIpv4(lastIpv4(b));
    if (zeroHigh80 && b[10] == 0 && b[11] == 0) {
        const quint32 embedded = lastIpv4(b);
        if (embedded == 0)
            return {Kind::Unspecified, u"the unspecified"};
        if (embedded == 1)
            return {Kind::Loopback, u"a loopback"};
        return classifyIpv4(embedded); // IPv4-compatible (deprecated) ::a.b.c.d
    }
    if (inPrefix(b, nat64, 96))
        return classifyIpv4(lastIpv4(b));

    struct Ipv6Range
    {
        Bytes network;
        int prefix;
        Verdict verdict;
    };
    static const std::array ranges{
        Ipv6Range{bytesOf(QHostAddress(u"64:ff9b:1::"_s)), 48, {Kind::Private, u"a local NAT64"}},
        Ipv6Range{bytesOf(QHostAddress(u"100::"_s)), 64, {Kind::Reserved, u"a discard-only"}},
        Ipv6Range{bytesOf(QHostAddress(u"2001:db8::"_s)), 32, {Kind::Reserved, u"a documentation"}},
        Ipv6Range{bytesOf(QHostAddress(u"2001::"_s)), 23, {Kind::Reserved, u"a reserved (IETF)"}},
        Ipv6Range{bytesOf(QHostAddress(u"2002::"_s)), 16, {Kind::Reserved, u"a 6to4"}},
        Ipv6Range{bytesOf(QHostAddress(u"3fff::"_s)), 20, {Kind::Reserved, u"a documentation"}},
        Ipv6Range{bytesOf(QHostAddress(u"fc00::"_s)), 7, {Kind::Private, u"a unique local"}},
        Ipv6Range{bytesOf(QHostAddress(u"fe80::"_s)), 10, {Kind::LinkLocal, u"a link-local"}},
        Ipv6Range{bytesOf(QHostAddress(u"fec0::"_s)), 10, {Kind::Reserved, u"a site-local"}},
        Ipv6Range{bytesOf(QHostAddress(u"ff00::"_s)), 8, {Kind::Multicast, u"a multicast"}},
    };
    for (const Ipv6Range &range : ranges) {
        if (inPrefix(b, range.network, range.prefix))
            return range.verdict;
    }

    // Only 2000::/3 is allocated as global unicast; the rest of the space is reserved.
    if ((b[0] & 0xe0) != 0x20)
        return {Kind::Reserved, u"a reserved"};
    return {Kind::Public, u"a public"};
}

Verdict classify(const QHostAddress &address)
{
    if (address.protocol() == QAbstractSocket::IPv4Protocol)
        return classifyIpv4(address.toIPv4Address());
    return classifyIpv6(bytesOf(address));
}

} // namespace

UrlGuard::UrlGuard(bool allowPrivateNetworks)
    : m_allowPrivateNetworks(allowPrivateNetworks)
{ }

std::optional<QString> UrlGuard::checkUrl(const QUrl &url) const
{
    if (!url.isValid() || url.isRelative())
        return u"must be an absolute URL"_s;

    const QString scheme = url.scheme().toLower();
    if (scheme != u"https" && !(scheme == u"http" && m_allowPrivateNetworks))
        return m_allowPrivateNetworks ? u"must use https or http"_s : u"must use https"_s;

    // Credentials in a URL end up in logs and proxies; receivers authenticate us by signature.
    if (!url.userName().isEmpty() || !url.password().isEmpty())
        return u"must not carry a user name or password"_s;

    const QString host = url.host(QUrl::FullyDecoded);
    if (host.isEmpty())
        return u"must name a host"_s;
    if (url.port() == 0)
        return u"must not name port 0"_s;

    // A literal address is judged now; a name is judged by what it resolves to.
    const QHostAddress literal(host);
    if (!literal.isNull())
        return checkAddress(literal);
    return std::nullopt;
}

std::optional<QString> UrlGuard::checkAddress(const QHostAddress &address) const
{
    if (address.isNull())
        return u"does not name a valid address"_s;

    const Verdict verdict = classify(address);
    const bool allowed = verdict.kind == Kind::Public
        || (m_allowPrivateNetworks
            && (verdict.kind == Kind::Loopback || verdict.kind == Kind::Private));
    if (allowed)
        return std::nullopt;

    qCDebug(lcUrlGuard) << "refused" << address;
    QHostAddress shown = address;
    shown.setScopeId(QString());
    const QString hint = (verdict.kind == Kind::Loopback || verdict.kind == Kind::Private)
        ? u"; webhook targets must be public unless the server allows private networks"_s
        : u"; webhook targets may never be such addresses"_s;
    return u"refers to %1 address (%2)%3"_s.arg(QString::fromUtf16(verdict.what), shown.toString(),
                                                hint);
}

std::optional<QString> UrlGuard::checkAddresses(const QList<QHostAddress> &addresses) const
{
    if (addresses.isEmpty())
        return u"resolves to no address"_s;
    for (const QHostAddress &address : addresses) {
        if (auto refusal = checkAddress(address))
            return refusal;
    }
    return std::nullopt;
}

} // namespace quorum
