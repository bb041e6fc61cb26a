#pragma once

#include "Meeting.h"
#include "MeetingPatch.h"
#include "Result.h"

#include <QDateTime>

// Every invariant of a meeting's life (DESIGN.md, Meetings), free of storage and HTTP: the
// check* functions decide, the apply* functions compute the next value for the store to write.
namespace quorum::meetingrules {

// A start time up to this much in the past still counts as "now", so that a client whose clock
// runs a little behind ours can schedule a meeting that starts immediately.
inline constexpr qint64 kStartTimeSkewMs = 60'000;

enum class Transition { GoLive, End, Cancel };

// GoLive only from SCHEDULED (LIVE: Conflict), End only from LIVE (SCHEDULED: Conflict, use
// DELETE), Cancel only from SCHEDULED (LIVE: MeetingLive, use :end). Anything on ENDED or
// CANCELLED: MeetingClosed.
Status checkTransition(MeetingState from, Transition t);

// The meeting after an allowed transition: the new state, startedAt (GoLive) or endedAt (End)
// set to now, updatedAt = now, version + 1. Check the transition first.
Meeting applyTransition(Meeting m, Transition t, const QDateTime &now);

// PATCH rules, in this order:
// - ENDED or CANCELLED: MeetingClosed.
// - LIVE: a field other than topic and duration_minutes is MeetingLive naming the field (even
//   when the value equals the current one); then the values are validated (ValidationFailed);
//   then a duration that is not longer than the current one is MeetingLive.
// - SCHEDULED: every field is validated, and every failure is listed in one ValidationFailed;
//   a start_time more than kStartTimeSkewMs in the past is one of them.
// An empty patch is accepted.
Status checkPatch(const Meeting &m, const MeetingPatch &patch, const QDateTime &now);

// The meeting with the patch applied, updatedAt = now and version + 1. Check the patch first;
// callers skip the store for an empty patch.
Meeting applyPatch(Meeting m, const MeetingPatch &patch, const QDateTime &now);

// A meeting about to be created: a valid topic, duration, passcode (when set) and time zone, a
// start time no more than kStartTimeSkewMs in the past, and state SCHEDULED. Every failing field
// is listed in one ValidationFailed.
Status checkNewMeeting(const Meeting &m, const QDateTime &now);

// The start-time rule on its own, so a parser can report it beside the other fields' errors:
// the message, or nullopt when startTime is no more than kStartTimeSkewMs in the past.
std::optional<QString> checkStartNotPast(const QDateTime &startTime, const QDateTime &now);

// Join rules that need no storage: CANCELLED is MeetingCancelled, ENDED is MeetingEnded.
Status checkJoinable(MeetingState state);

} // namespace quorum::meetingrules
