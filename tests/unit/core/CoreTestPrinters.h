#pragma once

#include "core/Error.h"
#include "core/Meeting.h"

#include <QtTest/QTest>

// Readable QCOMPARE failures for core's value types; found by argument-dependent lookup.
namespace quorum {

inline char *toString(MeetingState state)
{
    return qstrdup(meetingStateName(state).toUtf8().constData());
}

inline char *toString(AutoRecording mode)
{
    return qstrdup(autoRecordingName(mode).toUtf8().constData());
}

inline char *toString(ErrorCode code)
{
    switch (code) {
    case ErrorCode::ValidationFailed:
        return qstrdup("ValidationFailed");
    case ErrorCode::InvalidRequest:
        return qstrdup("InvalidRequest");
    case ErrorCode::MeetingLive:
        return qstrdup("MeetingLive");
    case ErrorCode::MeetingClosed:
        return qstrdup("MeetingClosed");
    case ErrorCode::MeetingEnded:
        return qstrdup("MeetingEnded");
    case ErrorCode::MeetingCancelled:
        return qstrdup("MeetingCancelled");
    case ErrorCode::Conflict:
        return qstrdup("Conflict");
    default:
        return qstrdup(QByteArray("ErrorCode ") + QByteArray::number(static_cast<int>(code)));
    }
}

} // namespace quorum
