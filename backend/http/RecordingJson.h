#pragma once

#include "core/Recording.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>

namespace quorum {

namespace crypto {
class SignedUrl;
}

// The recording resource of the API (DESIGN.md *Recordings*; resources/openapi.yaml
// Recording). Its files carry links minted now, valid for `linkTtlSeconds`.
namespace recordingjson {

QJsonObject toJson(const Recording &recording, const crypto::SignedUrl &signer,
                   const QString &publicUrl, const QDateTime &now, qint64 linkTtlSeconds);
// From the stored version, never from progress, which changes without one.
QByteArray etag(const Recording &recording);

} // namespace recordingjson

} // namespace quorum
