#include "core/Validation.h"

#include <QtTest/QTest>

using namespace quorum;

namespace {

const QString kGrinning = QStringLiteral("\U0001F600"); // one code point, two UTF-16 units

} // namespace

class tst_Validation : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void codePointCount_data();
    void codePointCount();
    void checkPasscode_data();
    void checkPasscode();
    void checkTopic_data();
    void checkTopic();
    void checkDisplayName_data();
    void checkDisplayName();
    void checkDurationMinutes_data();
    void checkDurationMinutes();
    void checkPageSize_data();
    void checkPageSize();
    void checkTimeZone_data();
    void checkTimeZone();
};

void tst_Validation::codePointCount_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("count");

    QTest::newRow("an empty string has none") << QString() << 0;
    QTest::newRow("ASCII counts one per character") << QStringLiteral("abc") << 3;
    QTest::newRow("an emoji counts once although it takes two UTF-16 units") << kGrinning << 1;
    QTest::newRow("six emoji count six") << kGrinning.repeated(6) << 6;
    QTest::newRow("a combining accent counts as its own code point")
        << QStringLiteral("e\u0301") << 2;
}

void tst_Validation::codePointCount()
{
    QFETCH(QString, text);
    QFETCH(int, count);

    QCOMPARE(validation::codePointCount(text), count);
}

void tst_Validation::checkPasscode_data()
{
    QTest::addColumn<QString>("passcode");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("messagePart");

    const QString allowedSet = QStringLiteral("A-Z a-z 0-9 @ _ * -");
    QTest::newRow("ten characters of the allowed set pass")
        << QStringLiteral("w46@_*-x9Z") << true << QString();
    QTest::newRow("one digit passes") << QStringLiteral("7") << true << QString();
    QTest::newRow("ten characters outside the set name the allowed set")
        << QStringLiteral("w46!(i{74n") << false << allowedSet;
    QTest::newRow("eleven characters are too many")
        << QStringLiteral("12345678901") << false << QStringLiteral("it has 11");
    QTest::newRow("an empty passcode is refused")
        << QString() << false << QStringLiteral("it is empty");
    QTest::newRow("leading and trailing spaces are outside the set")
        << QStringLiteral(" 1234 ") << false << allowedSet;
    QTest::newRow("six emoji are six characters but outside the set")
        << kGrinning.repeated(6) << false << QStringLiteral("contains other characters");
    QTest::newRow("a non-ASCII letter is outside the set")
        << QStringLiteral("p\u00e4ss") << false << allowedSet;
    QTest::newRow("a fullwidth digit is outside the set")
        << QStringLiteral("\uff11234") << false << allowedSet;
}

void tst_Validation::checkPasscode()
{
    QFETCH(QString, passcode);
    QFETCH(bool, valid);
    QFETCH(QString, messagePart);

    const std::optional<QString> message = validation::checkPasscode(passcode);

    QCOMPARE(!message.has_value(), valid);
    if (message) {
        QVERIFY2(message->contains(messagePart), qPrintable(*message));
        QVERIFY2(message->contains(QStringLiteral("A-Z a-z 0-9 @ _ * -")), qPrintable(*message));
    }
}

void tst_Validation::checkTopic_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("valid");

    QTest::newRow("a short topic passes") << QStringLiteral("Weekly sync") << true;
    QTest::newRow("one character passes") << QStringLiteral("x") << true;
    QTest::newRow("200 emoji pass although they are 400 UTF-16 units")
        << kGrinning.repeated(200) << true;
    QTest::newRow("200 ASCII characters pass") << QStringLiteral("a").repeated(200) << true;
    QTest::newRow("201 ASCII characters are refused") << QStringLiteral("a").repeated(201) << false;
    QTest::newRow("201 emoji are refused") << kGrinning.repeated(201) << false;
    QTest::newRow("an empty topic is refused") << QString() << false;
    QTest::newRow("only spaces are refused") << QStringLiteral("   ") << false;
    QTest::newRow("spaces around words pass") << QStringLiteral("  Sync  ") << true;
    QTest::newRow("a NUL is refused")
        << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << false;
    QTest::newRow("a line break is refused") << QStringLiteral("one\ntwo") << false;
    QTest::newRow("a tab is refused") << QStringLiteral("one\ttwo") << false;
}

void tst_Validation::checkTopic()
{
    QFETCH(QString, topic);
    QFETCH(bool, valid);

    const std::optional<QString> message = validation::checkTopic(topic);

    QCOMPARE(!message.has_value(), valid);
    if (message)
        QVERIFY2(message->startsWith(QStringLiteral("topic")), qPrintable(*message));
}

void tst_Validation::checkDisplayName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");

    QTest::newRow("a plain name passes") << QStringLiteral("Ada Lovelace") << true;
    QTest::newRow("a name in another script passes") << QStringLiteral("\u5f20\u4f1f") << true;
    QTest::newRow("an emoji name passes") << kGrinning << true;
    QTest::newRow("64 emoji pass") << kGrinning.repeated(64) << true;
    QTest::newRow("65 characters are refused") << QStringLiteral("b").repeated(65) << false;
    QTest::newRow("an empty name is refused") << QString() << false;
    QTest::newRow("only spaces are refused") << QStringLiteral("   ") << false;
    QTest::newRow("only a no-break space is refused") << QStringLiteral("\u00a0") << false;
    QTest::newRow("a newline is refused") << QStringLiteral("Ada\nHost") << false;
    QTest::newRow("a NUL is refused") << QStringLiteral("Ada") + QChar(0) << false;
    QTest::newRow("an escape character is refused") << QStringLiteral("Ada\x1b[31m") << false;
    QTest::newRow("a line separator is refused") << QStringLiteral("Ada\u2028Host") << false;
}

void tst_Validation::checkDisplayName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);

    const std::optional<QString> message = validation::checkDisplayName(name);

    QCOMPARE(!message.has_value(), valid);
    if (message)
        QVERIFY2(message->startsWith(QStringLiteral("display_name")), qPrintable(*message));
}

void tst_Validation::checkDurationMinutes_data()
{
    QTest::addColumn<qint64>("minutes");
    QTest::addColumn<bool>("valid");

    QTest::newRow("zero minutes are refused") << qint64(0) << false;
    QTest::newRow("one minute passes") << qint64(1) << true;
    QTest::newRow("1440 minutes, a whole day, pass") << qint64(1440) << true;
    QTest::newRow("1441 minutes are refused") << qint64(1441) << false;
    QTest::newRow("a negative duration is refused") << qint64(-5) << false;
    QTest::newRow("a value beyond int is refused") << qint64(1) + INT_MAX << false;
}

void tst_Validation::checkDurationMinutes()
{
    QFETCH(qint64, minutes);
    QFETCH(bool, valid);

    const std::optional<QString> message = validation::checkDurationMinutes(minutes);

    QCOMPARE(!message.has_value(), valid);
    if (message)
        QVERIFY2(message->contains(QStringLiteral("1 to 1440")), qPrintable(*message));
}

void tst_Validation::checkPageSize_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("valid");

    QTest::newRow("zero is refused") << qint64(0) << false;
    QTest::newRow("one passes") << qint64(1) << true;
    QTest::newRow("300 passes") << qint64(300) << true;
    QTest::newRow("301 is refused") << qint64(301) << false;
    QTest::newRow("a negative size is refused") << qint64(-1) << false;
}

void tst_Validation::checkPageSize()
{
    QFETCH(qint64, size);
    QFETCH(bool, valid);

    const std::optional<QString> message = validation::checkPageSize(size);

    QCOMPARE(!message.has_value(), valid);
    if (message)
        QVERIFY2(message->startsWith(QStringLiteral("page_size")), qPrintable(*message));
}

void tst_Validation::checkTimeZone_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<bool>("valid");

    QTest::newRow("UTC passes") << QStringLiteral("UTC") << true;
    QTest::newRow("Europe/Berlin passes") << QStringLiteral("Europe/Berlin") << true;
    QTest::newRow("an unknown zone is refused") << QStringLiteral("Mars/Olympus_Mons") << false;
    QTest::newRow("an empty name is refused") << QString() << false;
}

void tst_Validation::checkTimeZone()
{
    QFETCH(QString, zone);
    QFETCH(bool, valid);

    const std::optional<QString> message = validation::checkTimeZone(zone);

    QCOMPARE(!message.has_value(), valid);
    if (message)
        QVERIFY2(message->startsWith(QStringLiteral("timezone")), qPrintable(*message));
}

QTEST_APPLESS_MAIN(tst_Validation)
#include "tst_validation.moc"
