// Parsing --webhook-retry-schedule.

#include "webhooks/RetrySchedule.h"

#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum {

class tst_RetrySchedule : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesDurations_data();
    void parsesDurations();
    void refusesMalformedSchedules_data();
    void refusesMalformedSchedules();
    void formatsWhatItParses();
};

void tst_RetrySchedule::parsesDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<qint64>>("waits");

    QTest::newRow("the default schedule spans seconds to a day")
        << u"1s,5s,30s,5m,30m,6h,24h"_s
        << QList<qint64>{1000, 5000, 30000, 300000, 1800000, 21600000, 86400000};
    QTest::newRow("milliseconds compress a schedule for tests")
        << u"100ms,200ms,300ms"_s << QList<qint64>{100, 200, 300};
    QTest::newRow("spaces around entries are ignored")
        << u" 1s , 2m "_s << QList<qint64>{1000, 120000};
    QTest::newRow("one entry allows one retry") << u"5s"_s << QList<qint64>{5000};
    QTest::newRow("a week is the longest wait") << u"168h"_s << QList<qint64>{604800000};
}

void tst_RetrySchedule::parsesDurations()
{
    QFETCH(QString, text);
    QFETCH(QList<qint64>, waits);

    const auto parsed = RetrySchedule::parse(text);

    QVERIFY2(parsed.ok(), parsed.ok() ? "" : qPrintable(parsed.error().detail));
    QCOMPARE(*parsed, waits);
}

void tst_RetrySchedule::refusesMalformedSchedules_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("an empty schedule") << QString();
    QTest::newRow("a number without a unit") << u"5"_s;
    QTest::newRow("an unknown unit") << u"5d"_s;
    QTest::newRow("a zero wait") << u"0s"_s;
    QTest::newRow("a negative wait") << u"-5s"_s;
    QTest::newRow("a sign before the digits") << u"+5s"_s;
    QTest::newRow("a fraction") << u"1.5s"_s;
    QTest::newRow("an empty entry between commas") << u"1s,,2s"_s;
    QTest::newRow("a trailing comma") << u"1s,"_s;
    QTest::newRow("more than a week") << u"169h"_s;
    QTest::newRow("a number too large for any type") << u"99999999999999999999ms"_s;
    QTest::newRow("a unit alone") << u"ms"_s;
    QTest::newRow("more than 32 entries") << QStringList(33, u"1s"_s).join(u',');
}

void tst_RetrySchedule::refusesMalformedSchedules()
{
    QFETCH(QString, text);

    const auto parsed = RetrySchedule::parse(text);

    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, ErrorCode::InvalidParameter);
}

void tst_RetrySchedule::formatsWhatItParses()
{
    const QList<qint64> waits{1500, 1000, 60000, 90000, 3600000};

    QCOMPARE(RetrySchedule::format(waits), u"1500ms,1s,1m,90s,1h"_s);
    QCOMPARE(*RetrySchedule::parse(RetrySchedule::format(waits)), waits);
    QCOMPARE(RetrySchedule::format(RetrySchedule::defaultWaits()), u"1s,5s,30s,5m,30m,6h,24h"_s);
}

} // namespace quorum

QTEST_APPLESS_MAIN(quorum::tst_RetrySchedule)
#include "tst_retryschedule.moc"
