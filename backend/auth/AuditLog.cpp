#include "AuditLog.h"

#include "core/Clock.h"
#include "core/Ids.h"
#include "store/Database.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAudit, "quorum.audit")

namespace quorum {

void AuditLog::complete(AuditEntry &entry) const
{
    if (entry.id.isEmpty())
        entry.id = ids::generate(u"aud");
    if (!entry.occurredAt.isValid())
        entry.occurredAt = m_clock.now();
    qCInfo(lcAudit).noquote() << entry.action << "workspace" << entry.workspaceId << "actor"
                              << entry.actorId << "meeting" << entry.meetingId << "target"
                              << entry.targetId;
}

void AuditLog::record(AuditEntry entry)
{
    complete(entry);
    Database::WriteTransaction transaction(m_database);
    if (AuditRepository(transaction.db()).append(entry).ok())
        (void)transaction.commit();
}

void AuditLog::record(AuditEntry entry, QSqlDatabase db)
{
    complete(entry);
    (void)AuditRepository(db).append(entry);
}

} // namespace quorum
