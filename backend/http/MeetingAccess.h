#pragma once

#include "ApiRequest.h"
#include "ApiResponse.h"
#include "core/Result.h"
#include "server/MeetingService.h"
#include "signalling/SignalHub.h"

#include <functional>

namespace quorum {

struct Services;

// The permission checks of the routes under a meeting (DESIGN.md *Permissions*), shared by the
// participant and recording handlers.
namespace handlers {

struct MeetingAccess
{
    MeetingView view;
    bool mayAct = false; // host, co-host, or an admin of the workspace
};

// The meeting `meetingId`, if the caller may read it (404 otherwise, as for a missing one).
Result<MeetingAccess> meetingFor(const ApiRequest &request, Services &services,
                                 const QString &meetingId);
// The same for the route's {id}.
Result<MeetingAccess> meetingFor(const ApiRequest &request, Services &services);
// The route's meeting, if the caller may take host actions in it: 404 if it may not even read
// it, 403 if it may read but not act.
Result<MeetingAccess> meetingToActOn(const ApiRequest &request, Services &services);
// 409 meeting_not_live unless the meeting is LIVE.
Status requireLive(const Meeting &meeting);

// Hands a host action to the signalling hub and answers once it is done (in this thread).
ApiResponse actLater(Services &services, HostAction action,
                     std::function<ApiResponse(const HostActionOutcome &)> answer);

} // namespace handlers

} // namespace quorum
