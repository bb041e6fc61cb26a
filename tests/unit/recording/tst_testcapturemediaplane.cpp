// The test-capture media plane: a capture makes raw media that ffprobe reads, as long as the
// capture lasted or as the script says, and the scripted failures happen as scripted.

#include "TestCaptureMediaPlane.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_TestCaptureMediaPlane : public QObject
{
    Q_OBJECT

private:
    static QJsonObject probe(const QString &file)
    {
        QProcess process;
        process.start(u"ffprobe"_s,
                      {u"-v"_s, u"error"_s, u"-show_entries"_s,
                       u"format=duration:stream=codec_type,codec_name"_s, u"-of"_s, u"json"_s,
                       file});
        if (!process.waitForFinished(30'000) || process.exitCode() != 0)
            return {};
        return QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    }

    void script(const QByteArray &json)
    {
        QFile file(m_dir.filePath(u"script.json"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(json);
    }

    QTemporaryDir m_dir;
    QList<media::MediaEvent> m_events;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_events.clear();
        qputenv("QUORUM_TEST_CAPTURE_SCRIPT", m_dir.filePath(u"script.json"_s).toLocal8Bit());
        QFile::remove(m_dir.filePath(u"script.json"_s));
    }

    void capturesRawMedia_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<qint64>("durationMs");

        QTest::newRow("without a script, a short capture still lasts a second")
            << QByteArray() << qint64(1000);
        QTest::newRow("the script's seconds set the length")
            << QByteArray(R"({"mode": "ok", "seconds": 3})") << qint64(3000);
    }

    void capturesRawMedia()
    {
        QFETCH(QByteArray, script);
        QFETCH(qint64, durationMs);
        if (!script.isEmpty())
            this->script(script);

        testing::TestCaptureMediaPlane plane;
        plane.setSink([this](const media::MediaEvent &event) { m_events << event; });
        QVERIFY(plane.canCapture());
        QVERIFY(plane.prepareRoom(u"mtg_1"_s));
        QVERIFY(plane.startCapture(u"mtg_1"_s, u"rec_1"_s, m_dir.path()));
        QVERIFY(plane.stopCapture(u"mtg_1"_s, u"rec_1"_s));
        QVERIFY(m_events.isEmpty()); // reported later, never inside the call
        QTRY_COMPARE_WITH_TIMEOUT(m_events.size(), 1, 30'000);

        const media::MediaEvent &event = m_events.first();
        QCOMPARE(event.kind, media::MediaEvent::Kind::CaptureFinished);
        QCOMPARE(event.meetingId, u"mtg_1"_s);
        QCOMPARE(event.recordingId, u"rec_1"_s);
        QCOMPARE(event.payload[u"duration_ms"_s].toInteger(), durationMs);
        const QJsonArray files = event.payload[u"files"_s].toArray();
        QCOMPARE(files.size(), 2);
        for (const QJsonValue &file : files) {
            const QJsonObject probed
                = probe(QDir(m_dir.path()).filePath(file[u"path"_s].toString()));
            const QJsonObject stream = probed[u"streams"_s][0].toObject();
            QCOMPARE(stream[u"codec_type"_s].toString(), file[u"kind"_s].toString());
            QCOMPARE(stream[u"codec_name"_s].toString(),
                     file[u"kind"_s] == u"video"_s ? u"vp8"_s : u"opus"_s);
            const double seconds = probed[u"format"_s][u"duration"_s].toString().toDouble();
            QVERIFY2(qAbs(seconds * 1000 - double(durationMs)) < 150,
                     qPrintable(file[u"path"_s].toString()));
        }
    }

    void failsAsScripted_data()
    {
        QTest::addColumn<QByteArray>("script");
        QTest::addColumn<bool>("starts");
        QTest::addColumn<int>("kind");

        QTest::newRow("fail_start refuses to start")
            << QByteArray(R"({"mode": "fail_start"})") << false << -1;
        QTest::newRow("fail_capture reports the capture failed at stop")
            << QByteArray(R"({"mode": "fail_capture"})") << true
            << int(media::MediaEvent::Kind::CaptureFailed);
        QTest::newRow("corrupt finishes with files ffprobe cannot read")
            << QByteArray(R"({"mode": "corrupt", "seconds": 2})") << true
            << int(media::MediaEvent::Kind::CaptureFinished);
    }

    void failsAsScripted()
    {
        QFETCH(QByteArray, script);
        QFETCH(bool, starts);
        QFETCH(int, kind);
        this->script(script);

        testing::TestCaptureMediaPlane plane;
        plane.setSink([this](const media::MediaEvent &event) { m_events << event; });
        const Status started = plane.startCapture(u"mtg_1"_s, u"rec_1"_s, m_dir.path());
        QCOMPARE(started.ok(), starts);
        if (!starts) {
            QVERIFY(!plane.stopCapture(u"mtg_1"_s, u"rec_1"_s));
            return;
        }
        QVERIFY(plane.stopCapture(u"mtg_1"_s, u"rec_1"_s));
        QTRY_COMPARE_WITH_TIMEOUT(m_events.size(), 1, 10'000);
        QCOMPARE(int(m_events.first().kind), kind);
        if (m_events.first().kind == media::MediaEvent::Kind::CaptureFailed) {
            QCOMPARE(m_events.first().payload[u"error_code"_s].toString(), u"capture_failed"_s);
            return;
        }
        QCOMPARE(m_events.first().payload[u"duration_ms"_s].toInteger(), 2000);
        for (const QJsonValue &file : m_events.first().payload[u"files"_s].toArray())
            QVERIFY(probe(QDir(m_dir.path()).filePath(file[u"path"_s].toString())).isEmpty());
    }

    void aPlaneDestroyedMidCaptureReportsNothing()
    {
        {
            testing::TestCaptureMediaPlane plane;
            plane.setSink([this](const media::MediaEvent &event) { m_events << event; });
            QVERIFY(plane.startCapture(u"mtg_1"_s, u"rec_1"_s, m_dir.path()));
            QVERIFY(plane.stopCapture(u"mtg_1"_s, u"rec_1"_s));
        }
        QCoreApplication::processEvents();
        QVERIFY(m_events.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_TestCaptureMediaPlane)
#include "tst_testcapturemediaplane.moc"
