#pragma once

#include "store/AuditRepository.h"

namespace quorum {

class Clock;
class Database;

// Writes security events to the audit log table and to the log category quorum.audit.
class AuditLog final
{
public:
    AuditLog(Database &database, const Clock &clock)
        : m_database(database)
        , m_clock(clock)
    { }

    // Appends inside the caller's transaction when `db` is given, else in one of its own.
    void record(AuditEntry entry);
    void record(AuditEntry entry, QSqlDatabase db);

private:
    void complete(AuditEntry &entry) const;

    Database &m_database;
    const Clock &m_clock;
};

} // namespace quorum
