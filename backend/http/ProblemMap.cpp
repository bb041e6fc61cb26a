#include "ProblemMap.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace quorum::problems {

namespace {

struct ProblemInfo
{
    int status;
    const char16_t *code;
    const char16_t *title;
};

ProblemInfo info(ErrorCode code)
{
    switch (code) {
    case ErrorCode::InvalidRequest:
        return {400, u"invalid_request", u"The request is malformed"};
    case ErrorCode::ValidationFailed:
        return {400, u"validation_failed", u"A field is invalid"};
    case ErrorCode::UnknownField:
        return {400, u"unknown_field", u"The body has a field this resource does not have"};
    case ErrorCode::InvalidCursor:
        return {400, u"invalid_cursor", u"The cursor is not valid for this list"};
    case ErrorCode::InvalidParameter:
        return {400, u"invalid_parameter", u"A query parameter is invalid"};
    case ErrorCode::Unauthorized:
        return {401, u"unauthorized", u"A valid bearer token is required"};
    case ErrorCode::SignInRequired:
        return {401, u"sign_in_required", u"Sign in first"};
    case ErrorCode::InsufficientScope:
        return {403, u"insufficient_scope", u"The token lacks the scope this needs"};
    case ErrorCode::Forbidden:
        return {403, u"forbidden", u"You may not do this"};
    case ErrorCode::FirstPartyOnly:
        return {403, u"first_party_only", u"Only first-party credentials may do this"};
    case ErrorCode::CsrfFailed:
        return {403, u"csrf_failed", u"The page's CSRF token is missing or wrong"};
    case ErrorCode::WrongPasscode:
        return {403, u"wrong_passcode", u"The passcode is wrong or missing"};
    case ErrorCode::RemovedFromMeeting:
        return {403, u"removed_from_meeting", u"You were removed from this meeting"};
    case ErrorCode::InvalidSignature:
        return {403, u"invalid_signature", u"The link's signature is not valid"};
    case ErrorCode::UrlExpired:
        return {403, u"url_expired", u"The link has expired"};
    case ErrorCode::NotFound:
        return {404, u"not_found", u"Not found"};
    case ErrorCode::MethodNotAllowed:
        return {405, u"method_not_allowed", u"The method is not allowed here"};
    case ErrorCode::MeetingLive:
        return {409, u"meeting_live", u"The meeting is live"};
    case ErrorCode::MeetingEnded:
        return {409, u"meeting_ended", u"The meeting has ended"};
    case ErrorCode::MeetingClosed:
        return {409, u"meeting_closed", u"The meeting has ended or was cancelled"};
    case ErrorCode::MeetingNotLive:
        return {409, u"meeting_not_live", u"The meeting is not live"};
    case ErrorCode::ParticipantLeft:
        return {409, u"participant_left", u"The participant has left the meeting"};
    case ErrorCode::IdempotencyInProgress:
        return {409, u"idempotency_in_progress", u"A request with this key is still running"};
    case ErrorCode::RecordingActive:
        return {409, u"recording_active", u"A recording of this meeting is capturing"};
    case ErrorCode::NotRecording:
        return {409, u"not_recording", u"No recording of this meeting is capturing"};
    case ErrorCode::CaptureUnavailable:
        return {409, u"capture_unavailable", u"This server's media plane cannot record"};
    case ErrorCode::Conflict:
        return {409, u"conflict", u"The resource's state forbids this"};
    case ErrorCode::MeetingCancelled:
        return {410, u"meeting_cancelled", u"The meeting was cancelled"};
    case ErrorCode::LengthRequired:
        return {411, u"length_required", u"Request bodies need a Content-Length"};
    case ErrorCode::PreconditionFailed:
        return {412, u"precondition_failed", u"The resource changed since you read it"};
    case ErrorCode::PayloadTooLarge:
        return {413, u"payload_too_large", u"The body is too large"};
    case ErrorCode::UnsupportedMediaType:
        return {415, u"unsupported_media_type",
                u"The body has a content type this route does not take"};
    case ErrorCode::RangeNotSatisfiable:
        return {416, u"range_not_satisfiable", u"The range is outside the file"};
    case ErrorCode::IdempotencyKeyReused:
        return {422, u"idempotency_key_reused", u"The key was used with another request"};
    case ErrorCode::PolicyRefused:
        return {422, u"policy_refused", u"The value is refused by policy"};
    case ErrorCode::RateLimited:
        return {429, u"rate_limited", u"Too many requests"};
    case ErrorCode::PasscodeLockedOut:
        return {429, u"passcode_locked_out", u"Too many wrong passcodes"};
    case ErrorCode::UpgradeRequired:
        return {426, u"upgrade_required", u"This endpoint speaks WebSocket only"};
    case ErrorCode::UriTooLong:
        return {414, u"uri_too_long", u"The request line is too long"};
    case ErrorCode::HeadersTooLarge:
        return {431, u"headers_too_large", u"The request head is too large"};
    case ErrorCode::Internal:
        return {500, u"internal", u"Internal error"};
    case ErrorCode::Unavailable:
        return {503, u"unavailable", u"The service is unavailable"};
    }
    return {500, u"internal", u"Internal error"};
}

} // namespace

int status(ErrorCode code)
{
    return info(code).status;
}

QString code(ErrorCode code)
{
    return QString::fromUtf16(info(code).code);
}

QString title(ErrorCode code)
{
    return QString::fromUtf16(info(code).title);
}

QByteArray withRequestId(const QByteArray &problemBody, const QString &requestId)
{
    QJsonObject body = QJsonDocument::fromJson(problemBody).object();
    if (body.isEmpty())
        return problemBody;
    body.insert(u"request_id"_s, requestId);
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

ApiResponse response(const Error &error, const QString &requestId)
{
    const ProblemInfo problem = info(error.code);
    const QString codeText = QString::fromUtf16(problem.code);
    QJsonObject body{
        {u"type"_s, u"urn:quorum:problem:"_s + codeText},
        {u"code"_s, codeText},
        {u"title"_s, QString::fromUtf16(problem.title)},
        {u"status"_s, problem.status},
        {u"detail"_s, error.detail.isEmpty() ? QString::fromUtf16(problem.title) : error.detail}};
    if (!error.fields.isEmpty()) {
        QJsonArray fields;
        for (const FieldError &field : error.fields)
            fields.append(QJsonObject{{u"field"_s, field.field}, {u"message"_s, field.message}});
        body.insert(u"errors"_s, fields);
    }
    if (!requestId.isEmpty())
        body.insert(u"request_id"_s, requestId);

    ApiResponse response;
    response.status = problem.status;
    response.contentType = "application/problem+json";
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return response;
}

} // namespace quorum::problems
