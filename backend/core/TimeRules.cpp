#include "TimeRules.h"

#include <QDate>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTime>
#include <QTimeZone>

namespace quorum::timerules {

Q_LOGGING_CATEGORY(lcTime, "quorum.core.time")

namespace {

constexpr qint64 kMsPerSecond = 1000;
constexpr qint64 kMsPerDay = 24 * 60 * 60 * kMsPerSecond;

// Far enough either side of a wall time to hold every instant it can name: UTC offsets stay
// within +-14 h, and history has a few just beyond.
constexpr qint64 kSearchWindowMs = kMsPerDay;

struct ParsedTimestamp
{
    QDate date;
    QTime time;
    std::optional<int> offsetSeconds; // absent: wall time
};

int digits(const QRegularExpressionMatch &match, int group)
{
    return match.capturedView(group).toInt();
}

// The syntax of RFC 3339 section 5.6, with ranges checked; [0-9] rather than \d because Qt's
// patterns match every Unicode digit with \d.
std::optional<ParsedTimestamp> parseTimestamp(const QString &text)
{
    static const QRegularExpression pattern(QRegularExpression::anchoredPattern(
        QStringLiteral("([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
                       "(?:\\.([0-9]+))?([Zz]|([+-])([0-9]{2}):([0-9]{2}))?")));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;

    const QDate date(digits(match, 1), digits(match, 2), digits(match, 3));
    const int hour = digits(match, 4);
    const int minute = digits(match, 5);
    const int second = digits(match, 6);
    if (!date.isValid() || hour > 23 || minute > 59 || second > 59)
        return std::nullopt;

    // Milliseconds are all QDateTime keeps: ".5" is 500 ms, ".123987" is 123 ms.
    const int ms = match.captured(7).left(3).leftJustified(3, QLatin1Char('0')).toInt();
    ParsedTimestamp parsed{date, QTime(hour, minute, second, ms), std::nullopt};

    if (match.capturedLength(8) == 1) {
        parsed.offsetSeconds = 0;
    } else if (match.hasCaptured(8)) {
        const int offsetHours = digits(match, 10);
        const int offsetMinutes = digits(match, 11);
        if (offsetHours > 23 || offsetMinutes > 59)
            return std::nullopt;
        const int sign = match.capturedView(9) == u"-" ? -1 : 1;
        parsed.offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60);
    }
    return parsed;
}

// The wall time as milliseconds since the epoch, as if the wall clock showed UTC.
qint64 wallMsOf(const ParsedTimestamp &parsed)
{
    return QDateTime(parsed.date, parsed.time, Qt::UTC).toMSecsSinceEpoch();
}

// The instant a timestamp with an offset names.
QDateTime instantOf(const ParsedTimestamp &parsed)
{
    Q_ASSERT(parsed.offsetSeconds);
    const qint64 utcMs = wallMsOf(parsed) - *parsed.offsetSeconds * kMsPerSecond;
    return QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC);
}

qint64 offsetMsAt(const QTimeZone &zone, qint64 utcMs)
{
    return zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC)) * kMsPerSecond;
}

// The zone's offsets near a wall time, as spans [fromMs, next span's fromMs) of constant offset.
struct OffsetSpan
{
    qint64 fromMs;
    qint64 offsetMs;
};

QList<OffsetSpan> offsetSpansAround(const QTimeZone &zone, qint64 wallMs)
{
    const qint64 from = wallMs - kSearchWindowMs;
    const qint64 to = wallMs + kSearchWindowMs;

    QList<OffsetSpan> spans{{from, offsetMsAt(zone, from)}};
    if (!zone.hasTransitions())
        return spans;

    const auto transitions = zone.transitions(QDateTime::fromMSecsSinceEpoch(from, Qt::UTC),
                                              QDateTime::fromMSecsSinceEpoch(to, Qt::UTC));
    for (const QTimeZone::OffsetData &transition : transitions) {
        const qint64 at = transition.atUtc.toMSecsSinceEpoch();
        if (at > from)
            spans.append({at, transition.offsetFromUtc * kMsPerSecond});
    }
    return spans;
}

// Wall time (milliseconds as if the wall clock were UTC) to an instant in zone, by the rule in
// the header: every span whose offset maps the wall time into the span itself is an occurrence;
// none means a gap, two mean an overlap.
ResolvedTime resolveWallTime(const QTimeZone &zone, qint64 wallMs)
{
    const QList<OffsetSpan> spans = offsetSpansAround(zone, wallMs);

    QList<qint64> occurrences;
    for (qsizetype i = 0; i < spans.size(); ++i) {
        const qint64 candidate = wallMs - spans[i].offsetMs;
        const bool afterStart = candidate >= spans[i].fromMs;
        const bool beforeEnd = i + 1 == spans.size() || candidate < spans[i + 1].fromMs;
        if (afterStart && beforeEnd)
            occurrences.append(candidate);
    }

    ResolvedTime resolved;
    if (!occurrences.isEmpty()) {
        resolved.utc = QDateTime::fromMSecsSinceEpoch(occurrences.first(), Qt::UTC);
        resolved.ambiguous = occurrences.size() > 1;
        return resolved;
    }

    // A gap: read the wall time on the offset in force before the jump. That instant lies after
    // the jump, where the clock shows the wall time plus the gap's length.
    resolved.shiftedByGap = true;
    for (qsizetype i = 1; i < spans.size(); ++i) {
        const OffsetSpan &before = spans[i - 1];
        const OffsetSpan &after = spans[i];
        if (wallMs >= after.fromMs + before.offsetMs && wallMs < after.fromMs + after.offsetMs) {
            resolved.utc = QDateTime::fromMSecsSinceEpoch(wallMs - before.offsetMs, Qt::UTC);
            return resolved;
        }
    }

    qCWarning(lcTime) << "no transition explains a missing wall time in" << zone.id();
    resolved.utc = QDateTime::fromMSecsSinceEpoch(wallMs - offsetMsAt(zone, wallMs), Qt::UTC);
    return resolved;
}

} // namespace

bool isKnownTimeZone(const QString &ianaName)
{
    if (ianaName == u"UTC")
        return true;

    // IANA names are ASCII words joined by '/'; this also keeps Qt's "UTC+02:00" offset ids and
    // anything path-like away from the tz backend.
    static const QRegularExpression shape(QRegularExpression::anchoredPattern(
        QStringLiteral("[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9][A-Za-z0-9_+-]*)*")));
    if (ianaName.size() > 64 || !shape.match(ianaName).hasMatch())
        return false;

    return QTimeZone::isTimeZoneIdAvailable(ianaName.toUtf8());
}

Result<ResolvedTime> resolveStartTime(const QString &text, const QString &timeZone)
{
    const std::optional<ParsedTimestamp> parsed = parseTimestamp(text);
    if (!parsed) {
        return Error::validation(QStringLiteral("start_time"),
                                 QStringLiteral("start_time must be an RFC 3339 date and time "
                                                "such as \"2030-05-04T09:00:00Z\", or without "
                                                "the offset for wall time in timezone"));
    }

    if (parsed->offsetSeconds)
        return ResolvedTime{instantOf(*parsed)};

    if (!isKnownTimeZone(timeZone)) {
        return Error::validation(QStringLiteral("timezone"),
                                 QStringLiteral("timezone must be an IANA time zone name such as "
                                                "\"Europe/Berlin\" or \"UTC\" to place a "
                                                "start_time without an offset"));
    }
    return resolveWallTime(QTimeZone(timeZone.toUtf8()), wallMsOf(*parsed));
}

QString formatUtc(const QDateTime &t)
{
    if (!t.isValid())
        return {};

    const QDateTime utc = t.toUTC();
    const QDate date = utc.date();
    const QTime time = utc.time();
    const QLatin1Char zero('0');
    QString text = QStringLiteral("%1-%2-%3T%4:%5:%6")
                       .arg(date.year(), 4, 10, zero)
                       .arg(date.month(), 2, 10, zero)
                       .arg(date.day(), 2, 10, zero)
                       .arg(time.hour(), 2, 10, zero)
                       .arg(time.minute(), 2, 10, zero)
                       .arg(time.second(), 2, 10, zero);
    if (time.msec() != 0)
        text += QStringLiteral(".%1").arg(time.msec(), 3, 10, zero);
    return text + QLatin1Char('Z');
}

std::optional<QDateTime> parseRfc3339Instant(const QString &text)
{
    const std::optional<ParsedTimestamp> parsed = parseTimestamp(text);
    if (!parsed || !parsed->offsetSeconds)
        return std::nullopt;

    return instantOf(*parsed);
}

} // namespace quorum::timerules
