#include "WebOrigin.h"

using namespace Qt::StringLiterals;

namespace quorum {

QString webOrigin(const QUrl &url)
{
    if (!url.isValid() || url.scheme().isEmpty() || url.host().isEmpty())
        return {};

    const QString scheme = url.scheme().toLower();
    const int defaultPort = scheme == u"https"_s || scheme == u"wss"_s ? 443 : 80;
    const int port = url.port(defaultPort);
    QString host = url.host(QUrl::FullyEncoded).toLower();
    if (host.contains(u':'))
        host = u'[' + host + u']';
    QString origin = scheme + u"://"_s + host;
    if (port != defaultPort)
        origin += u':' + QString::number(port);
    return origin;
}

} // namespace quorum
