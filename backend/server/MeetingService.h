#pragma once

#include "auth/Credential.h"
#include "core/Meeting.h"
#include "core/MeetingPatch.h"
#include "core/Result.h"
#include "store/Database.h"
#include "store/Keyset.h"
#include "store/MeetingRepository.h"

#include <optional>

namespace quorum {

class Clock;
class Database;
class MeetingCache;
namespace crypto {
class SecretBox;
}

// A meeting as its caller may see it.
struct MeetingView
{
    Meeting meeting;
    bool mayChange = false; // the passcode is shown only then
};

// Scheduling, reading, changing, cancelling and listing meetings, with the permission rules
// applied to every object: a meeting the caller may not read is NotFound, like a missing one.
class MeetingService final
{
public:
    MeetingService(Database &database, const crypto::SecretBox &box, const Clock &clock,
                   MeetingCache &cache);

    Result<MeetingView> create(const Credential &caller, Meeting draft);
    Result<MeetingView> get(const Credential &caller, const QString &id);
    Result<MeetingView> update(const Credential &caller, const QString &id,
                               const MeetingPatch &patch, std::optional<qint64> ifMatchVersion);
    Result<MeetingView> cancel(const Credential &caller, const QString &id,
                               std::optional<qint64> ifMatchVersion);
    Result<Page<MeetingView>> list(const Credential &caller, MeetingFilter filter,
                                   const PageRequest &page);

private:
    // Loads the meeting and checks that the caller may read it (NotFound) and, for writes,
    // change it (Forbidden for a co-host, NotFound for anyone else).
    // Reads for a change come from the database inside the change's transaction; other
    // reads may come from the cache.
    Result<MeetingView> load(QSqlDatabase db, const Credential &caller, const QString &id,
                             bool forChange);

    // load() for a change, inside the change's transaction, with If-Match checked.
    Result<MeetingView> loadForChange(Database::WriteTransaction &transaction,
                                      const Credential &caller, const QString &id,
                                      std::optional<qint64> ifMatchVersion);
    // Writes a changed meeting (if still at previousVersion), commits, and drops its cache entry.
    Status store(Database::WriteTransaction &transaction, const Meeting &changed,
                 qint64 previousVersion);

    Database &m_database;
    const crypto::SecretBox &m_box;
    const Clock &m_clock;
    MeetingCache &m_cache;
};

} // namespace quorum
