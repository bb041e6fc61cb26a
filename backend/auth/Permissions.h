#pragma once

#include "Credential.h"
#include "core/Meeting.h"

namespace quorum::permissions {

// DESIGN.md *Permissions*. Nothing crosses workspaces; admins and owners may do anything in
// theirs; members read and change the meetings they host; co-hosts read them.
inline bool sameWorkspace(const Credential &caller, const QString &workspaceId)
{
    return caller.workspaceId == workspaceId;
}

inline bool mayChangeMeeting(const Credential &caller, const Meeting &meeting)
{
    if (!sameWorkspace(caller, meeting.workspaceId))
        return false;
    return caller.isAdmin() || meeting.hostId == caller.userId;
}

inline bool mayReadMeeting(const Credential &caller, const Meeting &meeting, bool isCohost)
{
    return mayChangeMeeting(caller, meeting)
        || (sameWorkspace(caller, meeting.workspaceId) && isCohost);
}

} // namespace quorum::permissions
