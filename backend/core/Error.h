#pragma once

#include <QList>
#include <QString>

namespace quorum {

// One field that failed validation, named as the client spelled it ("settings.auto_recording").
struct FieldError
{
    QString field;
    QString message;
};

// Why an operation was refused. Each code maps to exactly one HTTP status in one place
// (http/ProblemMap), so the domain never speaks HTTP and a code never means two things.
enum class ErrorCode {
    InvalidRequest, // 400 malformed body, bad JSON, wrong types
    ValidationFailed, // 400 a field out of its range; errors[] names each field
    UnknownField, // 400 a field the resource does not have
    InvalidCursor, // 400 a tampered or foreign pagination cursor
    InvalidParameter, // 400 a query parameter out of range
    Unauthorized, // 401 missing or invalid bearer token
    SignInRequired, // 401 a browser page's request without a signed-in session
    InsufficientScope, // 403 the token lacks the route's scope
    Forbidden, // 403 the caller may not do this
    FirstPartyOnly, // 403 third-party apps may not use this route
    CsrfFailed, // 403 a browser page's request without its session's CSRF token
    WrongPasscode, // 403
    RemovedFromMeeting, // 403
    InvalidSignature, // 403 a signed file URL that does not verify
    UrlExpired, // 403 a signed file URL past its expiry
    NotFound, // 404 also for objects the caller may not see
    MethodNotAllowed, // 405
    MeetingLive, // 409 the change needs a meeting that is not LIVE
    MeetingEnded, // 409 joinToken on an ENDED meeting
    MeetingClosed, // 409 a change to an ENDED or CANCELLED meeting
    MeetingNotLive, // 409 a live action (end, mute, admit, ...) on a meeting that is not LIVE
    ParticipantLeft, // 409 a host action on a participant who has left
    IdempotencyInProgress, // 409 the first request with this key is still running
    RecordingActive, // 409 a recording is capturing (start again, or delete it)
    NotRecording, // 409 stop without a recording capturing
    CaptureUnavailable, // 409 the media plane cannot record
    Conflict, // 409 any other state conflict
    MeetingCancelled, // 410 joinToken on a CANCELLED meeting
    LengthRequired, // 411
    PreconditionFailed, // 412 stale If-Match
    PayloadTooLarge, // 413
    UnsupportedMediaType, // 415
    RangeNotSatisfiable, // 416 a Range outside the file
    IdempotencyKeyReused, // 422 same key, another body
    PolicyRefused, // 422 a well-formed value refused by policy
    RateLimited, // 429
    PasscodeLockedOut, // 429
    UpgradeRequired, // 426 a plain request to the WebSocket endpoint
    UriTooLong, // 414 (answered by the HTTP front)
    HeadersTooLarge, // 431
    Internal, // 500
    Unavailable, // 503
};

struct Error
{
    Error() = default;
    Error(ErrorCode code, QString detail = {}, QList<FieldError> fields = {})
        : code(code)
        , detail(std::move(detail))
        , fields(std::move(fields))
    { }

    ErrorCode code = ErrorCode::Internal;
    QString detail;
    QList<FieldError> fields;

    static Error validation(const QString &field, const QString &message)
    {
        return {ErrorCode::ValidationFailed, message, {{field, message}}};
    }
};

} // namespace quorum
