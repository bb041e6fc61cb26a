#include "AuditRepository.h"

#include "Database.h"
#include "PageQuery.h"
#include "SqlValues.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace quorum {

using namespace sqlvalues;

Status AuditRepository::append(const AuditEntry &entry)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("INSERT INTO audit_log (id, workspace_id, occurred_at, action, actor_id, "
                       "subject_user_id, meeting_id, target_id, client_address, detail) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(entry.id);
    query.addBindValue(fromText(entry.workspaceId.isEmpty() ? QString() : entry.workspaceId));
    query.addBindValue(fromTime(entry.occurredAt));
    query.addBindValue(entry.action);
    query.addBindValue(fromText(entry.actorId.isEmpty() ? QString() : entry.actorId));
    query.addBindValue(fromText(entry.subjectUserId.isEmpty() ? QString() : entry.subjectUserId));
    query.addBindValue(fromText(entry.meetingId.isEmpty() ? QString() : entry.meetingId));
    query.addBindValue(fromText(entry.targetId.isEmpty() ? QString() : entry.targetId));
    query.addBindValue(fromText(entry.clientAddress.isEmpty() ? QString() : entry.clientAddress));
    query.addBindValue(
        QString::fromUtf8(QJsonDocument(entry.detail).toJson(QJsonDocument::Compact)));
    if (!query.exec())
        return sqlError(query, "appending to the audit log");
    return success();
}

static AuditEntry readEntry(const QSqlQuery &query)
{
    AuditEntry entry;
    entry.id = query.value(0).toString();
    entry.workspaceId = query.value(1).toString();
    entry.occurredAt = toTime(query.value(2));
    entry.action = query.value(3).toString();
    entry.actorId = query.value(4).toString();
    entry.subjectUserId = query.value(5).toString();
    entry.meetingId = query.value(6).toString();
    entry.targetId = query.value(7).toString();
    entry.clientAddress = query.value(8).toString();
    entry.detail = QJsonDocument::fromJson(query.value(9).toString().toUtf8()).object();
    return entry;
}

Result<Page<AuditEntry>> AuditRepository::list(const AuditVisibility &visibility,
                                               const PageRequest &page)
{
    QString sql = QStringLiteral(
        "SELECT id, workspace_id, occurred_at, action, actor_id, subject_user_id, meeting_id, "
        "target_id, client_address, detail FROM audit_log WHERE ");
    QVariantList values;
    if (visibility.wholeWorkspace) {
        sql += QStringLiteral("(workspace_id = ? OR workspace_id IS NULL)");
        values << visibility.workspaceId;
    } else {
        sql += QStringLiteral(
            "workspace_id = ? AND (actor_id = ? OR subject_user_id = ? OR meeting_id IN "
            "(SELECT id FROM meetings WHERE host_id = ?))");
        values << visibility.workspaceId << visibility.userId << visibility.userId
               << visibility.userId;
    }
    return fetchPage<AuditEntry>(
        m_db, sql, values, QStringLiteral("occurred_at"), true, page, readEntry,
        [](const AuditEntry &entry) { return entry.occurredAt.toMSecsSinceEpoch(); },
        "listing the audit log");
}

} // namespace quorum
