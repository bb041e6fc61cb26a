// RecordingListModel against the test build of quorumd, whose media plane captures for real:
// start, stop, the recording's way to completed with its files, and deletion.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "LiveScenario.h"
#include "RecordingChecks.h"
#include "RecordingListModel.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_RecordingListModel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_scratch;
    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        // The test capture plane reads this script at every start: a capture of two seconds.
        QVERIFY(m_scratch.isValid());
        QVERIFY(quorum::testing::RecordingChecks::useCaptureScript(m_scratch.path()));

        m_app = std::make_unique<AppTestServer>(
            QStringList{u"--media"_s, u"test-capture"_s, u"--rate-limits"_s, u"off"_s,
                        u"--recording-min-free"_s, u"0"_s, u"--recording-retry-delay"_s, u"0"_s},
            AppTestServer::Kind::Live);
        m_app->server().useTestBuild();
        QVERIFY2(m_app->start(), m_app->standardError().constData());
    }

    void cleanupTestCase()
    {
        m_app.reset();
        qunsetenv("QUORUM_TEST_CAPTURE_SCRIPT");
    }

    void recordsStopsAndShowsTheFiles()
    {
        const QString meetingId = m_app->live().createMeeting(false);
        QJsonObject answer;
        auto host = m_app->live().join(u"admin"_s, meetingId, &answer);
        QCOMPARE(answer.value(u"type"_s).toString(), u"joined"_s);
        RecordingListModel model;
        m_app->attach(model);
        model.setMeetingId(meetingId);
        QTRY_VERIFY(!model.isBusy());
        QCOMPARE(model.count(), 0);

        const CallOutcome started = waitFor(model.start());
        QVERIFY2(started.ok, qPrintable(started.message));
        QTRY_COMPARE(model.count(), 1);
        QCOMPARE(model.get(0).value(u"state"_s).toString(), u"recording"_s);

        // A second start is refused while one captures, in words.
        const CallOutcome again = waitFor(model.start());
        QCOMPARE(again.status, 409);
        QVERIFY(!again.message.isEmpty());

        QVERIFY(waitFor(model.stop()).ok);
        const QString recordingId = model.get(0).value(u"id"_s).toString();
        const auto completed = [&] {
            return model.get(model.indexOf(recordingId)).value(u"state"_s).toString()
                == u"completed";
        };
        QTRY_VERIFY_WITH_TIMEOUT(AppTestServer::refreshedUntil(model, completed), 60000);
        const QVariantList files = model.get(0).value(u"files"_s).toList();
        QVERIFY(!files.isEmpty());
        const QVariantMap file = files.first().toMap();
        QVERIFY(file.value(u"size_bytes"_s).toLongLong() > 0);
        QVERIFY(!file.value(u"url"_s).toString().isEmpty());
        QVERIFY(!file.value(u"expires_at"_s).toString().isEmpty());
        QCOMPARE(model.data(model.index(0), model.roleNames().key("progress")).toInt(), 100);

        QVERIFY(waitFor(model.deleteRecording(recordingId)).ok);
        QCOMPARE(model.count(), 0);
        model.refresh();
        QTRY_VERIFY(!model.isBusy());
        QCOMPARE(model.count(), 0);
    }

    void aMeetingThatIsNotLiveCannotRecord()
    {
        const QString meetingId = m_app->live().createMeeting(false);
        RecordingListModel model;
        model.setClient(m_app->client());
        model.setMeetingId(meetingId);

        const CallOutcome outcome = waitFor(model.start());

        QCOMPARE(outcome.status, 409);
        QCOMPARE(outcome.code, u"meeting_not_live"_s);
        QVERIFY(!outcome.message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_RecordingListModel)
#include "tst_recording_list_model.moc"
