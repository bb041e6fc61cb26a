#include "core/TimeRules.h"

#include <QTimeZone>
#include <QtTest/QTest>

using namespace quorum;

class tst_TimeRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void resolveStartTime_data();
    void resolveStartTime();
    void refusesWhatIsNotRfc3339_data();
    void refusesWhatIsNotRfc3339();
    void wallTimeInAnUnknownZoneNamesTheZone();
    void formatUtc_data();
    void formatUtc();
    void parseRfc3339Instant_data();
    void parseRfc3339Instant();
    void isKnownTimeZone_data();
    void isKnownTimeZone();
};

void tst_TimeRules::initTestCase()
{
    // Everything below depends on the tz database; say so plainly when it is missing.
    QVERIFY2(QTimeZone(QByteArrayLiteral("America/Los_Angeles")).isValid(),
             "QTimeZone cannot find the tz database (install tzdata)");
}

void tst_TimeRules::resolveStartTime_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QString>("utc");
    QTest::addColumn<bool>("shiftedByGap");
    QTest::addColumn<bool>("ambiguous");

    const QString utc = QStringLiteral("UTC");
    const QString berlin = QStringLiteral("Europe/Berlin");
    const QString losAngeles = QStringLiteral("America/Los_Angeles");
    const QString lordHowe = QStringLiteral("Australia/Lord_Howe");

    QTest::newRow("Z names the instant itself")
        << QStringLiteral("2026-05-04T09:00:00Z") << utc << QStringLiteral("2026-05-04T09:00:00Z")
        << false << false;
    QTest::newRow("lower-case t and z are accepted")
        << QStringLiteral("2026-05-04t09:00:00z") << utc << QStringLiteral("2026-05-04T09:00:00Z")
        << false << false;
    QTest::newRow("a positive offset is subtracted")
        << QStringLiteral("2026-05-04T09:00:00+02:00") << utc
        << QStringLiteral("2026-05-04T07:00:00Z") << false << false;
    QTest::newRow("a negative half-hour offset is added")
        << QStringLiteral("2026-05-04T09:00:00-03:30") << utc
        << QStringLiteral("2026-05-04T12:30:00Z") << false << false;
    QTest::newRow("an offset wins over a zone that disagrees with it")
        << QStringLiteral("2026-05-04T09:00:00+05:00") << losAngeles
        << QStringLiteral("2026-05-04T04:00:00Z") << false << false;
    QTest::newRow("an offset crossing midnight changes the date")
        << QStringLiteral("2026-01-01T01:00:00+02:00") << utc
        << QStringLiteral("2025-12-31T23:00:00Z") << false << false;
    QTest::newRow("minus zero hours is UTC")
        << QStringLiteral("2026-05-04T09:00:00-00:00") << utc
        << QStringLiteral("2026-05-04T09:00:00Z") << false << false;
    QTest::newRow("a fraction of a second keeps its milliseconds")
        << QStringLiteral("2026-05-04T09:00:00.5Z") << utc
        << QStringLiteral("2026-05-04T09:00:00.500Z") << false << false;
    QTest::newRow("digits beyond the millisecond are cut off")
        << QStringLiteral("2026-05-04T09:00:00.123987Z") << utc
        << QStringLiteral("2026-05-04T09:00:00.123Z") << false << false;
    QTest::newRow("a leap day is a date")
        << QStringLiteral("2028-02-29T12:00:00Z") << utc << QStringLiteral("2028-02-29T12:00:00Z")
        << false << false;
    QTest::newRow("wall time in UTC is that instant")
        << QStringLiteral("2026-05-04T09:00:00") << utc << QStringLiteral("2026-05-04T09:00:00Z")
        << false << false;
    QTest::newRow("wall time with a fraction of a second is wall time")
        << QStringLiteral("2026-05-04T09:00:00.250") << berlin
        << QStringLiteral("2026-05-04T07:00:00.250Z") << false << false;
    QTest::newRow("Berlin summer wall time is two hours ahead of UTC")
        << QStringLiteral("2026-07-01T09:00:00") << berlin << QStringLiteral("2026-07-01T07:00:00Z")
        << false << false;
    QTest::newRow("Berlin winter wall time is one hour ahead of UTC")
        << QStringLiteral("2026-01-15T09:00:00") << berlin << QStringLiteral("2026-01-15T08:00:00Z")
        << false << false;
    QTest::newRow("Los Angeles 02:30 in the March gap moves forward to 03:30 PDT")
        << QStringLiteral("2026-03-08T02:30:00") << losAngeles
        << QStringLiteral("2026-03-08T10:30:00Z") << true << false;
    QTest::newRow("Los Angeles 02:00, the first missing minute, moves to 03:00 PDT")
        << QStringLiteral("2026-03-08T02:00:00") << losAngeles
        << QStringLiteral("2026-03-08T10:00:00Z") << true << false;
    QTest::newRow("Los Angeles 03:00 right after the gap is plain PDT")
        << QStringLiteral("2026-03-08T03:00:00") << losAngeles
        << QStringLiteral("2026-03-08T10:00:00Z") << false << false;
    QTest::newRow("Los Angeles 01:59:59 right before the gap is plain PST")
        << QStringLiteral("2026-03-08T01:59:59") << losAngeles
        << QStringLiteral("2026-03-08T09:59:59Z") << false << false;
    QTest::newRow("Los Angeles 01:30 in the November overlap takes the earlier PDT instant")
        << QStringLiteral("2026-11-01T01:30:00") << losAngeles
        << QStringLiteral("2026-11-01T08:30:00Z") << false << true;
    QTest::newRow("Los Angeles 02:00 right after the overlap is plain PST")
        << QStringLiteral("2026-11-01T02:00:00") << losAngeles
        << QStringLiteral("2026-11-01T10:00:00Z") << false << false;
    QTest::newRow("Los Angeles 00:59:59 right before the overlap is plain PDT")
        << QStringLiteral("2026-11-01T00:59:59") << losAngeles
        << QStringLiteral("2026-11-01T07:59:59Z") << false << false;
    // Far years come from the zone's recurring rule rather than from listed transitions.
    QTest::newRow("Los Angeles 02:30 in the 2040 March gap moves forward to 03:30 PDT")
        << QStringLiteral("2040-03-11T02:30:00") << losAngeles
        << QStringLiteral("2040-03-11T10:30:00Z") << true << false;
    QTest::newRow("Los Angeles 01:30 in the 2040 November overlap takes the earlier instant")
        << QStringLiteral("2040-11-04T01:30:00") << losAngeles
        << QStringLiteral("2040-11-04T08:30:00Z") << false << true;
    QTest::newRow("Berlin 02:30 in the March gap moves forward to 03:30 CEST")
        << QStringLiteral("2026-03-29T02:30:00") << berlin << QStringLiteral("2026-03-29T01:30:00Z")
        << true << false;
    QTest::newRow("Berlin 02:30 in the October overlap takes the earlier CEST instant")
        << QStringLiteral("2026-10-25T02:30:00") << berlin << QStringLiteral("2026-10-25T00:30:00Z")
        << false << true;
    QTest::newRow("Lord Howe 02:15 in its half-hour gap moves forward by half an hour")
        << QStringLiteral("2026-10-04T02:15:00") << lordHowe
        << QStringLiteral("2026-10-03T15:45:00Z") << true << false;
    QTest::newRow("Lord Howe 01:45 in its half-hour overlap takes the earlier instant")
        << QStringLiteral("2026-04-05T01:45:00") << lordHowe
        << QStringLiteral("2026-04-04T14:45:00Z") << false << true;
}

void tst_TimeRules::resolveStartTime()
{
    QFETCH(QString, text);
    QFETCH(QString, zone);
    QFETCH(QString, utc);
    QFETCH(bool, shiftedByGap);
    QFETCH(bool, ambiguous);

    const Result<timerules::ResolvedTime> resolved = timerules::resolveStartTime(text, zone);

    QVERIFY2(resolved.ok(), qPrintable(resolved ? QString() : resolved.error().detail));
    QCOMPARE(resolved->utc.timeSpec(), Qt::UTC);
    QCOMPARE(timerules::formatUtc(resolved->utc), utc);
    QCOMPARE(resolved->shiftedByGap, shiftedByGap);
    QCOMPARE(resolved->ambiguous, ambiguous);
}

void tst_TimeRules::refusesWhatIsNotRfc3339_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("an empty string") << QString();
    QTest::newRow("a date alone") << QStringLiteral("2026-05-04");
    QTest::newRow("a time without seconds") << QStringLiteral("2026-05-04T09:00Z");
    QTest::newRow("a space instead of T") << QStringLiteral("2026-05-04 09:00:00Z");
    QTest::newRow("month 13") << QStringLiteral("2026-13-04T09:00:00Z");
    QTest::newRow("month 0") << QStringLiteral("2026-00-04T09:00:00Z");
    QTest::newRow("day 32") << QStringLiteral("2026-05-32T09:00:00Z");
    QTest::newRow("February 30") << QStringLiteral("2026-02-30T09:00:00Z");
    QTest::newRow("February 29 of a common year") << QStringLiteral("2026-02-29T09:00:00Z");
    QTest::newRow("hour 24") << QStringLiteral("2026-05-04T24:00:00Z");
    QTest::newRow("minute 60") << QStringLiteral("2026-05-04T09:60:00Z");
    QTest::newRow("a leap second") << QStringLiteral("2026-12-31T23:59:60Z");
    QTest::newRow("year zero") << QStringLiteral("0000-01-01T00:00:00Z");
    QTest::newRow("a two-digit year") << QStringLiteral("26-05-04T09:00:00Z");
    QTest::newRow("single-digit fields") << QStringLiteral("2026-5-4T9:00:00Z");
    QTest::newRow("an offset without a colon") << QStringLiteral("2026-05-04T09:00:00+0200");
    QTest::newRow("an offset of hours only") << QStringLiteral("2026-05-04T09:00:00+02");
    QTest::newRow("an offset of 24 hours") << QStringLiteral("2026-05-04T09:00:00+24:00");
    QTest::newRow("an offset minute of 60") << QStringLiteral("2026-05-04T09:00:00+01:60");
    QTest::newRow("a dot without digits") << QStringLiteral("2026-05-04T09:00:00.Z");
    QTest::newRow("a comma before the fraction") << QStringLiteral("2026-05-04T09:00:00,5Z");
    QTest::newRow("a zone name after the time") << QStringLiteral("2026-05-04T09:00:00 CET");
    QTest::newRow("a trailing newline") << QStringLiteral("2026-05-04T09:00:00Z\n");
    QTest::newRow("leading white space") << QStringLiteral(" 2026-05-04T09:00:00Z");
    QTest::newRow("Arabic-Indic digits")
        << QStringLiteral("\u0662\u0660\u0662\u0666-05-04T09:00:00Z");
    QTest::newRow("a Unix timestamp") << QStringLiteral("1777885200");
}

void tst_TimeRules::refusesWhatIsNotRfc3339()
{
    QFETCH(QString, text);

    const Result<timerules::ResolvedTime> resolved
        = timerules::resolveStartTime(text, QStringLiteral("UTC"));

    QVERIFY(!resolved.ok());
    QCOMPARE(resolved.error().code, ErrorCode::ValidationFailed);
    QCOMPARE(resolved.error().fields.size(), 1);
    QCOMPARE(resolved.error().fields.first().field, QStringLiteral("start_time"));
    QVERIFY(resolved.error().detail.contains(QStringLiteral("RFC 3339")));
    QVERIFY(!timerules::parseRfc3339Instant(text).has_value());
}

void tst_TimeRules::wallTimeInAnUnknownZoneNamesTheZone()
{
    const Result<timerules::ResolvedTime> resolved = timerules::resolveStartTime(
        QStringLiteral("2026-05-04T09:00:00"), QStringLiteral("Mars/Olympus_Mons"));

    QVERIFY(!resolved.ok());
    QCOMPARE(resolved.error().code, ErrorCode::ValidationFailed);
    QCOMPARE(resolved.error().fields.first().field, QStringLiteral("timezone"));
}

void tst_TimeRules::formatUtc_data()
{
    QTest::addColumn<QDateTime>("time");
    QTest::addColumn<QString>("text");

    QTest::newRow("whole seconds have no fraction")
        << QDateTime(QDate(2026, 5, 4), QTime(9, 0), Qt::UTC)
        << QStringLiteral("2026-05-04T09:00:00Z");
    QTest::newRow("milliseconds are written with three digits")
        << QDateTime(QDate(2026, 5, 4), QTime(9, 0, 1, 7), Qt::UTC)
        << QStringLiteral("2026-05-04T09:00:01.007Z");
    QTest::newRow("a time with an offset is written in UTC")
        << QDateTime(QDate(2026, 5, 4), QTime(9, 0), QTimeZone(2 * 3600))
        << QStringLiteral("2026-05-04T07:00:00Z");
    QTest::newRow("a time in a named zone is written in UTC")
        << QDateTime(QDate(2026, 1, 15), QTime(9, 0),
                     QTimeZone(QByteArrayLiteral("America/Los_Angeles")))
        << QStringLiteral("2026-01-15T17:00:00Z");
    QTest::newRow("an early year is padded to four digits")
        << QDateTime(QDate(999, 1, 2), QTime(3, 4, 5), Qt::UTC)
        << QStringLiteral("0999-01-02T03:04:05Z");
    QTest::newRow("an invalid time is empty") << QDateTime() << QString();
}

void tst_TimeRules::formatUtc()
{
    QFETCH(QDateTime, time);
    QFETCH(QString, text);

    QCOMPARE(timerules::formatUtc(time), text);
}

void tst_TimeRules::parseRfc3339Instant_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("utc"); // empty: refused

    QTest::newRow("Z is accepted")
        << QStringLiteral("2026-05-04T09:00:00Z") << QStringLiteral("2026-05-04T09:00:00Z");
    QTest::newRow("an offset is applied") << QStringLiteral("2026-05-04T09:00:00.250-07:00")
                                          << QStringLiteral("2026-05-04T16:00:00.250Z");
    QTest::newRow("wall time without an offset is refused")
        << QStringLiteral("2026-05-04T09:00:00") << QString();
}

void tst_TimeRules::parseRfc3339Instant()
{
    QFETCH(QString, text);
    QFETCH(QString, utc);

    const std::optional<QDateTime> instant = timerules::parseRfc3339Instant(text);

    QCOMPARE(instant.has_value(), !utc.isEmpty());
    if (instant) {
        QCOMPARE(instant->timeSpec(), Qt::UTC);
        QCOMPARE(timerules::formatUtc(*instant), utc);
    }
}

void tst_TimeRules::isKnownTimeZone_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("known");

    QTest::newRow("UTC is known") << QStringLiteral("UTC") << true;
    QTest::newRow("Europe/Berlin is known") << QStringLiteral("Europe/Berlin") << true;
    QTest::newRow("America/Los_Angeles is known") << QStringLiteral("America/Los_Angeles") << true;
    QTest::newRow("a three-level name is known")
        << QStringLiteral("America/Argentina/Buenos_Aires") << true;
    QTest::newRow("Europe/Kyiv, renamed in 2022, is known")
        << QStringLiteral("Europe/Kyiv") << true;
    // Only the zones tzdata lists in zone.tab count; Qt would parse the rest as POSIX TZ rules.
    QTest::newRow("a backward-compatible alias is refused")
        << QStringLiteral("US/Pacific") << false;
    QTest::newRow("a POSIX rule name is refused") << QStringLiteral("PST8PDT") << false;
    QTest::newRow("a folder of the tz database is refused") << QStringLiteral("Europe") << false;
    QTest::newRow("a lower-case name is refused") << QStringLiteral("europe/berlin") << false;
    QTest::newRow("an unknown region is refused") << QStringLiteral("Mars/Olympus_Mons") << false;
    QTest::newRow("an empty name is refused") << QString() << false;
    QTest::newRow("a UTC offset is not an IANA name") << QStringLiteral("UTC+02:00") << false;
    QTest::newRow("a relative path is refused") << QStringLiteral("../../etc/passwd") << false;
    QTest::newRow("an absolute path is refused")
        << QStringLiteral("/usr/share/zoneinfo/UTC") << false;
    QTest::newRow("a trailing slash is refused") << QStringLiteral("Europe/") << false;
    QTest::newRow("a zone abbreviation is refused") << QStringLiteral("PST") << false;
}

void tst_TimeRules::isKnownTimeZone()
{
    QFETCH(QString, name);
    QFETCH(bool, known);

    QCOMPARE(timerules::isKnownTimeZone(name), known);
}

QTEST_APPLESS_MAIN(tst_TimeRules)
#include "tst_timerules.moc"
