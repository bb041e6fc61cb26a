#include "RetrySchedule.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// Longest suffix first, so "ms" is not read as "m" followed by garbage.
constexpr std::array<std::pair<char16_t const *, qint64>, 4> kUnits{{
    {u"ms", 1},
    {u"s", 1000},
    {u"m", 60 * 1000},
    {u"h", 3600 * 1000},
}};

std::optional<qint64> parseOne(QStringView entry)
{
    for (const auto &[suffix, factor] : kUnits) {
        const QStringView unit(suffix);
        if (!entry.endsWith(unit))
            continue;
        const QStringView digits = entry.chopped(unit.size());
        // toLongLong accepts signs and spaces; a wait is digits only.
        if (digits.isEmpty()
            || !std::all_of(digits.begin(), digits.end(), [](QChar c) { return c.isDigit(); }))
            return std::nullopt;
        bool ok = false;
        const qint64 value = digits.toLongLong(&ok);
        if (!ok || value <= 0 || value > RetrySchedule::kMaxWaitMs / factor)
            return std::nullopt;
        return value * factor;
    }
    return std::nullopt;
}

} // namespace

Result<QList<qint64>> RetrySchedule::parse(QStringView text)
{
    const QList<QStringView> entries = text.split(u',');
    if (entries.size() > kMaxEntries)
        return Error{ErrorCode::InvalidParameter,
                     u"--webhook-retry-schedule lists at most %1 waits"_s.arg(kMaxEntries)};

    QList<qint64> waits;
    for (const QStringView entry : entries) {
        const auto wait = parseOne(entry.trimmed());
        if (!wait)
            return Error{ErrorCode::InvalidParameter,
                         u"--webhook-retry-schedule: '%1' is not a duration like 500ms, 5s, 5m "
                         "or 6h (at most 7 days)"_s.arg(entry.trimmed())};
        waits << *wait;
    }
    return waits;
}

QString RetrySchedule::format(const QList<qint64> &waitsMs)
{
    QStringList parts;
    for (const qint64 wait : waitsMs) {
        QString part = QString::number(wait) + u"ms"_s;
        for (const auto &[suffix, factor] : kUnits) {
            if (wait % factor == 0)
                part = QString::number(wait / factor) + QString::fromUtf16(suffix);
        }
        parts << part;
    }
    return parts.join(u',');
}

QList<qint64> RetrySchedule::defaultWaits()
{
    constexpr qint64 s = 1000;
    return {1 * s, 5 * s, 30 * s, 5 * 60 * s, 30 * 60 * s, 6 * 3600 * s, 24 * 3600 * s};
}

} // namespace quorum
