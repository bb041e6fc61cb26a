#include "ParticipantHandlers.h"

#include "HandlerSupport.h"
#include "HeldResponder.h"
#include "JsonInput.h"
#include "MeetingAccess.h"
#include "MeetingJson.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "server/MeetingService.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "signalling/ParticipantJson.h"
#include "signalling/SignalEndpoint.h"
#include "signalling/SignalHub.h"
#include "store/Database.h"
#include "store/MeetingRepository.h"
#include "store/ParticipantRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace quorum {

using namespace handlers;

namespace {

// A comment line every so often keeps proxies from closing an idle event stream.
constexpr int kKeepAliveMs = 15000;

Result<Participant> participantOf(const ApiRequest &request, Services &services,
                                  const Meeting &meeting)
{
    auto participant
        = ParticipantRepository(services.database.connection()).byId(request.param(u"pid"_s));
    if (!participant || participant->meetingId != meeting.id)
        return Error{ErrorCode::NotFound, u"No participant with this id in the meeting."_s};
    return *participant;
}

// The checks of every host action, in order: the caller may act on the meeting (404, 403),
// the participant named by {pid} belongs to it when the route names one (404), and the meeting
// is LIVE (409).
Result<MeetingView> liveMeetingToActOn(const ApiRequest &request, Services &services,
                                       bool namesParticipant)
{
    auto access = meetingToActOn(request, services);
    if (!access)
        return access.error();
    if (namesParticipant) {
        if (auto participant = participantOf(request, services, access->view.meeting); !participant)
            return participant.error();
    }
    if (const Status live = requireLive(access->view.meeting); !live)
        return live.error();
    return access->view;
}

ApiResponse meetingJsonResponse(const MeetingView &view, const Services &services)
{
    return ApiResponse::json(200, meetingjson::toJson(view, services.settings.publicUrl))
        .withHeader("ETag", meetingjson::etag(view.meeting));
}

QJsonObject participantObject(const HostActionOutcome &outcome)
{
    return outcome.participant ? participantJson(*outcome.participant) : QJsonObject();
}

HostAction actionFor(HostAction::Kind kind, const ApiRequest &request, const Meeting &meeting)
{
    HostAction action;
    action.kind = kind;
    action.meetingId = meeting.id;
    action.participantId = request.param(u"pid"_s);
    action.actorUserId = request.credential->userId;
    return action;
}

// GET /v1/meetings/{id}/participants
ApiResponse listParticipants(ApiRequest &request, Services &services)
{
    if (const Status known = requireKnownQueryParameters(request, {u"state"_s}); !known)
        return fromError(known.error());
    std::optional<ParticipantState> state;
    if (request.query.hasQueryItem(u"state"_s)) {
        state = participantStateFromName(
            request.query.queryItemValue(u"state"_s, QUrl::FullyDecoded));
        if (!state)
            return fromError({ErrorCode::InvalidParameter,
                              u"state must be waiting, present or left."_s,
                              {{u"state"_s, u"must be waiting, present or left"_s}}});
    }

    auto access = meetingFor(request, services);
    if (!access)
        return fromError(access.error());

    // A cursor is bound to its meeting and filter: one from another list is invalid_cursor.
    const QString scope = u"participants|%1|%2"_s.arg(
        access->view.meeting.id, state ? participantStateName(*state) : QString());
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto participants = ParticipantRepository(services.database.connection())
                            .list(access->view.meeting.id, state, *page);
    if (!participants)
        return fromError(participants.error());

    QJsonArray items;
    for (const Participant &participant : std::as_const(participants->items))
        items.append(participantJson(participant));
    return ApiResponse::json(
        200,
        {{u"participants"_s, items},
         {u"next_cursor"_s, nextCursor(participants->next, services.cursors, scope)}});
}

QByteArray sseEvent(const QByteArray &type, const QJsonObject &data)
{
    return "event: " + type + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact)
        + "\n\n";
}

// One open event stream: its registration with the endpoint and the hub, and its keep-alive.
// Lives in the worker thread; ends once, when the client goes or the meeting ends.
struct EventStream
{
    Services &services;
    SignalEndpoint *endpoint = nullptr;
    std::shared_ptr<HeldResponder> held;
    quint64 id = 0;
    QTimer keepAlive;
    bool ended = false;

    EventStream(Services &services, SignalEndpoint *endpoint, std::shared_ptr<HeldResponder> held)
        : services(services)
        , endpoint(endpoint)
        , held(std::move(held))
    { }

    void end()
    {
        if (ended)
            return;

        ended = true;
        keepAlive.stop();
        services.hub.unwatch(SessionRef{endpoint, id});
        endpoint->removeStream(id);
        held->close();
    }
};

// GET /v1/meetings/{id}/participants/stream
ApiResponse streamParticipants(ApiRequest &request, Services &services)
{
    auto access = meetingFor(request, services);
    if (!access)
        return fromError(access.error());
    SignalEndpoint *endpoint = SignalEndpoint::forCurrentThread();
    if (!endpoint)
        return fromError({ErrorCode::Unavailable, u"Live meetings are not served here."_s});

    ApiResponse head = ApiResponse::text(200, "text/event-stream", {});
    const QString meetingId = access->view.meeting.id;
    head.stream = [&services, endpoint, meetingId](std::shared_ptr<HeldResponder> held) {
        if (!held->isOpen())
            return;

        auto stream = std::make_shared<EventStream>(services, endpoint, held);
        const std::weak_ptr<EventStream> weak = stream;
        stream->id = endpoint->addStream([weak](const Outgoing &frame) {
            const auto self = weak.lock();
            if (!self || self->ended)
                return;
            if (!frame.text.isEmpty()) {
                const QJsonObject object = QJsonDocument::fromJson(frame.text).object();
                self->held->writeChunk(
                    sseEvent(object.value(u"type"_s).toString().toUtf8(), object));
            }
            // The meeting ended: the stream ends too, once this delivery has returned.
            if (frame.closeCode != 0)
                QTimer::singleShot(0, self->endpoint, [self] { self->end(); });
        });
        // The endpoint's writer is the stream's owner until end() removes it.
        held->onClosed([stream] { stream->end(); });
        services.hub.watch(SessionRef{endpoint, stream->id}, meetingId);

        // The roster now; the hub's frames for this stream are delivered after it, in this
        // thread, so nothing that happens from here on is missed.
        auto active = ParticipantRepository(services.database.connection()).active(meetingId);
        QJsonArray participants;
        if (active) {
            for (const Participant &participant : std::as_const(*active))
                participants.append(participantJson(participant));
        }
        held->writeChunk(sseEvent(
            "snapshot", {{u"meeting_id"_s, meetingId}, {u"participants"_s, participants}}));

        stream->keepAlive.setInterval(kKeepAliveMs);
        QObject::connect(&stream->keepAlive, &QTimer::timeout, [weak] {
            if (const auto self = weak.lock())
                self->held->writeChunk(": keep-alive\n\n");
        });
        stream->keepAlive.start();
    };
    return head;
}

// POST /v1/meetings/{id}/participants/{pid}/mute
ApiResponse muteParticipant(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"muted"_s});
    const bool muted = input.boolean(u"muted"_s).value_or(true);
    if (!input.ok())
        return fromError(input.error());

    auto view = liveMeetingToActOn(request, services, true);
    if (!view)
        return fromError(view.error());

    HostAction action = actionFor(HostAction::Kind::Mute, request, view->meeting);
    action.muted = muted;
    action.waitForAck = true;
    return actLater(services, action, [](const HostActionOutcome &outcome) {
        QJsonObject json = participantObject(outcome);
        json.insert(u"acknowledged"_s, outcome.acknowledged);
        return ApiResponse::json(200, json);
    });
}

ApiResponse participantAnswer(const HostActionOutcome &outcome)
{
    return ApiResponse::json(200, participantObject(outcome));
}

// POST /v1/meetings/{id}/participants/{pid}/admit
ApiResponse admitParticipant(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto view = liveMeetingToActOn(request, services, true);
    if (!view)
        return fromError(view.error());

    return actLater(services, actionFor(HostAction::Kind::Admit, request, view->meeting),
                    participantAnswer);
}

// PATCH /v1/meetings/{id}/participants/{pid}: {"role": "co_host" | "attendee"}
ApiResponse patchParticipant(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({u"role"_s});
    // The role to set, when the patch names one; the host's role is not given away.
    ParticipantRole role = ParticipantRole::Attendee;
    bool roleGiven = false;
    if (const auto name = input.string(u"role"_s)) {
        const auto named = participantRoleFromName(*name);
        roleGiven = named && *named != ParticipantRole::Host;
        if (roleGiven)
            role = *named;
        else
            input.fail(u"role"_s, u"must be co_host or attendee"_s);
    }
    if (!input.ok())
        return fromError(input.error());

    auto access = meetingToActOn(request, services);
    if (!access)
        return fromError(access.error());
    auto participant = participantOf(request, services, access->view.meeting);
    if (!participant)
        return fromError(participant.error());
    // A merge patch that changes nothing needs no live meeting.
    if (!roleGiven)
        return ApiResponse::json(200, participantJson(*participant));
    if (const Status live = requireLive(access->view.meeting); !live)
        return fromError(live.error());

    HostAction action = actionFor(HostAction::Kind::SetRole, request, access->view.meeting);
    action.role = role;
    return actLater(services, action, participantAnswer);
}

// DELETE /v1/meetings/{id}/participants/{pid}
ApiResponse removeParticipant(ApiRequest &request, Services &services)
{
    auto view = liveMeetingToActOn(request, services, true);
    if (!view)
        return fromError(view.error());

    return actLater(services, actionFor(HostAction::Kind::Remove, request, view->meeting),
                    [](const HostActionOutcome &) { return ApiResponse::noContent(); });
}

// POST /v1/meetings/{id}/participants:muteAll
ApiResponse muteAll(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto view = liveMeetingToActOn(request, services, false);
    if (!view)
        return fromError(view.error());

    return actLater(services, actionFor(HostAction::Kind::MuteAll, request, view->meeting),
                    [](const HostActionOutcome &outcome) {
                        return ApiResponse::json(200, {{u"muted"_s, outcome.affected}});
                    });
}

// POST /v1/meetings/{id}:end
ApiResponse endMeeting(ApiRequest &request, Services &services)
{
    if (const Status empty = requireEmptyBody(request); !empty)
        return fromError(empty.error());
    auto live = liveMeetingToActOn(request, services, false);
    if (!live)
        return fromError(live.error());

    const MeetingView view = *live;
    return actLater(services, actionFor(HostAction::Kind::End, request, view.meeting),
                    [view, &services](const HostActionOutcome &outcome) {
                        MeetingView ended = view;
                        if (outcome.meeting)
                            ended.meeting = *outcome.meeting;
                        return meetingJsonResponse(ended, services);
                    });
}

} // namespace

void ParticipantHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    const QString participants = u"/v1/meetings/{id}/participants"_s;
    const QString participant = u"/v1/meetings/{id}/participants/{pid}"_s;
    router.add({"GET", participants, AuthMode::Bearer, scopes::MeetingRead, false,
                bind(listParticipants)});
    router.add({"GET", participants + u"/stream"_s, AuthMode::Bearer, scopes::MeetingRead, false,
                bind(streamParticipants)});
    router.add({"POST", participants + u":muteAll"_s, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(muteAll)});
    router.add({"PATCH", participant, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(patchParticipant)});
    router.add({"DELETE", participant, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(removeParticipant)});
    router.add({"POST", participant + u"/mute"_s, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(muteParticipant)});
    router.add({"POST", participant + u"/admit"_s, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(admitParticipant)});
    router.add({"POST", u"/v1/meetings/{id}:end"_s, AuthMode::Bearer, scopes::MeetingWrite, false,
                bind(endMeeting)});
}

} // namespace quorum
