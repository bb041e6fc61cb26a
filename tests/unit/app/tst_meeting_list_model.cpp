// MeetingListModel against a real quorumd: pages through the cursor, filters by state and by
// topic, and its actions, with QAbstractItemModelTester watching every change.

#include "ApiClient.h"
#include "AppTestServer.h"
#include "CallWaiter.h"
#include "MeetingListModel.h"

#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_MeetingListModel : public QObject
{
    Q_OBJECT

private:
    static QVariantMap input(const QString &topic)
    {
        return AppTestServer::meetingInput(topic).toVariantMap();
    }

    std::unique_ptr<MeetingListModel> freshModel()
    {
        auto model = std::make_unique<MeetingListModel>();
        m_app->attach(*model);
        model->setPageSize(2);
        return model;
    }

    QStringList topics(const MeetingListModel &model) const
    {
        QStringList topics;
        for (int row = 0; row < model.rowCount(); ++row)
            topics << model.get(row).value(u"topic"_s).toString();
        return topics;
    }

    std::unique_ptr<AppTestServer> m_app;

private Q_SLOTS:
    void initTestCase()
    {
        m_app = std::make_unique<AppTestServer>();
        QVERIFY2(m_app->start(), m_app->standardError().constData());

        // Five meetings through the model's own action.
        MeetingListModel scheduler;
        scheduler.setClient(m_app->client());
        for (const QString &topic :
             {u"Stand-up"_s, u"Retro"_s, u"Planning"_s, u"Stand-up 2"_s, u"Review"_s})
            QVERIFY(waitFor(scheduler.schedule(input(topic))).ok);
    }

    void cleanupTestCase() { m_app.reset(); }

    void fillsAndPagesThroughTheCursor()
    {
        auto model = freshModel();
        QSignalSpy loaded(model.get(), &PagedListModel::loaded);

        model->refresh();
        QTRY_VERIFY(model->count() >= 2);
        // The view (here the model tester) may ask for the next page too: keep asking until
        // the cursor runs out.
        QTRY_VERIFY(AppTestServer::pagedToTheEnd(*model));

        QCOMPARE(model->count(), 5);
        QVERIFY(!model->isBusy());
        QVERIFY(model->error().isEmpty());
        const QHash<int, QByteArray> roles = model->roleNames();
        const int topicRole = roles.key("topic");
        const int durationRole = roles.key("durationMinutes");
        QVERIFY(topicRole > 0 && durationRole > 0);
        QCOMPARE(model->data(model->index(0), durationRole).toInt(), 30);
    }

    void searchTextMatchesTopicsHere()
    {
        auto model = freshModel();
        model->setPageSize(50);
        model->refresh();
        QTRY_COMPARE(model->count(), 5);

        model->setSearchText(u"stand"_s);
        QStringList found = topics(*model);
        found.sort();
        QCOMPARE(found, (QStringList{u"Stand-up"_s, u"Stand-up 2"_s}));

        model->setSearchText({});
        QCOMPARE(model->count(), 5);
    }

    void stateFilterGoesToTheApi()
    {
        auto model = freshModel();
        model->setPageSize(50);
        model->refresh();
        QTRY_COMPARE(model->count(), 5);
        const QString cancelledId = model->get(0).value(u"id"_s).toString();
        QVERIFY(waitFor(model->cancel(cancelledId)).ok);
        QTRY_COMPARE(model->get(model->indexOf(cancelledId)).value(u"state"_s).toString(),
                     u"CANCELLED"_s);

        model->setStateFilter(u"CANCELLED"_s);
        QTRY_COMPARE(model->count(), 1);
        QCOMPARE(model->get(0).value(u"id"_s).toString(), cancelledId);

        model->setStateFilter(u"SCHEDULED"_s);
        QTRY_COMPARE(model->count(), 4);
    }

    void scheduleMapsValidationErrorsToFields_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QVariant>("value");
        QTest::newRow("an empty topic") << u"topic"_s << QVariant(QString());
        QTest::newRow("a start time in the past")
            << u"start_time"_s << QVariant(u"2001-01-01T09:00:00Z"_s);
        QTest::newRow("a duration of zero minutes") << u"duration_minutes"_s << QVariant(0);
    }

    void scheduleMapsValidationErrorsToFields()
    {
        QFETCH(QString, field);
        QFETCH(QVariant, value);
        auto model = freshModel();
        QVariantMap meeting = input(u"Bad"_s);
        meeting.insert(field, value);

        const CallOutcome outcome = waitFor(model->schedule(meeting));

        QCOMPARE(outcome.status, 400);
        QVERIFY2(outcome.fieldErrors.contains(field),
                 qPrintable(outcome.fieldErrors.keys().join(u',')));
        QCOMPARE(model->count(), 0);
    }

    void updateShowsTheNewVersion()
    {
        auto model = freshModel();
        model->setPageSize(50);
        model->refresh();
        QTRY_VERIFY(model->count() > 0);
        const int row = model->indexOf(model->get(model->count() - 1).value(u"id"_s).toString());
        const QString id = model->get(row).value(u"id"_s).toString();
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);

        const CallOutcome outcome = waitFor(model->update(id, {{u"topic"_s, u"Renamed"_s}}));

        QVERIFY2(outcome.ok, qPrintable(outcome.message));
        QCOMPARE(model->get(model->indexOf(id)).value(u"topic"_s).toString(), u"Renamed"_s);
        QVERIFY(!changed.isEmpty());

        // The row's version went with it: a second update passes If-Match too.
        QVERIFY(waitFor(model->update(id, {{u"topic"_s, u"Renamed again"_s}})).ok);
    }

    void aRefreshShowsChangesMadeElsewhere()
    {
        auto model = freshModel();
        model->setPageSize(50);
        model->refresh();
        QTRY_VERIFY(model->count() > 0);
        const int before = model->count();
        QVERIFY(waitFor(m_app->client()->post(u"/v1/meetings"_s,
                                              AppTestServer::meetingInput(u"Elsewhere"_s)))
                    .ok);

        model->refresh();

        QTRY_COMPARE(model->count(), before + 1);
        QVERIFY(topics(*model).contains(u"Elsewhere"_s));
    }

    void withoutAClientActionsFailInWords()
    {
        MeetingListModel model;
        const CallOutcome outcome = waitFor(model.schedule(input(u"x"_s)));
        QVERIFY(outcome.done && !outcome.ok);
        QVERIFY(!outcome.message.isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_MeetingListModel)
#include "tst_meeting_list_model.moc"
