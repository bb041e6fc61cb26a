#include "ParticipantRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

namespace {

const auto kColumns = QStringLiteral(
    "id, meeting_id, workspace_id, user_id, guest_id, display_name, role, state, audio_muted, "
    "video_muted, mute_acknowledged, joined_at, admitted_at, left_at, leave_reason, jti, "
    "client_address, node");

std::optional<LeaveReason> leaveReasonFromName(const QString &name)
{
    for (LeaveReason reason : {LeaveReason::Left, LeaveReason::Removed, LeaveReason::Timeout,
                               LeaveReason::MeetingEnded, LeaveReason::NodeLost}) {
        if (name == leaveReasonName(reason))
            return reason;
    }
    return std::nullopt;
}

Participant readParticipant(const QSqlQuery &query)
{
    Participant p;
    p.id = query.value(0).toString();
    p.meetingId = query.value(1).toString();
    p.workspaceId = query.value(2).toString();
    p.userId = query.value(3).toString();
    p.guestId = query.value(4).toString();
    p.displayName = query.value(5).toString();
    p.role = participantRoleFromName(query.value(6).toString()).value_or(ParticipantRole::Attendee);
    p.state = participantStateFromName(query.value(7).toString()).value_or(ParticipantState::Left);
    p.audioMuted = query.value(8).toInt() != 0;
    p.videoMuted = query.value(9).toInt() != 0;
    p.muteAcknowledged = query.value(10).toInt() != 0;
    p.joinedAt = toTime(query.value(11));
    p.admittedAt = toTime(query.value(12));
    p.leftAt = toTime(query.value(13));
    if (!query.value(14).isNull())
        p.leaveReason = leaveReasonFromName(query.value(14).toString());
    p.jti = query.value(15).toString();
    p.clientAddress = query.value(16).toString();
    p.node = query.value(17).toString();
    return p;
}

QVariant reasonValue(const Participant &p)
{
    return p.leaveReason ? QVariant(leaveReasonName(*p.leaveReason))
                         : QVariant(QMetaType::fromType<QString>());
}

} // namespace

Status ParticipantRepository::insert(const Participant &p)
{
    CachedStatement query(m_db,
                          QStringLiteral("INSERT INTO participants (%1) VALUES (?, ?, ?, ?, ?, ?, "
                                         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                              .arg(kColumns));
    const QVariantList values{p.id,
                              p.meetingId,
                              p.workspaceId,
                              fromText(p.userId.isEmpty() ? QString() : p.userId),
                              fromText(p.guestId.isEmpty() ? QString() : p.guestId),
                              p.displayName,
                              participantRoleName(p.role),
                              participantStateName(p.state),
                              int(p.audioMuted),
                              int(p.videoMuted),
                              int(p.muteAcknowledged),
                              fromTime(p.joinedAt),
                              fromTime(p.admittedAt),
                              fromTime(p.leftAt),
                              reasonValue(p),
                              p.jti,
                              p.clientAddress,
                              p.node};
    for (int i = 0; i < values.size(); ++i)
        query->bindValue(i, values.at(i));
    if (!query->exec())
        return sqlError(*query, "inserting a participant");
    return success();
}

Status ParticipantRepository::update(const Participant &p)
{
    CachedStatement query(
        m_db,
        QStringLiteral("UPDATE participants SET role = ?, state = ?, audio_muted = ?, "
                       "video_muted = ?, mute_acknowledged = ?, admitted_at = ?, "
                       "left_at = ?, leave_reason = ? WHERE id = ?"));
    const QVariantList values{participantRoleName(p.role),
                              participantStateName(p.state),
                              int(p.audioMuted),
                              int(p.videoMuted),
                              int(p.muteAcknowledged),
                              fromTime(p.admittedAt),
                              fromTime(p.leftAt),
                              reasonValue(p),
                              p.id};
    for (int i = 0; i < values.size(); ++i)
        query->bindValue(i, values.at(i));
    if (!query->exec())
        return sqlError(*query, "updating a participant");
    return success();
}

std::optional<Participant> ParticipantRepository::byId(const QString &id)
{
    CachedStatement query(m_db,
                          QStringLiteral("SELECT %1 FROM participants WHERE id = ?").arg(kColumns));
    query->bindValue(0, id);
    if (!query->exec() || !query->next())
        return std::nullopt;
    return readParticipant(*query);
}

Result<Page<Participant>> ParticipantRepository::list(const QString &meetingId,
                                                      std::optional<ParticipantState> state,
                                                      const PageRequest &page)
{
    QString sql = QStringLiteral("SELECT %1 FROM participants WHERE meeting_id = ?").arg(kColumns);
    QVariantList values{meetingId};
    if (state) {
        sql += QStringLiteral(" AND state = ?");
        values << participantStateName(*state);
    }
    return fetchPage<Participant>(
        m_db, sql, values, QStringLiteral("joined_at"), false, page, readParticipant,
        [](const Participant &p) { return p.joinedAt.toMSecsSinceEpoch(); },
        "listing participants");
}

Result<QList<Participant>> ParticipantRepository::active(const QString &meetingId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM participants WHERE meeting_id = ? AND state <> ? "
                                 "ORDER BY joined_at, id")
                      .arg(kColumns));
    query.addBindValue(meetingId);
    query.addBindValue(participantStateName(ParticipantState::Left));
    if (!query.exec())
        return sqlError(query, "reading the active participants");
    QList<Participant> participants;
    while (query.next())
        participants << readParticipant(query);
    return participants;
}

Result<bool> ParticipantRepository::redeemJti(const QString &jti, const QString &meetingId,
                                              qint64 expiresAtMs)
{
    CachedStatement query(m_db,
                          QStringLiteral("INSERT INTO redeemed_join_tokens (jti, meeting_id, "
                                         "expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    query->bindValue(0, jti);
    query->bindValue(1, meetingId);
    query->bindValue(2, expiresAtMs);
    if (!query->exec())
        return sqlError(*query, "redeeming a join token");
    return query->numRowsAffected() == 1;
}

Status ParticipantRepository::purgeRedeemed(qint64 nowMs)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM redeemed_join_tokens WHERE expires_at < ?"));
    query.addBindValue(nowMs);
    if (!query.exec())
        return sqlError(query, "purging redeemed join tokens");
    return success();
}

Status ParticipantRepository::ban(const QString &meetingId, const QString &subject, qint64 nowMs)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT INTO meeting_bans (meeting_id, subject, created_at) "
                                 "VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    query.addBindValue(meetingId);
    query.addBindValue(subject);
    query.addBindValue(nowMs);
    if (!query.exec())
        return sqlError(query, "barring a participant");
    return success();
}

} // namespace quorum
