#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

namespace quorum {

// Decides where webhooks may be sent (DESIGN.md *Webhooks*, case C05): https only, no
// credentials in the URL, and no loopback, private, link-local, multicast, reserved or
// unspecified address unless private networks are allowed (then loopback and private
// addresses pass, over http or https). Cloud metadata addresses are refused always.
// IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry.
class UrlGuard final
{
public:
    explicit UrlGuard(bool allowPrivateNetworks);

    // The URL itself: scheme, credentials, host present, and a literal address in the host.
    // Returns the reason of a refusal in words a client can act on, or nothing when allowed.
    std::optional<QString> checkUrl(const QUrl &url) const;

    // One address, as resolved or as written in the URL.
    std::optional<QString> checkAddress(const QHostAddress &address) const;

    // Every address a name resolved to must pass; the first refusal is returned.
    std::optional<QString> checkAddresses(const QList<QHostAddress> &addresses) const;

    bool allowsPrivateNetworks() const { return m_allowPrivateNetworks; }

private:
    bool m_allowPrivateNetworks;
};

} // namespace quorum
