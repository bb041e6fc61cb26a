#pragma once

#include <QString>
#include <QUrl>

namespace quorum {

// A URL's web origin as browsers send it in `Origin`: scheme://host[:port] in lower case,
// without the scheme's default port (IPv6 hosts in brackets); empty if `url` is not an
// absolute URL with a host.
QString webOrigin(const QUrl &url);

} // namespace quorum
