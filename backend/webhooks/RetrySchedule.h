#pragma once

#include "core/Result.h"

#include <QList>
#include <QString>
#include <QStringView>

namespace quorum {

// The waits between a webhook delivery's attempts, as --webhook-retry-schedule spells them:
// comma-separated durations with a unit each ("1s,5s,30s,5m,30m,6h,24h", "100ms,200ms").
// The first attempt is made at once; entry i is the wait before retry i + 1, so a schedule
// of n entries allows n + 1 attempts.
class RetrySchedule final
{
public:
    static constexpr int kMaxEntries = 32;
    static constexpr qint64 kMaxWaitMs = 7LL * 24 * 3600 * 1000;

    // Every entry must be a positive whole number followed by ms, s, m or h, at most a week.
    static Result<QList<qint64>> parse(QStringView text);

    // The schedule in the same spelling, each wait in its largest exact unit.
    static QString format(const QList<qint64> &waitsMs);

    // The default of DESIGN.md *Webhooks*: about 30.6 hours of retries in all.
    static QList<qint64> defaultWaits();
};

} // namespace quorum
