#include "PublishedFiles.h"

#include "core/TimeRules.h"
#include "crypto/SignedUrl.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace quorum::publishedfiles {

QString path(const QString &recordingId, const QString &fileId)
{
    return u"/v1/recordings/%1/files/%2"_s.arg(recordingId, fileId);
}

QJsonArray toJson(const QList<RecordingFile> &files, const crypto::SignedUrl &signer,
                  const QString &publicUrl, const QDateTime &now, qint64 ttlSeconds)
{
    // Whole seconds: the link carries Unix seconds, and expires_at must say the same instant.
    const QDateTime expiresAt
        = QDateTime::fromSecsSinceEpoch(now.toSecsSinceEpoch() + ttlSeconds, Qt::UTC);
    QJsonArray list;
    for (const RecordingFile &file : files) {
        list.append(QJsonObject{
            {u"id"_s, file.id},
            {u"type"_s, file.type},
            {u"format"_s, file.format},
            {u"size_bytes"_s, file.sizeBytes},
            {u"duration_seconds"_s, double(file.durationMs) / 1000.0},
            {u"url"_s, signer.sign(publicUrl, path(file.recordingId, file.id), expiresAt)},
            {u"expires_at"_s, timerules::formatUtc(expiresAt)},
        });
    }
    return list;
}

} // namespace quorum::publishedfiles
