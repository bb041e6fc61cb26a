#include "MeetingAccess.h"

#include "HandlerSupport.h"
#include "server/Services.h"
#include "signalling/SignalEndpoint.h"
#include "store/Database.h"
#include "store/MeetingRepository.h"

using namespace Qt::StringLiterals;

namespace quorum::handlers {

Result<MeetingAccess> meetingFor(const ApiRequest &request, Services &services,
                                 const QString &meetingId)
{
    auto view = services.meetings.get(*request.credential, meetingId);
    if (!view)
        return view.error();

    MeetingAccess access{*view, view->mayChange};
    if (!access.mayAct)
        access.mayAct = MeetingRepository(services.database.connection(), services.box)
                            .isCohost(view->meeting.id, request.credential->userId);
    return access;
}

Result<MeetingAccess> meetingFor(const ApiRequest &request, Services &services)
{
    return meetingFor(request, services, request.param(u"id"_s));
}

Result<MeetingAccess> meetingToActOn(const ApiRequest &request, Services &services)
{
    auto access = meetingFor(request, services);
    if (access && !access->mayAct)
        return Error{ErrorCode::Forbidden,
                     u"Only the host, co-hosts and workspace admins may do this."_s};
    return access;
}

Status requireLive(const Meeting &meeting)
{
    if (meeting.state != MeetingState::Live)
        return Error{ErrorCode::MeetingNotLive,
                     u"The meeting is %1, not LIVE."_s.arg(meetingStateName(meeting.state))};
    return success();
}

ApiResponse actLater(Services &services, HostAction action,
                     std::function<ApiResponse(const HostActionOutcome &)> answer)
{
    SignalEndpoint *endpoint = SignalEndpoint::forCurrentThread();
    if (!endpoint)
        return fromError({ErrorCode::Unavailable, u"Live meetings are not served here."_s});

    return ApiResponse::later([&services, action = std::move(action), endpoint,
                               answer = std::move(answer)](ApiResponse::Completion done) {
        services.hub.act(action, endpoint, [done, answer](Result<HostActionOutcome> outcome) {
            done(outcome ? answer(*outcome) : fromError(outcome.error()));
        });
    });
}

} // namespace quorum::handlers
