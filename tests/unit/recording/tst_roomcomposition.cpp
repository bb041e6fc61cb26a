// RoomComposition: the grid the video tracks of a room are laid out in, and the ffmpeg command
// lines that place each track on the recording's timeline.

#include "recording/RoomComposition.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_RoomComposition : public QObject
{
    Q_OBJECT

    static QString filterOf(const QStringList &arguments)
    {
        const qsizetype at = arguments.indexOf(u"-filter_complex"_s);
        return at >= 0 && at + 1 < arguments.size() ? arguments.at(at + 1) : QString();
    }

private Q_SLOTS:
    void gridsByNumberOfPeople_data()
    {
        QTest::addColumn<int>("people");
        QTest::addColumn<QSize>("grid");
        QTest::addColumn<QRect>("lastCell");

        QTest::newRow("one person fills the canvas") << 1 << QSize(1, 1) << QRect(0, 0, 1280, 720);
        QTest::newRow("two sit side by side") << 2 << QSize(2, 1) << QRect(640, 0, 640, 720);
        QTest::newRow("three take a 2x2 grid") << 3 << QSize(2, 2) << QRect(640, 360, 640, 360);
        QTest::newRow("four fill the 2x2 grid") << 4 << QSize(2, 2) << QRect(640, 360, 640, 360);
        QTest::newRow("five take a 3x3 grid with even sides and positions")
            << 5 << QSize(3, 3) << QRect(852, 480, 426, 240);
        QTest::newRow("nine fill the 3x3 grid") << 9 << QSize(3, 3) << QRect(852, 480, 426, 240);
    }

    void gridsByNumberOfPeople()
    {
        QFETCH(int, people);
        QFETCH(QSize, grid);
        QFETCH(QRect, lastCell);

        QCOMPARE(roomcomposition::gridFor(people), grid);
        const QList<QRect> cells = roomcomposition::cellsFor(people);
        QCOMPARE(cells.size(), grid.width() * grid.height());
        QCOMPARE(cells.last(), lastCell);
        for (const QRect &cell : cells) {
            QVERIFY(QRect(QPoint(0, 0), roomcomposition::kCanvas).contains(cell));
            QCOMPARE(cell.width() % 2, 0);
            QCOMPARE(cell.height() % 2, 0);
            QCOMPARE(cell.x() % 2, 0);
            QCOMPARE(cell.y() % 2, 0);
        }
    }

    void eachOwnerKeepsOneCellAndTheTenthIsNotShown()
    {
        QList<PlacedTrack> video;
        for (int i = 0; i < 10; ++i)
            video << PlacedTrack{u"/r/v%1.webm"_s.arg(i), u"par_%1"_s.arg(i), i * 100};
        // par_0 again, after leaving: the same cell as before.
        video << PlacedTrack{u"/r/again.webm"_s, u"par_0"_s, 5000};

        const QStringList arguments
            = roomcomposition::mp4Arguments(video, u"/r/mix.m4a"_s, 60'000, u"/r/out.mp4"_s);
        QVERIFY(!arguments.contains(u"/r/v9.webm"_s));
        QVERIFY(arguments.contains(u"/r/again.webm"_s));
        const QString filter = filterOf(arguments);
        // The first owner's cell of a 3x3 grid, twice: once per track.
        QCOMPARE(filter.count(u"overlay=x=0:y=0:"_s), 2);
        QVERIFY(filter.contains(u"color=c=black:s=1280x720:r=25:d=60.000"_s));
        QVERIFY(arguments.contains(u"copy"_s));
        QCOMPARE(arguments.last(), u"/r/out.mp4"_s);
    }

    void tracksArePlacedOnTheTimeline()
    {
        const QList<PlacedTrack> audio{{u"/r/a.opus"_s, u"par_a"_s, 0},
                                       {u"/r/b.opus"_s, u"par_b"_s, 4250},
                                       {u"/r/early.opus"_s, u"par_c"_s, -1500},
                                       {u"/r/after.opus"_s, u"par_d"_s, 10'000}};
        const QStringList arguments = roomcomposition::m4aArguments(audio, 10'000, u"/r/out.m4a"_s);
        const QString filter = filterOf(arguments);
        QVERIFY2(filter.contains(u"adelay=4250:all=1"_s), qPrintable(filter));
        QVERIFY2(filter.contains(u"atrim=start=1.500"_s), qPrintable(filter));
        // A track that starts when the recording has ended is left out.
        QVERIFY(!arguments.contains(u"/r/after.opus"_s));
        QVERIFY(filter.contains(u"amix=inputs=3:"_s));
        QCOMPARE(arguments.at(arguments.indexOf(u"-t"_s) + 1), u"10.000"_s);

        const QStringList video = roomcomposition::mp4Arguments(
            {{u"/r/v.webm"_s, u"par_a"_s, 2500}}, QString(), 10'000, u"/r/out.mp4"_s);
        QVERIFY(filterOf(video).contains(u"setpts=PTS-STARTPTS+2.500/TB"_s));
        // Without audio tracks the MP4 still gets a (silent) audio track.
        QVERIFY(video.contains(u"anullsrc=r=48000:cl=mono"_s));
    }
};

QTEST_GUILESS_MAIN(tst_RoomComposition)
#include "tst_roomcomposition.moc"
