#pragma once

#include "Keyset.h"
#include "core/Result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QSqlDatabase>

namespace quorum {

// A security event a host or admin can read: passcode lockouts and surges, token creation
// and revocation, key rotations.
struct AuditEntry
{
    QString id;
    QString workspaceId; // empty: the whole server (key rotation)
    QDateTime occurredAt;
    QString action; // "token.created", "passcode.lockout", ...
    QString actorId; // the user or token that acted, when known
    QString subjectUserId; // the user the entry is about
    QString meetingId;
    QString targetId;
    QString clientAddress;
    QJsonObject detail;
};

struct AuditVisibility
{
    QString workspaceId;
    bool wholeWorkspace = false; // admins and owners
    QString userId; // members: entries about themselves and their meetings
};

class AuditRepository final
{
public:
    explicit AuditRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status append(const AuditEntry &entry);
    // Newest first.
    Result<Page<AuditEntry>> list(const AuditVisibility &visibility, const PageRequest &page);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
