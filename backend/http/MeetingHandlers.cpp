#include "MeetingHandlers.h"

#include "HandlerSupport.h"
#include "JsonInput.h"
#include "MeetingJson.h"
#include "ProblemMap.h"
#include "ResponseBodyCache.h"
#include "Router.h"
#include "auth/Scopes.h"
#include "core/Clock.h"
#include "core/Meeting.h"
#include "core/TimeRules.h"
#include "core/Validation.h"
#include "crypto/Jwt.h"
#include "server/JoinTokenService.h"
#include "server/MeetingService.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "signalling/SignalHub.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace quorum {

using namespace handlers;

namespace {

meetingjson::LivePart livePart(const Meeting &meeting, const Services &services)
{
    if (meeting.state != MeetingState::Live)
        return {};
    const LiveSummary summary = services.hub.summary(meeting.id);
    return {summary.participantCount, summary.recordingId};
}

ApiResponse meetingResponse(int status, const MeetingView &view, const Services &services)
{
    // The body depends only on the stored meeting (its version), on whether the reader may
    // see the passcode and, while LIVE, on the participant count and the recording capturing;
    // the ETag only on the version.
    const Meeting &meeting = view.meeting;
    const meetingjson::LivePart live = livePart(meeting, services);
    const QByteArray key = meeting.id.toLatin1() + '|' + QByteArray::number(meeting.version)
        + (view.mayChange ? "|w" : "|r") + '|' + QByteArray::number(live.participantCount) + '|'
        + live.recordingId.toLatin1();
    std::optional<QByteArray> body = services.bodies.find(key);
    if (!body) {
        body = QJsonDocument(meetingjson::toJson(view, services.settings.publicUrl, live))
                   .toJson(QJsonDocument::Compact);
        services.bodies.store(key, *body);
    }
    return ApiResponse::text(status, "application/json", *body)
        .withHeader("ETag", meetingjson::etag(meeting));
}

ApiResponse createMeeting(ApiRequest &request, Services &services)
{
    auto draft = meetingjson::parseNew(request.json, services.clock.now());
    if (!draft)
        return fromError(draft.error());
    auto created = services.meetings.create(*request.credential, *draft);
    if (!created)
        return fromError(created.error());
    return meetingResponse(201, *created, services)
        .withHeader("Location", "/v1/meetings/" + created->meeting.id.toLatin1());
}

ApiResponse getMeeting(ApiRequest &request, Services &services)
{
    auto view = services.meetings.get(*request.credential, request.param(QStringLiteral("id")));
    if (!view)
        return fromError(view.error());
    return meetingResponse(200, *view, services);
}

ApiResponse patchMeeting(ApiRequest &request, Services &services)
{
    const QString id = request.param(QStringLiteral("id"));
    auto current = services.meetings.get(*request.credential, id);
    if (!current)
        return fromError(current.error());
    auto patch = meetingjson::parsePatch(request.json, current->meeting, services.clock.now());
    if (!patch)
        return fromError(patch.error());
    auto updated
        = services.meetings.update(*request.credential, id, *patch, ifMatchVersion(request));
    if (!updated)
        return fromError(updated.error());
    return meetingResponse(200, *updated, services);
}

ApiResponse cancelMeeting(ApiRequest &request, Services &services)
{
    auto cancelled = services.meetings.cancel(
        *request.credential, request.param(QStringLiteral("id")), ifMatchVersion(request));
    if (!cancelled)
        return fromError(cancelled.error());
    return ApiResponse::noContent();
}

Result<MeetingFilter> readFilter(const ApiRequest &request, QString *scope)
{
    MeetingFilter filter;
    QList<FieldError> problems;
    const QUrlQuery &query = request.query;
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (name == u"host") {
            filter.hostId = value;
        } else if (name == u"state") {
            for (const QString &part : value.split(u',', Qt::SkipEmptyParts)) {
                const auto state = meetingStateFromName(part.trimmed());
                if (!state)
                    problems << FieldError{QStringLiteral("state"),
                                           QStringLiteral("must be SCHEDULED, LIVE, ENDED or "
                                                          "CANCELLED (comma-separated)")};
                else
                    filter.states << *state;
            }
        } else if (name == u"from" || name == u"to") {
            const auto time = timerules::parseRfc3339Instant(value);
            if (!time)
                problems << FieldError{name,
                                       QStringLiteral("must be an RFC 3339 time with an "
                                                      "offset, e.g. 2030-05-04T09:00:00Z")};
            else
                (name == u"from" ? filter.from : filter.to) = *time;
        } else if (name != u"page_size" && name != u"cursor") {
            problems << FieldError{name, QStringLiteral("unknown query parameter")};
        }
    }
    if (!problems.isEmpty())
        return Error{ErrorCode::InvalidParameter,
                     problems.constFirst().field + u' ' + problems.constFirst().message, problems};

    QStringList states;
    for (MeetingState state : std::as_const(filter.states))
        states << meetingStateName(state);
    *scope = QStringLiteral("meetings|%1|%2|%3|%4|%5|%6")
                 .arg(request.credential->workspaceId, request.credential->userId, filter.hostId,
                      states.join(u','),
                      filter.from.isValid() ? timerules::formatUtc(filter.from) : QString(),
                      filter.to.isValid() ? timerules::formatUtc(filter.to) : QString());
    return filter;
}

ApiResponse listMeetings(ApiRequest &request, Services &services)
{
    QString scope;
    auto filter = readFilter(request, &scope);
    if (!filter)
        return fromError(filter.error());
    auto page = readPage(request, services.cursors, scope);
    if (!page)
        return fromError(page.error());
    auto meetings = services.meetings.list(*request.credential, *filter, *page);
    if (!meetings)
        return fromError(meetings.error());

    QJsonArray items;
    for (const MeetingView &view : std::as_const(meetings->items))
        items.append(meetingjson::toJson(view, services.settings.publicUrl,
                                         livePart(view.meeting, services)));
    return ApiResponse::json(
        200,
        {{QStringLiteral("meetings"), items},
         {QStringLiteral("next_cursor"), nextCursor(meetings->next, services.cursors, scope)}});
}

ApiResponse issueJoinToken(ApiRequest &request, Services &services)
{
    JsonInput input(request.json);
    input.allowOnly({QStringLiteral("display_name"), QStringLiteral("guest"),
                     QStringLiteral("passcode"), QStringLiteral("region")});

    JoinTokenRequest join;
    join.meetingId = request.param(QStringLiteral("id"));
    join.caller = request.credential;
    join.guest = input.boolean(QStringLiteral("guest")).value_or(false);
    join.displayName = input.string(QStringLiteral("display_name")).value_or(QString());
    if (input.has(QStringLiteral("display_name"))
        && !input.isNull(QStringLiteral("display_name"))) {
        if (const auto problem = validation::checkDisplayName(join.displayName))
            input.fail(QStringLiteral("display_name"), *problem);
    } else if (join.guest) {
        input.fail(QStringLiteral("display_name"), QStringLiteral("is required for guests"));
    }
    if (const auto passcode = input.string(QStringLiteral("passcode"))) {
        if (const auto problem = validation::checkPasscode(*passcode))
            input.fail(QStringLiteral("passcode"), *problem);
        join.passcode = *passcode;
    }
    join.region = input.string(QStringLiteral("region")).value_or(QString());
    if (join.region.size() > 64)
        input.fail(QStringLiteral("region"), QStringLiteral("must be at most 64 characters"));
    if (!input.ok())
        return fromError(input.error());

    if (!request.credential && !join.guest)
        return fromError({ErrorCode::Unauthorized,
                          QStringLiteral("Without a bearer token, ask for a guest token "
                                         "(\"guest\": true) with a display_name.")})
            .withHeader("WWW-Authenticate", "Bearer realm=\"quorum\", error=\"invalid_token\"");
    if (request.credential && !request.credential->hasScope(scopes::MeetingJoin))
        return fromError({ErrorCode::InsufficientScope,
                          QStringLiteral("The token lacks the meeting.join scope.")})
            .withHeader("WWW-Authenticate",
                        "Bearer realm=\"quorum\", error=\"insufficient_scope\", "
                        "scope=\"meeting.join\"");

    // Passcode failures count per user, not per token: minting a new token buys no guesses.
    // An app acting for the workspace counts per app.
    if (!request.credential)
        join.clientKey = QStringLiteral("addr:") + request.clientAddress;
    else if (request.credential->userId.isEmpty())
        join.clientKey = QStringLiteral("app:") + request.credential->clientId;
    else
        join.clientKey = QStringLiteral("usr:") + request.credential->userId;
    join.clientAddress = request.clientAddress;
    return MeetingHandlers::joinTokenAnswer(services.joinTokens.issue(join));
}

} // namespace

ApiResponse MeetingHandlers::joinTokenAnswer(const JoinTokenOutcome &outcome)
{
    if (!outcome.token) {
        ApiResponse response = fromError(outcome.error);
        response.delayMs = outcome.delayMs;
        if (outcome.retryAfterSeconds > 0)
            response.withHeader("Retry-After", QByteArray::number(outcome.retryAfterSeconds));
        return response;
    }
    // Written by hand, like the token's claims: this is the hottest answer of the API.
    using crypto::jwt::jsonString;
    const JoinToken &token = *outcome.token;
    return ApiResponse::text(
        200, "application/json",
        "{\"jwt\":" + jsonString(token.jwt) + ",\"sfu_url\":" + jsonString(token.sfuUrl)
            + ",\"expires_in\":" + QByteArray::number(token.expiresIn)
            + ",\"participant_role\":" + jsonString(token.participantRole) + '}');
}

void MeetingHandlers::registerRoutes(Router &router, Services &services)
{
    auto bind = [&services](ApiResponse (*handler)(ApiRequest &, Services &)) {
        return [handler, &services](ApiRequest &request) { return handler(request, services); };
    };
    router.add({"POST", QStringLiteral("/v1/meetings"), AuthMode::Bearer, scopes::MeetingWrite,
                false, bind(createMeeting)});
    router.add({"GET", QStringLiteral("/v1/meetings"), AuthMode::Bearer, scopes::MeetingRead, false,
                bind(listMeetings)});
    router.add({"GET", QStringLiteral("/v1/meetings/{id}"), AuthMode::Bearer, scopes::MeetingRead,
                false, bind(getMeeting)});
    router.add({"PATCH", QStringLiteral("/v1/meetings/{id}"), AuthMode::Bearer,
                scopes::MeetingWrite, false, bind(patchMeeting)});
    router.add({"DELETE", QStringLiteral("/v1/meetings/{id}"), AuthMode::Bearer,
                scopes::MeetingWrite, false, bind(cancelMeeting)});
    // The scope is checked by the handler: guests come without a token.
    router.add({"POST", QStringLiteral("/v1/meetings/{id}/joinToken"), AuthMode::OptionalBearer,
                QString(), false, bind(issueJoinToken), false});
}

} // namespace quorum
