// Fixed-window limits, driven by a manual clock.

#include "core/Clock.h"
#include "http/RateLimiter.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowsTheLimitThenRefusesUntilTheWindowEnds()
    {
        ManualClock clock(QDateTime::fromMSecsSinceEpoch(1'000'000, Qt::UTC));
        RateLimiter limiter(clock, 60);

        for (int i = 1; i <= 3; ++i) {
            const auto decision = limiter.hit(u"tok:a"_s, 3);
            QVERIFY(decision.allowed);
            QCOMPARE(decision.remaining, 3 - i);
            QCOMPARE(decision.resetSeconds, 60);
        }
        clock.advance(15'500);
        const auto refused = limiter.hit(u"tok:a"_s, 3);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.remaining, 0);
        QCOMPARE(refused.resetSeconds, 45); // rounded up, never 0

        QVERIFY(limiter.hit(u"tok:b"_s, 3).allowed); // keys are independent

        clock.advance(44'500);
        QVERIFY(limiter.hit(u"tok:a"_s, 3).allowed);
        QCOMPARE(limiter.count(u"tok:a"_s), 1);
    }

    void checkCountsNothing()
    {
        ManualClock clock(QDateTime::fromMSecsSinceEpoch(0, Qt::UTC));
        RateLimiter limiter(clock, 10);
        QVERIFY(limiter.check(u"k"_s, 1).allowed);
        QCOMPARE(limiter.count(u"k"_s), 0);
        limiter.hit(u"k"_s, 1);
        QVERIFY(!limiter.check(u"k"_s, 1).allowed);
    }
};

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
