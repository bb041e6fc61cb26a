#pragma once

#include "Keyset.h"
#include "core/Meeting.h"
#include "core/Result.h"

#include <QSqlDatabase>

#include <optional>

namespace quorum::crypto {
class SecretBox;
}

namespace quorum {

struct MeetingFilter
{
    QString workspaceId;
    QString hostId; // empty: any host
    QString visibleToUserId; // set: only meetings this user hosts or co-hosts
    QList<MeetingState> states; // empty: any state
    QDateTime from; // start_time >= from, when valid
    QDateTime to; // start_time < to, when valid
};

// Meetings as stored. The passcode is sealed under the master key, bound to the meeting id,
// and opened only when a meeting is read.
class MeetingRepository final
{
public:
    MeetingRepository(QSqlDatabase db, const crypto::SecretBox &box)
        : m_db(std::move(db))
        , m_box(box)
    { }

    Status insert(const Meeting &meeting);
    std::optional<Meeting> byId(const QString &id);
    // Stores every field of `meeting` if the stored version is still `expectedVersion`.
    Status update(const Meeting &meeting, qint64 expectedVersion);
    Result<Page<Meeting>> list(const MeetingFilter &filter, const PageRequest &page);

    // Records the media node on the first issued token; returns the node the meeting has.
    Result<QString> assignMediaNode(const QString &meetingId, const QString &node);
    bool isCohost(const QString &meetingId, const QString &userId);
    // Makes a user a co-host of the meeting, or no longer one; repeats are no error.
    Status setCohost(const QString &meetingId, const QString &userId, bool cohost);
    // Every subject barred from the meeting (user ids, guest ids, "addr:" client addresses).
    QSet<QString> bannedSubjects(const QString &meetingId);

private:
    Meeting readMeeting(const class QSqlQuery &query) const;

    QSqlDatabase m_db;
    const crypto::SecretBox &m_box;
};

} // namespace quorum
