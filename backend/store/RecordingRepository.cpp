#include "RecordingRepository.h"

#include "SqlDialect.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, meeting_id, workspace_id, state, started_by, started_at, stopped_at, completed_at, "
    "duration_ms, progress, error_code, error_message, capture_dir, node, version, updated_at");

const auto kFileColumns = QStringLiteral(
    "id, recording_id, type, format, content_type, path, size_bytes, duration_ms, created_at");

Recording readRecording(const QSqlQuery &query)
{
    Recording r;
    r.id = query.value(0).toString();
    r.meetingId = query.value(1).toString();
    r.workspaceId = query.value(2).toString();
    r.state = recordingStateFromName(query.value(3).toString()).value_or(RecordingState::Failed);
    r.startedBy = query.value(4).toString();
    r.startedAt = toTime(query.value(5));
    r.stoppedAt = toTime(query.value(6));
    r.completedAt = toTime(query.value(7));
    r.durationMs = query.value(8).toLongLong();
    r.progress = query.value(9).toInt();
    r.errorCode = query.value(10).toString();
    r.errorMessage = query.value(11).toString();
    r.captureDir = query.value(12).toString();
    r.node = query.value(13).toString();
    r.version = query.value(14).toLongLong();
    r.updatedAt = toTime(query.value(15));
    return r;
}

RecordingFile readFile(const QSqlQuery &query)
{
    RecordingFile f;
    f.id = query.value(0).toString();
    f.recordingId = query.value(1).toString();
    f.type = query.value(2).toString();
    f.format = query.value(3).toString();
    f.contentType = query.value(4).toString();
    f.path = query.value(5).toString();
    f.sizeBytes = query.value(6).toLongLong();
    f.durationMs = query.value(7).toLongLong();
    f.createdAt = toTime(query.value(8));
    return f;
}

Status exec(QSqlQuery &query, const QVariantList &values, const char *what)
{
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec())
        return sqlError(query, what);
    return success();
}

Status changedOne(QSqlQuery &query, const QString &why)
{
    if (query.numRowsAffected() < 1)
        return Error{ErrorCode::NotFound, why};
    return success();
}

} // namespace

Status RecordingRepository::insert(const Recording &r)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO recordings (%1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                 "?, ?, ?, ?, ?, ?, ?)")
                      .arg(kColumns));
    return exec(query,
                {r.id, r.meetingId, r.workspaceId, recordingStateName(r.state),
                 fromText(r.startedBy.isEmpty() ? QString() : r.startedBy), fromTime(r.startedAt),
                 fromTime(r.stoppedAt), fromTime(r.completedAt), r.durationMs, r.progress,
                 fromText(r.errorCode.isEmpty() ? QString() : r.errorCode),
                 fromText(r.errorMessage.isEmpty() ? QString() : r.errorMessage), r.captureDir,
                 r.node, r.version, fromTime(r.updatedAt)},
                "inserting a recording");
}

Status RecordingRepository::markStopped(const QString &id, const QDateTime &at)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE recordings SET state = 'processing', stopped_at = ?, progress = 0, "
        "version = version + 1, updated_at = ? WHERE id = ? AND state = 'recording'"));
    if (const Status ok = exec(query, {fromTime(at), fromTime(at), id}, "stopping a recording");
        !ok)
        return ok;
    return changedOne(query, QStringLiteral("The recording is not capturing."));
}

Status RecordingRepository::markFailed(const QString &id, const QString &errorCode,
                                       const QString &message, const QDateTime &at)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("UPDATE recordings SET state = 'failed', error_code = ?, error_message = ?, "
                       "stopped_at = COALESCE(stopped_at, ?), completed_at = ?, progress = 0, "
                       "version = version + 1, updated_at = ? "
                       "WHERE id = ? AND state IN ('recording', 'processing')"));
    if (const Status ok
        = exec(query, {errorCode, message, fromTime(at), fromTime(at), fromTime(at), id},
               "failing a recording");
        !ok)
        return ok;
    return changedOne(query, QStringLiteral("The recording has already finished."));
}

Status RecordingRepository::appendTimeline(const QString &recordingId, const TimelineEntry &entry)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO recording_timeline (recording_id, seq, at, kind, participant_id, "
        "display_name, detail) SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ?, ?, ? "
        "FROM recording_timeline WHERE recording_id = ?"));
    const QString detail = entry.detail.isEmpty()
        ? QString()
        : QString::fromUtf8(QJsonDocument(entry.detail).toJson(QJsonDocument::Compact));
    return exec(query,
                {recordingId, fromTime(entry.at), entry.kind, entry.participantId,
                 entry.displayName, fromText(detail), recordingId},
                "appending to a recording's timeline");
}

Result<QList<TimelineEntry>> RecordingRepository::timeline(const QString &recordingId)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT at, kind, participant_id, display_name, detail FROM "
                                 "recording_timeline WHERE recording_id = ? ORDER BY seq"));
    if (const Status ok = exec(query, {recordingId}, "reading a recording's timeline"); !ok)
        return ok.error();
    QList<TimelineEntry> entries;
    while (query.next()) {
        TimelineEntry entry;
        entry.at = toTime(query.value(0));
        entry.kind = query.value(1).toString();
        entry.participantId = query.value(2).toString();
        entry.displayName = query.value(3).toString();
        entry.detail = QJsonDocument::fromJson(query.value(4).toString().toUtf8()).object();
        entries << entry;
    }
    return entries;
}

Result<QList<Recording>> RecordingRepository::awaitingCapture(const QString &node)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(
        QStringLiteral("SELECT %1 FROM recordings WHERE node = ? AND (state = 'recording' OR "
                       "(state = 'processing' AND NOT EXISTS (SELECT 1 FROM recording_jobs j "
                       "WHERE j.recording_id = recordings.id)))")
            .arg(kColumns));
    if (const Status ok = exec(query, {node}, "reading capturing recordings"); !ok)
        return ok.error();
    QList<Recording> list;
    while (query.next())
        list << readRecording(query);
    return list;
}

Status RecordingRepository::enqueueJob(const QString &recordingId, const QJsonObject &capture,
                                       qint64 nowMs)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT INTO recording_jobs (recording_id, state, attempts, next_attempt_at, "
        "claimed_until, claimed_by, capture, last_error, created_at, updated_at) "
        "VALUES (?, 'queued', 0, ?, NULL, NULL, ?, NULL, ?, ?)"));
    return exec(query,
                {recordingId, nowMs,
                 QString::fromUtf8(QJsonDocument(capture).toJson(QJsonDocument::Compact)), nowMs,
                 nowMs},
                "queueing a processing job");
}

Result<std::optional<RecordingJob>> RecordingRepository::claimJob(qint64 nowMs, qint64 leaseMs,
                                                                  const QString &claimant)
{
    // Claimed with a conditional update, so two claimants never run the same job.
    for (int tries = 0; tries < 4; ++tries) {
        QSqlQuery pick(m_db);
        pick.prepare(QStringLiteral("SELECT recording_id, attempts, capture FROM recording_jobs "
                                    "WHERE state = 'queued' AND next_attempt_at <= ? "
                                    "AND (claimed_until IS NULL OR claimed_until <= ?) "
                                    "ORDER BY next_attempt_at, recording_id LIMIT 1")
                     + skipLockedRows(m_db, QStringLiteral("recording_jobs")));
        if (const Status ok = exec(pick, {nowMs, nowMs}, "picking a processing job"); !ok)
            return ok.error();
        if (!pick.next())
            return std::optional<RecordingJob>();

        RecordingJob job;
        job.recordingId = pick.value(0).toString();
        job.attempts = pick.value(1).toInt();
        job.capture = QJsonDocument::fromJson(pick.value(2).toString().toUtf8()).object();

        QSqlQuery claim(m_db);
        claim.prepare(QStringLiteral(
            "UPDATE recording_jobs SET claimed_until = ?, claimed_by = ?, attempts = attempts + 1, "
            "updated_at = ? WHERE recording_id = ? AND state = 'queued' AND attempts = ? "
            "AND (claimed_until IS NULL OR claimed_until <= ?)"));
        if (const Status ok
            = exec(claim, {nowMs + leaseMs, claimant, nowMs, job.recordingId, job.attempts, nowMs},
                   "claiming a processing job");
            !ok)
            return ok.error();
        if (claim.numRowsAffected() == 1)
            return std::optional<RecordingJob>(job);
    }
    return std::optional<RecordingJob>();
}

Result<int> RecordingRepository::releaseClaims(const QString &claimant)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE recording_jobs SET claimed_until = NULL, claimed_by = "
                                 "NULL WHERE state = 'queued' AND claimed_by = ?"));
    if (const Status ok = exec(query, {claimant}, "releasing processing claims"); !ok)
        return ok.error();
    return query.numRowsAffected();
}

Result<std::optional<qint64>> RecordingRepository::nextJobDueAt()
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT MIN(COALESCE(claimed_until, next_attempt_at)) FROM "
                                 "recording_jobs WHERE state = 'queued'"));
    if (const Status ok = exec(query, {}, "reading the next processing job"); !ok)
        return ok.error();
    if (!query.next() || query.value(0).isNull())
        return std::optional<qint64>();
    return std::optional<qint64>(query.value(0).toLongLong());
}

Status RecordingRepository::jobFailed(const QString &recordingId, const QString &error,
                                      qint64 retryAtMs, qint64 nowMs)
{
    QSqlQuery query(m_db);
    if (retryAtMs >= 0) {
        query.prepare(QStringLiteral(
            "UPDATE recording_jobs SET next_attempt_at = ?, claimed_until = NULL, claimed_by = "
            "NULL, last_error = ?, updated_at = ? WHERE recording_id = ?"));
        return exec(query, {retryAtMs, error, nowMs, recordingId}, "retrying a processing job");
    }
    query.prepare(QStringLiteral(
        "UPDATE recording_jobs SET state = 'failed', claimed_until = NULL, claimed_by = NULL, "
        "last_error = ?, updated_at = ? WHERE recording_id = ?"));
    return exec(query, {error, nowMs, recordingId}, "failing a processing job");
}

Status RecordingRepository::jobDone(const QString &recordingId, qint64 nowMs)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE recording_jobs SET state = 'done', claimed_until = NULL, claimed_by = NULL, "
        "updated_at = ? WHERE recording_id = ?"));
    return exec(query, {nowMs, recordingId}, "finishing a processing job");
}

Status RecordingRepository::setProgress(const QString &id, int progress, const QDateTime &at)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("UPDATE recordings SET progress = ?, updated_at = ? WHERE id = ? "
                                 "AND state = 'processing'"));
    return exec(query, {std::clamp(progress, 0, 100), fromTime(at), id},
                "storing a recording's progress");
}

Status RecordingRepository::markCompleted(const QString &id, const QList<RecordingFile> &files,
                                          qint64 durationMs, const QDateTime &at)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "UPDATE recordings SET state = 'completed', completed_at = ?, duration_ms = ?, "
        "progress = 100, version = version + 1, updated_at = ? WHERE id = ? "
        "AND state = 'processing'"));
    if (const Status ok
        = exec(query, {fromTime(at), durationMs, fromTime(at), id}, "completing a recording");
        !ok)
        return ok;
    if (const Status changed
        = changedOne(query, QStringLiteral("The recording is not processing."));
        !changed)
        return changed;

    for (const RecordingFile &f : files) {
        QSqlQuery insert(m_db);
        insert.prepare(QStringLiteral("INSERT INTO recording_files (%1) VALUES (?, ?, ?, ?, ?, ?, "
                                      "?, ?, ?)")
                           .arg(kFileColumns));
        if (const Status ok = exec(insert,
                                   {f.id, id, f.type, f.format, f.contentType, f.path, f.sizeBytes,
                                    f.durationMs, fromTime(f.createdAt)},
                                   "storing a recording's file");
            !ok)
            return ok;
    }
    return success();
}

Result<QList<RecordingFile>> RecordingRepository::filesOf(const QString &recordingId)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    // video, audio, timeline: the order the files are listed in everywhere.
    query.prepare(QStringLiteral("SELECT %1 FROM recording_files WHERE recording_id = ? ORDER BY "
                                 "CASE type WHEN 'video' THEN 0 WHEN 'audio' THEN 1 ELSE 2 END, id")
                      .arg(kFileColumns));
    if (const Status ok = exec(query, {recordingId}, "reading a recording's files"); !ok)
        return ok.error();
    QList<RecordingFile> files;
    while (query.next())
        files << readFile(query);
    return files;
}

Result<std::optional<Recording>> RecordingRepository::byId(const QString &id, bool withFiles)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM recordings WHERE id = ?").arg(kColumns));
    if (const Status ok = exec(query, {id}, "reading a recording"); !ok)
        return ok.error();
    if (!query.next())
        return std::optional<Recording>();
    Recording recording = readRecording(query);
    if (withFiles) {
        auto files = filesOf(id);
        if (!files)
            return files.error();
        recording.files = *files;
    }
    return std::optional<Recording>(recording);
}

Result<Page<Recording>> RecordingRepository::listForMeeting(const QString &meetingId,
                                                            const PageRequest &page)
{
    auto result = fetchPage<Recording>(
        m_db, QStringLiteral("SELECT %1 FROM recordings WHERE meeting_id = ?").arg(kColumns),
        {meetingId}, QStringLiteral("started_at"), false, page, readRecording,
        [](const Recording &r) { return r.startedAt.toMSecsSinceEpoch(); },
        "listing a meeting's recordings");
    if (!result)
        return result.error();
    for (Recording &recording : result->items) {
        auto files = filesOf(recording.id);
        if (!files)
            return files.error();
        recording.files = *files;
    }
    return result;
}

Result<std::optional<RecordingFile>> RecordingRepository::file(const QString &recordingId,
                                                               const QString &fileId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM recording_files WHERE id = ? AND recording_id = ?")
                      .arg(kFileColumns));
    if (const Status ok = exec(query, {fileId, recordingId}, "reading a recording's file"); !ok)
        return ok.error();
    if (!query.next())
        return std::optional<RecordingFile>();
    return std::optional<RecordingFile>(readFile(query));
}

Status RecordingRepository::remove(const QString &id)
{
    for (const QString &table :
         {QStringLiteral("recording_files"), QStringLiteral("recording_timeline"),
          QStringLiteral("recording_jobs")}) {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("DELETE FROM %1 WHERE recording_id = ?").arg(table));
        if (const Status ok = exec(query, {id}, "deleting a recording's rows"); !ok)
            return ok;
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM recordings WHERE id = ?"));
    if (const Status ok = exec(query, {id}, "deleting a recording"); !ok)
        return ok;
    return changedOne(query, QStringLiteral("No such recording."));
}

Result<QList<Recording>> RecordingRepository::startedBefore(const QDateTime &cutoff, int limit)
{
    QSqlQuery query(m_db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT %1 FROM recordings WHERE started_at < ? AND state <> "
                                 "'recording' ORDER BY started_at, id LIMIT ?")
                      .arg(kColumns));
    if (const Status ok = exec(query, {fromTime(cutoff), limit}, "reading old recordings"); !ok)
        return ok.error();
    QList<Recording> list;
    while (query.next())
        list << readRecording(query);
    return list;
}

} // namespace quorum
