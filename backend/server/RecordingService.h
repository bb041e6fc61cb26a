#pragma once

#include "core/Recording.h"
#include "core/Result.h"

#include <QDateTime>

#include <functional>

namespace quorum {

class AuditLog;
class Database;

// Removing recordings, one at a time (DELETE /v1/recordings/{id}) or by age (retention): the
// rows go in one transaction, then the files on disk, so no link ever reaches a half-deleted
// recording. Reads go straight to RecordingRepository.
class RecordingService final
{
public:
    RecordingService(Database &database, AuditLog &audit, QString recordingsDir);

    // Told (in the deleting thread) of each recording removed, so that its processing stops.
    void setRemovedHandler(std::function<void(const QString &recordingId)> handler)
    {
        m_removed = std::move(handler);
    }

    // Deletes a recording that is not capturing (409 recording_active otherwise) at the
    // `expectedVersion` when given (412 otherwise), audited as recording.deleted by `actorId`.
    Status remove(const Recording &recording, const QString &actorId,
                  std::optional<qint64> expectedVersion);
    // Deletes every recording started before `cutoff` (none that still captures), with its
    // files. Returns how many went.
    Result<int> removeStartedBefore(const QDateTime &cutoff);

private:
    Status removeRows(const Recording &recording, const QString &actorId, const QString &reason);
    void removeFiles(const Recording &recording) const;

    Database &m_database;
    AuditLog &m_audit;
    QString m_recordingsDir;
    std::function<void(const QString &)> m_removed;
};

} // namespace quorum
