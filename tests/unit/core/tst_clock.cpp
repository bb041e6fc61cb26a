#include "core/Clock.h"

#include <QTimeZone>
#include <QtTest/QTest>

#include <thread>
#include <vector>

using namespace quorum;

class tst_Clock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manualClockMovesOnlyWhenTold_data();
    void manualClockMovesOnlyWhenTold();
    void manualClockCanBeSet();
    void manualClockAdvancesFromSeveralThreads();
    void systemClockIsUtcToTheMillisecond();
};

void tst_Clock::manualClockMovesOnlyWhenTold_data()
{
    QTest::addColumn<qint64>("step");

    QTest::newRow("a millisecond forward") << qint64(1);
    QTest::newRow("a day forward") << qint64(24 * 60 * 60 * 1000);
    QTest::newRow("a minute back") << qint64(-60'000);
}

void tst_Clock::manualClockMovesOnlyWhenTold()
{
    QFETCH(qint64, step);
    const QDateTime start(QDate(2026, 5, 4), QTime(9, 0), Qt::UTC);
    ManualClock clock(start);

    QCOMPARE(clock.now(), start);
    QCOMPARE(clock.now(), start);

    clock.advance(step);

    QCOMPARE(clock.now(), start.addMSecs(step));
    QCOMPARE(clock.nowMs(), start.toMSecsSinceEpoch() + step);
    QCOMPARE(clock.now().timeSpec(), Qt::UTC);
}

void tst_Clock::manualClockCanBeSet()
{
    ManualClock clock(QDateTime(QDate(2026, 5, 4), QTime(9, 0), Qt::UTC));
    const QDateTime berlinNoon(QDate(2026, 7, 1), QTime(12, 0), QTimeZone(2 * 3600));

    clock.set(berlinNoon);

    QCOMPARE(clock.now(), berlinNoon);
    QCOMPARE(clock.now().time(), QTime(10, 0));
}

void tst_Clock::manualClockAdvancesFromSeveralThreads()
{
    const QDateTime start(QDate(2026, 5, 4), QTime(9, 0), Qt::UTC);
    ManualClock clock(start);
    constexpr int threads = 4;
    constexpr int steps = 10'000;

    std::vector<std::thread> workers;
    for (int i = 0; i < threads; ++i) {
        workers.emplace_back([&clock] {
            for (int j = 0; j < steps; ++j)
                clock.advance(1);
        });
    }
    for (std::thread &worker : workers)
        worker.join();

    QCOMPARE(clock.now(), start.addMSecs(threads * steps));
}

void tst_Clock::systemClockIsUtcToTheMillisecond()
{
    const SystemClock clock;
    const qint64 before = QDateTime::currentMSecsSinceEpoch();

    const QDateTime now = clock.now();

    QCOMPARE(now.timeSpec(), Qt::UTC);
    QVERIFY(now.toMSecsSinceEpoch() >= before);
    QVERIFY(clock.nowMs() >= now.toMSecsSinceEpoch());
}

QTEST_APPLESS_MAIN(tst_Clock)
#include "tst_clock.moc"
