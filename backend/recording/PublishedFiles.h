#pragma once

#include "core/Recording.h"

#include <QDateTime>
#include <QJsonArray>
#include <QString>

namespace quorum {

namespace crypto {
class SignedUrl;
}

// How a recording's files are shown to clients: in GET /v1/recordings/{id} and the meeting's
// list (fresh links each time), and in recording.completed (links minted once, at the event).
namespace publishedfiles {

// The URL path of a file, the part of its link that is signed.
QString path(const QString &recordingId, const QString &fileId);

// Each file as {id, type, format, size_bytes, duration_seconds, url, expires_at}, with a link
// valid from `now` for `ttlSeconds`, on `publicUrl`.
QJsonArray toJson(const QList<RecordingFile> &files, const crypto::SignedUrl &signer,
                  const QString &publicUrl, const QDateTime &now, qint64 ttlSeconds);

} // namespace publishedfiles

} // namespace quorum
