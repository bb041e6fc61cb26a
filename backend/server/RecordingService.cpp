#include "RecordingService.h"

#include "auth/AuditLog.h"
#include "store/Database.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRecordings, "quorum.recording.service")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// Retention works through old recordings in batches, so one sweep never holds the database
// for long.
constexpr int kRetentionBatch = 100;

} // namespace

RecordingService::RecordingService(Database &database, AuditLog &audit, QString recordingsDir)
    : m_database(database)
    , m_audit(audit)
    , m_recordingsDir(std::move(recordingsDir))
{ }

Status RecordingService::remove(const Recording &recording, const QString &actorId,
                                std::optional<qint64> expectedVersion)
{
    if (recording.state == RecordingState::Recording)
        return Error{ErrorCode::RecordingActive,
                     u"The recording is still capturing; stop it before deleting it."_s};
    if (expectedVersion && *expectedVersion != recording.version)
        return Error{ErrorCode::PreconditionFailed,
                     u"The recording changed since you read it (If-Match)."_s};

    if (const Status removed = removeRows(recording, actorId, u"deleted"_s); !removed)
        return removed;
    removeFiles(recording);
    return success();
}

Result<int> RecordingService::removeStartedBefore(const QDateTime &cutoff)
{
    int removed = 0;
    for (;;) {
        auto old
            = RecordingRepository(m_database.connection()).startedBefore(cutoff, kRetentionBatch);
        if (!old)
            return old.error();
        for (const Recording &recording : std::as_const(*old)) {
            if (const Status gone = removeRows(recording, {}, u"retention"_s); !gone)
                return gone.error();
            removeFiles(recording);
            ++removed;
        }
        if (old->size() < kRetentionBatch)
            break;
    }
    if (removed > 0)
        qCInfo(lcRecordings) << "retention removed" << removed << "recordings started before"
                             << cutoff.toString(Qt::ISODate);
    return removed;
}

Status RecordingService::removeRows(const Recording &recording, const QString &actorId,
                                    const QString &reason)
{
    Database::WriteTransaction tx(m_database);
    if (const Status removed = RecordingRepository(tx.db()).remove(recording.id); !removed)
        return removed;
    AuditEntry entry;
    entry.workspaceId = recording.workspaceId;
    entry.meetingId = recording.meetingId;
    entry.actorId = actorId;
    entry.targetId = recording.id;
    entry.action = u"recording.deleted"_s;
    entry.detail = {{u"reason"_s, reason}};
    m_audit.record(entry, tx.db());
    return tx.commit();
}

void RecordingService::removeFiles(const Recording &recording) const
{
    if (m_removed)
        m_removed(recording.id);

    // Only ever the recording's own directory, and only one that lies inside the recordings
    // directory.
    if (recording.captureDir.isEmpty() || recording.captureDir.contains(u".."_s)
        || QDir::isAbsolutePath(recording.captureDir))
        return;
    QDir directory(QDir(m_recordingsDir).filePath(recording.captureDir));
    if (directory.exists() && !directory.removeRecursively())
        qCWarning(lcRecordings) << "could not remove all files of" << recording.id;
}

} // namespace quorum
