#pragma once

#include "Keyset.h"
#include "core/Participant.h"
#include "core/Result.h"

#include <QSqlDatabase>

#include <optional>

namespace quorum {

// Participants as stored: one row per join, kept after they leave so that the list, the
// events and the audit can be answered later.
class ParticipantRepository final
{
public:
    explicit ParticipantRepository(QSqlDatabase db)
        : m_db(std::move(db))
    { }

    Status insert(const Participant &participant);
    // Stores every changeable field (role, state, media flags, times, leave reason).
    Status update(const Participant &participant);
    std::optional<Participant> byId(const QString &id);
    // One page ordered by (joined_at, id); `state` empty for every state.
    Result<Page<Participant>> list(const QString &meetingId, std::optional<ParticipantState> state,
                                   const PageRequest &page);
    // Everyone not yet left, in joined order (the live room's roster after a restart).
    Result<QList<Participant>> active(const QString &meetingId);

    // Records that a join token was redeemed. False (and no error) when it already was.
    Result<bool> redeemJti(const QString &jti, const QString &meetingId, qint64 expiresAtMs);
    // Forgets redeemed tokens that expired before `nowMs`: they cannot be presented again.
    Status purgeRedeemed(qint64 nowMs);

    // Bars a subject (user id, guest id, "addr:<ip>") from the meeting; a repeat is no error.
    Status ban(const QString &meetingId, const QString &subject, qint64 nowMs);

private:
    QSqlDatabase m_db;
};

} // namespace quorum
