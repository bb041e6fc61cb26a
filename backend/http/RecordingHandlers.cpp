#include "RecordingHandlers.h"

#include "HandlerSupport.h"
#include "MeetingAccess.h"
#include "RecordingJson.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "core/Clock.h"
#include "server/RecordingService.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "store/Database.h"
#include "store/RecordingRepository.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

QJsonObject recordingObject(const Recording &recording, const Services &services)
{
    return recordingjson::toJson(recording, services.fileUrls, services.settings.publicUrl,
                                 services.clock.now(), services.settings.recordingUrlTtlSeconds);
}

// What recordings:start and :stop answer: 202, the recording's id and state (and why it failed,
// when it failed at once), and where to follow it.
ApiResponse accepted(const HostActionOutcome &outcome)
{
    if (!outcome.recording)
        return fromError({ErrorCode::Internal, u"The hub did not say which recording."_s});
    const Recording &recording = *outcome.recording;
    QJsonObject body{{u"recording_id"_s, recording.id},
                     {u"state"_s, recordingStateName(recording.state)}};
    if (recording.state == RecordingState::Failed) {
        body.insert(u"error_code"_s, recording.errorCode);
        body.insert(u"error_message"_s, recording.errorMessage);
    }
    return ApiResponse::json(202, body).withHeader("Location",
                                                   "/v1/recordings/" + recording.id.toLatin1());
}

ApiResponse recordingAction(ApiRequest &request, Services &services, HostAction::Kind kind)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto access = meetingToActOn(request, services);
    if (!access)
        return fromError(access.error());
    if (const Status live = requireLive(access->view.meeting); !live)
        return fromError(live.error());

    HostAction action;
    action.kind = kind;
    action.meetingId = access->view.meeting.id;
    action.actorUserId = request.credential->userId;
    return actLater(services, action, accepted);
}

// POST /v1/meetings/{id}/recordings:start
ApiResponse startRecording(ApiRequest &request, Services &services)
{
    return recordingAction(request, services, HostAction::Kind::StartRecording);
}

// POST /v1/meetings/{id}/recordings:stop
ApiResponse stopRecording(ApiRequest &request, Services &services)
{
    return recordingAction(request, services, HostAction::Kind::StopRecording);
}

// GET /v1/meetings/{id}/recordings
ApiResponse listRecordings(ApiRequest &request, Services &services)
{
    if (const Status known = requireKnownQueryParameters(request); !known)
        return fromError(known.error());
    auto access = meetingFor(request, services);
    if (!access)
        return fromError(access.error());

    const QString scope = u"recordings|"_s + access->view.meeting.id;
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto recordings = RecordingRepository(services.database.connection())
                          .listForMeeting(access->view.meeting.id, *page);
    if (!recordings)
        return fromError(recordings.error());

    QJsonArray items;
    for (const Recording &recording : std::as_const(recordings->items))
        items.append(recordingObject(recording, services));
    return ApiResponse::json(
        200,
        {{u"recordings"_s, items},
         {u"next_cursor"_s, nextCursor(recordings->next, services.cursors, scope)}});
}

// The route's recording with the caller's rights on its meeting; 404 for one the caller may
// not read, exactly as for a missing one.
struct RecordingAccess
{
    Recording recording;
    MeetingAccess meeting;
};

Result<RecordingAccess> recordingFor(const ApiRequest &request, Services &services)
{
    auto recording
        = RecordingRepository(services.database.connection()).byId(request.param(u"id"_s), true);
    if (!recording)
        return recording.error();
    if (!*recording)
        return Error{ErrorCode::NotFound, u"No recording with this id."_s};
    auto meeting = meetingFor(request, services, (*recording)->meetingId);
    if (!meeting)
        return Error{ErrorCode::NotFound, u"No recording with this id."_s};
    return RecordingAccess{**recording, *meeting};
}

// GET /v1/recordings/{id}
ApiResponse getRecording(ApiRequest &request, Services &services)
{
    auto access = recordingFor(request, services);
    if (!access)
        return fromError(access.error());
    return ApiResponse::json(200, recordingObject(access->recording, services))
        .withHeader("ETag", recordingjson::etag(access->recording));
}

// DELETE /v1/recordings/{id}
ApiResponse deleteRecording(ApiRequest &request, Services &services)
{
    auto access = recordingFor(request, services);
    if (!access)
        return fromError(access.error());
    // Deleting is the meeting's owner's call, not a live host action: co-hosts may not.
    if (!access->meeting.view.mayChange)
        return fromError({ErrorCode::Forbidden,
                          u"Only the meeting's host and workspace admins may delete its "
                          "recordings."_s});
    if (const Status removed = services.recordings.remove(
            access->recording, request.credential->userId, ifMatchVersion(request));
        !removed)
        return fromError(removed.error());
    return ApiResponse::noContent();
}

} // namespace

void RecordingHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    const QString recordings = u"/v1/meetings/{id}/recordings"_s;
    router.add({"POST", recordings + u":start"_s, AuthMode::Bearer, scopes::RecordingWrite, false,
                bind(startRecording)});
    router.add({"POST", recordings + u":stop"_s, AuthMode::Bearer, scopes::RecordingWrite, false,
                bind(stopRecording)});
    router.add(
        {"GET", recordings, AuthMode::Bearer, scopes::RecordingRead, false, bind(listRecordings)});
    router.add({"GET", u"/v1/recordings/{id}"_s, AuthMode::Bearer, scopes::RecordingRead, false,
                bind(getRecording)});
    router.add({"DELETE", u"/v1/recordings/{id}"_s, AuthMode::Bearer, scopes::RecordingWrite, false,
                bind(deleteRecording)});
}

} // namespace quorum
