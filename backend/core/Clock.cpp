#include "Clock.h"

namespace quorum {

qint64 Clock::nowMs() const
{
    return now().toMSecsSinceEpoch();
}

QDateTime SystemClock::now() const
{
    return QDateTime::currentDateTimeUtc();
}

ManualClock::ManualClock(QDateTime start)
    : m_msSinceEpoch(start.toMSecsSinceEpoch())
{ }

QDateTime ManualClock::now() const
{
    return QDateTime::fromMSecsSinceEpoch(m_msSinceEpoch.load(), Qt::UTC);
}

void ManualClock::set(QDateTime t)
{
    m_msSinceEpoch.store(t.toMSecsSinceEpoch());
}

void ManualClock::advance(qint64 ms)
{
    m_msSinceEpoch.fetch_add(ms);
}

} // namespace quorum
