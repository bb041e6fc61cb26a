#pragma once

#include "core/Result.h"

#include <QList>
#include <QString>
#include <QUrl>

namespace quorum::media {

// One Janus WebRTC server the gateway drives: its API (the WebSocket transport, on loopback or
// a private network, never exposed to clients) and the secrets that API asks for.
struct JanusNode
{
    QString name;
    QString region;
    QUrl url; // ws://host:port of Janus's WebSocket transport
    QString apiSecret; // janus.jcfg's api_secret; empty when the node has none
    QString adminKey; // the VideoRoom plugin's admin_key (needed to create rooms); may be empty
};

// The nodes of a --janus-nodes file: a JSON array of {"name", "region", "url",
// "api_secret_file", "admin_key_file"} (the two files optional, each holding one secret, and
// readable by their owner only). The secrets are read here; an error names the entry and field.
Result<QList<JanusNode>> readJanusNodes(const QString &path);

// A fresh secret for Janus (an API secret, an admin key, a room's secret): 192 bits from the
// system's random source, as hex.
QString newJanusSecret();

} // namespace quorum::media
