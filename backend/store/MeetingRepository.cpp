#include "MeetingRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"
#include "crypto/SecretBox.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, workspace_id, host_id, topic, start_time, timezone, duration_minutes, passcode_sealed, "
    "waiting_room, auto_recording, mute_upon_entry, allow_join_before_host, state, version, "
    "created_at, updated_at, started_at, ended_at, media_node");

QByteArray passcodeContext(const QString &meetingId)
{
    return "meeting-passcode:" + meetingId.toUtf8();
}

} // namespace

Meeting MeetingRepository::readMeeting(const QSqlQuery &query) const
{
    Meeting m;
    m.id = query.value(0).toString();
    m.workspaceId = query.value(1).toString();
    m.hostId = query.value(2).toString();
    m.topic = query.value(3).toString();
    m.startTime = toTime(query.value(4));
    m.timeZone = query.value(5).toString();
    m.durationMinutes = query.value(6).toInt();
    if (!query.value(7).isNull()) {
        const auto sealed = QByteArray::fromBase64(query.value(7).toString().toLatin1());
        if (const auto plain = m_box.open(sealed, passcodeContext(m.id)))
            m.passcode = QString::fromUtf8(*plain);
    }
    m.waitingRoom = query.value(8).toInt() != 0;
    m.settings.autoRecording
        = autoRecordingFromName(query.value(9).toString()).value_or(AutoRecording::None);
    m.settings.muteUponEntry = query.value(10).toInt() != 0;
    m.settings.allowJoinBeforeHost = query.value(11).toInt() != 0;
    m.state = meetingStateFromName(query.value(12).toString()).value_or(MeetingState::Scheduled);
    m.version = query.value(13).toLongLong();
    m.createdAt = toTime(query.value(14));
    m.updatedAt = toTime(query.value(15));
    m.startedAt = toTime(query.value(16));
    m.endedAt = toTime(query.value(17));
    m.mediaNode = query.value(18).toString();
    return m;
}

// Binds the stored fields from `first` on; statements are cached, so binds are by index.
static int bindMeetingFields(QSqlQuery &query, int first, const Meeting &m,
                             const QVariant &sealedPasscode)
{
    int index = first;
    query.bindValue(index++, m.workspaceId);
    query.bindValue(index++, m.hostId);
    query.bindValue(index++, m.topic);
    query.bindValue(index++, fromTime(m.startTime));
    query.bindValue(index++, m.timeZone);
    query.bindValue(index++, m.durationMinutes);
    query.bindValue(index++, sealedPasscode);
    query.bindValue(index++, m.waitingRoom ? 1 : 0);
    query.bindValue(index++, autoRecordingName(m.settings.autoRecording));
    query.bindValue(index++, m.settings.muteUponEntry ? 1 : 0);
    query.bindValue(index++, m.settings.allowJoinBeforeHost ? 1 : 0);
    query.bindValue(index++, meetingStateName(m.state));
    query.bindValue(index++, m.version);
    query.bindValue(index++, fromTime(m.createdAt));
    query.bindValue(index++, fromTime(m.updatedAt));
    query.bindValue(index++, fromTime(m.startedAt));
    query.bindValue(index++, fromTime(m.endedAt));
    query.bindValue(index++, fromText(m.mediaNode.isEmpty() ? QString() : m.mediaNode));
    return index;
}

Status MeetingRepository::insert(const Meeting &meeting)
{
    QVariant sealed(QMetaType::fromType<QString>());
    if (meeting.passcode)
        sealed = QString::fromLatin1(
            m_box.seal(meeting.passcode->toUtf8(), passcodeContext(meeting.id)).toBase64());

    static const QString sql = QStringLiteral("INSERT INTO meetings (%1) VALUES (?, ?, ?, ?, ?, ?, "
                                              "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                                   .arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, meeting.id);
    bindMeetingFields(*query, 1, meeting, sealed);
    if (!query->exec())
        return sqlError(*query, "inserting a meeting");
    return success();
}

std::optional<Meeting> MeetingRepository::byId(const QString &id)
{
    static const QString sql = QStringLiteral("SELECT %1 FROM meetings WHERE id = ?").arg(kColumns);
    CachedStatement query(m_db, sql);
    query->bindValue(0, id);
    if (!query->exec() || !query->next())
        return std::nullopt;
    return readMeeting(*query);
}

Status MeetingRepository::update(const Meeting &meeting, qint64 expectedVersion)
{
    QVariant sealed(QMetaType::fromType<QString>());
    if (meeting.passcode)
        sealed = QString::fromLatin1(
            m_box.seal(meeting.passcode->toUtf8(), passcodeContext(meeting.id)).toBase64());

    CachedStatement query(
        m_db,
        QStringLiteral(
            "UPDATE meetings SET workspace_id = ?, host_id = ?, topic = ?, start_time = ?, "
            "timezone = ?, duration_minutes = ?, passcode_sealed = ?, waiting_room = ?, "
            "auto_recording = ?, mute_upon_entry = ?, allow_join_before_host = ?, state = ?, "
            "version = ?, created_at = ?, updated_at = ?, started_at = ?, ended_at = ?, "
            "media_node = ? WHERE id = ? AND version = ?"));
    const int next = bindMeetingFields(*query, 0, meeting, sealed);
    query->bindValue(next, meeting.id);
    query->bindValue(next + 1, expectedVersion);
    if (!query->exec())
        return sqlError(*query, "updating a meeting");
    if (query->numRowsAffected() != 1)
        return Error{ErrorCode::PreconditionFailed,
                     QStringLiteral("The meeting changed since it was read.")};
    return success();
}

Result<Page<Meeting>> MeetingRepository::list(const MeetingFilter &filter, const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT %1 FROM meetings WHERE workspace_id = ?").arg(kColumns);
    QVariantList values{filter.workspaceId};
    if (!filter.hostId.isEmpty()) {
        sql += QStringLiteral(" AND host_id = ?");
        values << filter.hostId;
    }
    if (!filter.visibleToUserId.isEmpty()) {
        sql += QStringLiteral(" AND (host_id = ? OR id IN (SELECT meeting_id FROM meeting_cohosts "
                              "WHERE user_id = ?))");
        values << filter.visibleToUserId << filter.visibleToUserId;
    }
    if (!filter.states.isEmpty()) {
        QStringList marks;
        for (MeetingState state : filter.states) {
            marks << QStringLiteral("?");
            values << meetingStateName(state);
        }
        sql += QStringLiteral(" AND state IN (%1)").arg(marks.join(u", "));
    }
    if (filter.from.isValid()) {
        sql += QStringLiteral(" AND start_time >= ?");
        values << filter.from.toMSecsSinceEpoch();
    }
    if (filter.to.isValid()) {
        sql += QStringLiteral(" AND start_time < ?");
        values << filter.to.toMSecsSinceEpoch();
    }
    return fetchPage<Meeting>(
        m_db, sql, values, QStringLiteral("start_time"), false, page,
        [this](const QSqlQuery &query) { return readMeeting(query); },
        [](const Meeting &meeting) { return meeting.startTime.toMSecsSinceEpoch(); },
        "listing meetings");
}

Result<QString> MeetingRepository::assignMediaNode(const QString &meetingId, const QString &node)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("UPDATE meetings SET media_node = ? WHERE id = ? AND media_node IS NULL"));
    query.addBindValue(node);
    query.addBindValue(meetingId);
    if (!query.exec())
        return sqlError(query, "assigning a media node");

    query.prepare(QStringLiteral("SELECT media_node FROM meetings WHERE id = ?"));
    query.addBindValue(meetingId);
    if (!query.exec() || !query.next())
        return Error{ErrorCode::NotFound, QStringLiteral("No such meeting.")};
    return query.value(0).toString();
}

bool MeetingRepository::isCohost(const QString &meetingId, const QString &userId)
{
    CachedStatement query(
        m_db, QStringLiteral("SELECT 1 FROM meeting_cohosts WHERE meeting_id = ? AND user_id = ?"));
    query->bindValue(0, meetingId);
    query->bindValue(1, userId);
    return query->exec() && query->next();
}

Status MeetingRepository::setCohost(const QString &meetingId, const QString &userId, bool cohost)
{
    QSqlQuery query(m_db);
    query.prepare(cohost ? QStringLiteral("INSERT INTO meeting_cohosts (meeting_id, user_id) "
                                          "VALUES (?, ?) ON CONFLICT DO NOTHING")
                         : QStringLiteral("DELETE FROM meeting_cohosts WHERE meeting_id = ? AND "
                                          "user_id = ?"));
    query.addBindValue(meetingId);
    query.addBindValue(userId);
    if (!query.exec())
        return sqlError(query, "changing a co-host");
    return success();
}

QSet<QString> MeetingRepository::bannedSubjects(const QString &meetingId)
{
    CachedStatement query(m_db,
                          QStringLiteral("SELECT subject FROM meeting_bans WHERE meeting_id = ?"));
    query->bindValue(0, meetingId);
    QSet<QString> subjects;
    if (query->exec()) {
        while (query->next())
            subjects.insert(query->value(0).toString());
    }
    return subjects;
}

} // namespace quorum
