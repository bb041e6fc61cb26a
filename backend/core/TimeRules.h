#pragma once

#include "Result.h"

#include <QDateTime>
#include <QString>

#include <optional>

// RFC 3339 timestamps and IANA time zones, as the REST surface takes and returns them.
//
// Accepted: "YYYY-MM-DDTHH:MM:SS", an optional fraction of a second (kept to the millisecond,
// further digits are cut off), then "Z" or "+hh:mm"/"-hh:mm"; 't' and 'z' may be lower case.
// Refused: a date alone, missing seconds, a space instead of 'T', out-of-range fields, and the
// leap second ":60" (QDateTime cannot hold it).
namespace quorum::timerules {

// The tz database lists the zone (QTimeZone::isTimeZoneIdAvailable: the canonical names of
// zone.tab, such as "Europe/Berlin"), or the name is "UTC". Backward-compatible aliases
// ("US/Pacific", "Etc/UTC") are refused, and so are Qt's own offset ids ("UTC+02:00").
bool isKnownTimeZone(const QString &ianaName);

struct ResolvedTime
{
    QDateTime utc;
    bool shiftedByGap = false; // the wall time fell into a DST gap and was moved forward
    bool ambiguous = false; // the wall time occurs twice; the earlier instant was taken
};

// A start time as the client wrote it:
// - with an offset ("Z", "+02:00") it is the instant it names, whatever timeZone says;
// - without one it is wall time in timeZone, and
//   - in a DST gap (the wall time never occurs) it moves forward by the length of the gap:
//     02:30 in a one-hour gap becomes 03:30 on the new offset, the instant the clock would have
//     shown 02:30 had it not jumped (shiftedByGap);
//   - in a DST overlap (the wall time occurs twice) it is the first occurrence, still on the old
//     offset (ambiguous).
// Errors are ValidationFailed on "start_time" (or "timezone" when a wall time names an unknown
// zone).
Result<ResolvedTime> resolveStartTime(const QString &text, const QString &timeZone);

// "2026-05-04T09:00:00Z", with ".mmm" only when the milliseconds are not zero. Empty for an
// invalid QDateTime.
QString formatUtc(const QDateTime &t);

// An RFC 3339 timestamp that carries its offset (for query filters), as a UTC QDateTime.
std::optional<QDateTime> parseRfc3339Instant(const QString &text);

} // namespace quorum::timerules
