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
    QStringList parts{entry.action};
    const QList<QPair<const char *, QString>> fields{
        {"workspace", entry.workspaceId}, {"actor", entry.actorId},
        {"user", entry.subjectUserId},    {"meeting", entry.meetingId},
        {"target", entry.targetId},       {"client", entry.clientAddress}};
    for (const auto &[name, value] : fields) {
        if (!value.isEmpty())
            parts << QString::fromLatin1(name) + u'=' + value;
    }
    qCInfo(lcAudit).noquote() << parts.join(u' ');
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
