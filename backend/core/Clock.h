#pragma once

#include <QDateTime>

#include <atomic>

namespace quorum {

// The time source of the domain, injected so that tests decide what "now" is.
class Clock
{
public:
    virtual ~Clock() = default;

    // The current instant in UTC, at millisecond precision.
    virtual QDateTime now() const = 0;

    qint64 nowMs() const;
};

// The wall clock of the machine.
class SystemClock final : public Clock
{
public:
    QDateTime now() const override;
};

// A clock that moves only when told to; safe to read and move from several threads.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(QDateTime start);

    QDateTime now() const override;
    void set(QDateTime t);
    void advance(qint64 ms);

private:
    std::atomic<qint64> m_msSinceEpoch;
};

} // namespace quorum
