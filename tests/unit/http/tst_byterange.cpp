// Range headers against a file size (RFC 9110 §14): one range served, several or malformed ones
// ignored (the whole file), unsatisfiable ones refused with the size.

#include "http/ByteRange.h"

#include <QtTest>

using namespace quorum;

class tst_ByteRange : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<qint64>("size");
        QTest::addColumn<int>("status");
        QTest::addColumn<qint64>("offset");
        QTest::addColumn<qint64>("length");
        QTest::addColumn<QByteArray>("contentRange");

        const qint64 size = 5000;
        auto row = [](const char *name, const QByteArray &header, qint64 size, int status,
                      qint64 offset, qint64 length, const QByteArray &contentRange) {
            QTest::newRow(name) << header << size << status << offset << length << contentRange;
        };

        // The whole file.
        row("no header asks for the whole file", "", size, 200, 0, size, "");
        row("whitespace only asks for the whole file", "  ", size, 200, 0, size, "");

        // One range.
        row("the first hundred bytes", "bytes=0-99", size, 206, 0, 100, "bytes 0-99/5000");
        row("one byte at the start", "bytes=0-0", size, 206, 0, 1, "bytes 0-0/5000");
        row("an open range runs to the end", "bytes=100-", size, 206, 100, 4900,
            "bytes 100-4999/5000");
        row("a suffix range takes the last bytes", "bytes=-500", size, 206, 4500, 500,
            "bytes 4500-4999/5000");
        row("the last byte by position", "bytes=4999-4999", size, 206, 4999, 1,
            "bytes 4999-4999/5000");
        row("the last byte by suffix", "bytes=-1", size, 206, 4999, 1, "bytes 4999-4999/5000");
        row("a last position past the end is clipped", "bytes=4000-9999", size, 206, 4000, 1000,
            "bytes 4000-4999/5000");
        row("a suffix longer than the file takes it all", "bytes=-9999", size, 206, 0, size,
            "bytes 0-4999/5000");
        row("a range of the whole file is still partial", "bytes=0-4999", size, 206, 0, size,
            "bytes 0-4999/5000");
        row("the unit is case-insensitive", "BYTES=0-9", size, 206, 0, 10, "bytes 0-9/5000");
        row("whitespace around the value is ignored", " \tbytes=0-9\t ", size, 206, 0, 10,
            "bytes 0-9/5000");
        row("leading zeros are allowed", "bytes=0010-0019", size, 206, 10, 10, "bytes 10-19/5000");
        row("empty list elements are skipped", "bytes=,0-9,", size, 206, 0, 10, "bytes 0-9/5000");
        row("whitespace around a lone element is skipped", "bytes= 0-9 ", size, 206, 0, 10,
            "bytes 0-9/5000");
        row("an overflowing last position is clipped", "bytes=10-99999999999999999999999", size,
            206, 10, 4990, "bytes 10-4999/5000");
        row("an overflowing suffix takes the whole file", "bytes=-99999999999999999999999", size,
            206, 0, size, "bytes 0-4999/5000");

        // Unsatisfiable.
        row("a first position at the size is unsatisfiable", "bytes=5000-", size, 416, 0, 0,
            "bytes */5000");
        row("a first position past the end is unsatisfiable", "bytes=6000-7000", size, 416, 0, 0,
            "bytes */5000");
        row("an overflowing first position is unsatisfiable", "bytes=99999999999999999999999-",
            size, 416, 0, 0, "bytes */5000");
        row("two overflowing positions in order are unsatisfiable",
            "bytes=99999999999999999999998-99999999999999999999999", size, 416, 0, 0,
            "bytes */5000");
        row("a zero suffix is unsatisfiable", "bytes=-0", size, 416, 0, 0, "bytes */5000");
        row("an empty file has no range", "bytes=0-", 0, 416, 0, 0, "bytes */0");
        row("an empty file has no suffix", "bytes=-10", 0, 416, 0, 0, "bytes */0");

        // Several ranges: the whole file, which a server may always send.
        row("two ranges get the whole file", "bytes=0-9,20-29", size, 200, 0, size, "");
        row("two ranges with spaces get the whole file", "bytes=0-9, -5", size, 200, 0, size, "");
        row("a satisfiable and an unsatisfiable range get the whole file", "bytes=0-9,9000-", size,
            200, 0, size, "");
        row("two unsatisfiable ranges get the whole file", "bytes=9000-,9500-", size, 200, 0, size,
            "");

        // Malformed: ignored.
        row("another unit is ignored", "items=0-9", size, 200, 0, size, "");
        row("a unit that only starts like bytes is ignored", "bytesx=0-9", size, 200, 0, size, "");
        row("a missing equals sign is ignored", "bytes 0-9", size, 200, 0, size, "");
        row("a missing unit is ignored", "=0-9", size, 200, 0, size, "");
        row("whitespace before the equals sign is ignored", "bytes =0-9", size, 200, 0, size, "");
        row("an empty range set is ignored", "bytes=", size, 200, 0, size, "");
        row("a range set of commas is ignored", "bytes=, ,", size, 200, 0, size, "");
        row("a range without a dash is ignored", "bytes=10", size, 200, 0, size, "");
        row("a lone dash is ignored", "bytes=-", size, 200, 0, size, "");
        row("a last position before the first is ignored", "bytes=100-99", size, 200, 0, size, "");
        row("an overflowing last position before the first is ignored",
            "bytes=99999999999999999999999-99999999999999999999998", size, 200, 0, size, "");
        row("a negative position is ignored", "bytes=-5-10", size, 200, 0, size, "");
        row("a sign is ignored", "bytes=+5-10", size, 200, 0, size, "");
        row("letters in a position are ignored", "bytes=0x10-20", size, 200, 0, size, "");
        row("whitespace inside a range is ignored", "bytes=0 - 9", size, 200, 0, size, "");
        row("two dashes are ignored", "bytes=0--9", size, 200, 0, size, "");
        row("a malformed range beside a good one is ignored", "bytes=0-9,x", size, 200, 0, size,
            "");
    }

    void parse()
    {
        QFETCH(QByteArray, header);
        QFETCH(qint64, size);
        QFETCH(int, status);
        QFETCH(qint64, offset);
        QFETCH(qint64, length);
        QFETCH(QByteArray, contentRange);

        const ByteRange range = ByteRange::parse(header, size);

        QCOMPARE(range.status(), status);
        QCOMPARE(range.size(), size);
        QCOMPARE(range.contentRange(), contentRange);
        if (status != 416) {
            QCOMPARE(range.offset(), offset);
            QCOMPARE(range.length(), length);
        }
    }
};

QTEST_GUILESS_MAIN(tst_ByteRange)
#include "tst_byterange.moc"
