#include "CoreTestPrinters.h"

#include "core/MeetingStateMachine.h"
#include "core/TimeRules.h"

#include <QtTest/QTest>

using namespace quorum;
using meetingrules::Transition;

Q_DECLARE_METATYPE(quorum::MeetingState)
Q_DECLARE_METATYPE(quorum::ErrorCode)
Q_DECLARE_METATYPE(quorum::MeetingPatch)
Q_DECLARE_METATYPE(quorum::meetingrules::Transition)

namespace {

const QDateTime kNow(QDate(2026, 5, 4), QTime(12, 0), Qt::UTC);

// A valid SCHEDULED meeting tomorrow, with settings that differ from the defaults so that a
// partial update that resets them shows.
Meeting scheduledMeeting()
{
    Meeting m;
    m.id = QStringLiteral("mtg_3xY9aZ0bC1dE2fG3hI4jK5");
    m.workspaceId = QStringLiteral("wsp_1");
    m.hostId = QStringLiteral("usr_1");
    m.topic = QStringLiteral("Weekly sync");
    m.timeZone = QStringLiteral("Europe/Berlin");
    m.startTime = kNow.addDays(1);
    m.durationMinutes = 60;
    m.passcode = QStringLiteral("w46@_*-x9Z");
    m.waitingRoom = false;
    m.settings = {AutoRecording::Cloud, false, true};
    m.version = 3;
    m.createdAt = kNow.addDays(-1);
    m.updatedAt = kNow.addDays(-1);
    return m;
}

Meeting meetingIn(MeetingState state)
{
    Meeting m = scheduledMeeting();
    m.state = state;
    if (state != MeetingState::Scheduled && state != MeetingState::Cancelled)
        m.startedAt = kNow.addSecs(-600);
    if (state == MeetingState::Ended)
        m.endedAt = kNow.addSecs(-60);
    return m;
}

QString fieldsOf(const Error &error)
{
    QStringList names;
    for (const FieldError &field : error.fields)
        names.append(field.field);
    return names.join(QLatin1Char(','));
}

template<typename T>
MeetingPatch patchWith(std::optional<T> MeetingPatch::*member, T value)
{
    MeetingPatch patch;
    patch.*member = std::move(value);
    return patch;
}

} // namespace

class tst_MeetingStateMachine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stateNames_data();
    void stateNames();
    void autoRecordingNames();
    void checkTransition_data();
    void checkTransition();
    void applyTransition_data();
    void applyTransition();
    void checkPatch_data();
    void checkPatch();
    void applyPatchChangesOnlyWhatIsPresent_data();
    void applyPatchChangesOnlyWhatIsPresent();
    void applyPatchClearsAPasscodeWithNull();
    void patchIsEmpty();
    void checkNewMeeting_data();
    void checkNewMeeting();
    void checkNewMeetingListsEveryBadField();
    void checkJoinable_data();
    void checkJoinable();
};

void tst_MeetingStateMachine::stateNames_data()
{
    QTest::addColumn<MeetingState>("state");
    QTest::addColumn<QString>("name");

    QTest::newRow("SCHEDULED") << MeetingState::Scheduled << QStringLiteral("SCHEDULED");
    QTest::newRow("LIVE") << MeetingState::Live << QStringLiteral("LIVE");
    QTest::newRow("ENDED") << MeetingState::Ended << QStringLiteral("ENDED");
    QTest::newRow("CANCELLED") << MeetingState::Cancelled << QStringLiteral("CANCELLED");
}

void tst_MeetingStateMachine::stateNames()
{
    QFETCH(MeetingState, state);
    QFETCH(QString, name);

    QCOMPARE(meetingStateName(state), name);
    QCOMPARE(meetingStateFromName(name), std::optional<MeetingState>(state));
    QCOMPARE(meetingStateFromName(name.toLower()), std::nullopt);
}

void tst_MeetingStateMachine::autoRecordingNames()
{
    for (AutoRecording mode : {AutoRecording::None, AutoRecording::Local, AutoRecording::Cloud})
        QCOMPARE(autoRecordingFromName(autoRecordingName(mode)), std::optional(mode));

    QCOMPARE(autoRecordingName(AutoRecording::Local), QStringLiteral("local"));
    QCOMPARE(autoRecordingFromName(u"CLOUD"), std::nullopt);
    QCOMPARE(autoRecordingFromName(u""), std::nullopt);
}

void tst_MeetingStateMachine::checkTransition_data()
{
    QTest::addColumn<MeetingState>("from");
    QTest::addColumn<Transition>("transition");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<ErrorCode>("code");

    const ErrorCode none = ErrorCode::Internal;
    QTest::newRow("a SCHEDULED meeting goes live")
        << MeetingState::Scheduled << Transition::GoLive << true << none;
    QTest::newRow("a SCHEDULED meeting cannot end before it began")
        << MeetingState::Scheduled << Transition::End << false << ErrorCode::Conflict;
    QTest::newRow("a SCHEDULED meeting can be cancelled")
        << MeetingState::Scheduled << Transition::Cancel << true << none;
    QTest::newRow("a LIVE meeting cannot go live again")
        << MeetingState::Live << Transition::GoLive << false << ErrorCode::Conflict;
    QTest::newRow("a LIVE meeting ends") << MeetingState::Live << Transition::End << true << none;
    QTest::newRow("cancelling a LIVE meeting answers meeting_live")
        << MeetingState::Live << Transition::Cancel << false << ErrorCode::MeetingLive;
    QTest::newRow("an ENDED meeting cannot go live")
        << MeetingState::Ended << Transition::GoLive << false << ErrorCode::MeetingClosed;
    QTest::newRow("an ENDED meeting cannot end again")
        << MeetingState::Ended << Transition::End << false << ErrorCode::MeetingClosed;
    QTest::newRow("an ENDED meeting cannot be cancelled")
        << MeetingState::Ended << Transition::Cancel << false << ErrorCode::MeetingClosed;
    QTest::newRow("a CANCELLED meeting cannot go live")
        << MeetingState::Cancelled << Transition::GoLive << false << ErrorCode::MeetingClosed;
    QTest::newRow("a CANCELLED meeting cannot end")
        << MeetingState::Cancelled << Transition::End << false << ErrorCode::MeetingClosed;
    QTest::newRow("a CANCELLED meeting cannot be cancelled again")
        << MeetingState::Cancelled << Transition::Cancel << false << ErrorCode::MeetingClosed;
}

void tst_MeetingStateMachine::checkTransition()
{
    QFETCH(MeetingState, from);
    QFETCH(Transition, transition);
    QFETCH(bool, allowed);
    QFETCH(ErrorCode, code);

    const Status status = meetingrules::checkTransition(from, transition);

    QCOMPARE(status.ok(), allowed);
    if (!allowed) {
        QCOMPARE(status.error().code, code);
        QVERIFY(!status.error().detail.isEmpty());
    }
}

void tst_MeetingStateMachine::applyTransition_data()
{
    QTest::addColumn<MeetingState>("from");
    QTest::addColumn<Transition>("transition");
    QTest::addColumn<MeetingState>("to");

    QTest::newRow("going live makes the meeting LIVE and stamps started_at")
        << MeetingState::Scheduled << Transition::GoLive << MeetingState::Live;
    QTest::newRow("ending makes the meeting ENDED and stamps ended_at")
        << MeetingState::Live << Transition::End << MeetingState::Ended;
    QTest::newRow("cancelling makes the meeting CANCELLED")
        << MeetingState::Scheduled << Transition::Cancel << MeetingState::Cancelled;
}

void tst_MeetingStateMachine::applyTransition()
{
    QFETCH(MeetingState, from);
    QFETCH(Transition, transition);
    QFETCH(MeetingState, to);
    const Meeting before = meetingIn(from);

    const Meeting after = meetingrules::applyTransition(before, transition, kNow);

    QCOMPARE(after.state, to);
    QCOMPARE(after.version, before.version + 1);
    QCOMPARE(after.updatedAt, kNow);
    QCOMPARE(after.startedAt, transition == Transition::GoLive ? kNow : before.startedAt);
    QCOMPARE(after.endedAt, transition == Transition::End ? kNow : before.endedAt);
    QCOMPARE(after.topic, before.topic);
    QCOMPARE(after.startTime, before.startTime);
}

void tst_MeetingStateMachine::checkPatch_data()
{
    QTest::addColumn<MeetingState>("state");
    QTest::addColumn<MeetingPatch>("patch");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("fields");

    const ErrorCode none = ErrorCode::Internal;
    const auto scheduled = MeetingState::Scheduled;
    const auto live = MeetingState::Live;
    const QDateTime future = QDateTime(QDate(2026, 6, 1), QTime(10, 0), Qt::UTC);
    const QDateTime past = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    const auto topic = patchWith(&MeetingPatch::topic, QStringLiteral("new"));
    const auto startTime = patchWith(&MeetingPatch::startTime, future);

    // C07
    QTest::newRow("start_time on a LIVE meeting answers meeting_live naming the field")
        << live << startTime << false << ErrorCode::MeetingLive << QStringLiteral("start_time");
    QTest::newRow("topic on a LIVE meeting is accepted")
        << live << topic << true << none << QString();
    QTest::newRow("a past start_time on a SCHEDULED meeting is a validation error")
        << scheduled << patchWith(&MeetingPatch::startTime, past) << false
        << ErrorCode::ValidationFailed << QStringLiteral("start_time");
    QTest::newRow("topic on an ENDED meeting answers meeting_closed")
        << MeetingState::Ended << topic << false << ErrorCode::MeetingClosed << QString();
    QTest::newRow("topic on a CANCELLED meeting answers meeting_closed")
        << MeetingState::Cancelled << topic << false << ErrorCode::MeetingClosed << QString();
    QTest::newRow("a nested auto_recording on a SCHEDULED meeting is accepted")
        << scheduled << patchWith(&MeetingPatch::autoRecording, AutoRecording::Local) << true
        << none << QString();
    QTest::newRow("1441 minutes are a validation error naming duration_minutes")
        << scheduled << patchWith(&MeetingPatch::durationMinutes, 1441) << false
        << ErrorCode::ValidationFailed << QStringLiteral("duration_minutes");

    // SCHEDULED accepts every field, when valid.
    MeetingPatch everything;
    everything.topic = QStringLiteral("Planning");
    everything.startTime = future;
    everything.timeZone = QStringLiteral("America/Los_Angeles");
    everything.durationMinutes = 30;
    everything.passcode = std::optional<QString>();
    everything.waitingRoom = true;
    everything.autoRecording = AutoRecording::None;
    everything.muteUponEntry = true;
    everything.allowJoinBeforeHost = false;
    QTest::newRow("a SCHEDULED meeting accepts every field at once")
        << scheduled << everything << true << none << QString();
    QTest::newRow("an empty patch is accepted")
        << scheduled << MeetingPatch() << true << none << QString();
    QTest::newRow("a start_time 30 seconds ago is within the allowed clock skew")
        << scheduled << patchWith(&MeetingPatch::startTime, kNow.addSecs(-30)) << true << none
        << QString();
    QTest::newRow("a start_time two minutes ago is in the past")
        << scheduled << patchWith(&MeetingPatch::startTime, kNow.addSecs(-120)) << false
        << ErrorCode::ValidationFailed << QStringLiteral("start_time");
    QTest::newRow("a passcode outside the allowed set names passcode")
        << scheduled
        << patchWith(&MeetingPatch::passcode, std::optional(QStringLiteral("w46!(i{74n"))) << false
        << ErrorCode::ValidationFailed << QStringLiteral("passcode");
    QTest::newRow("an empty topic names topic")
        << scheduled << patchWith(&MeetingPatch::topic, QString()) << false
        << ErrorCode::ValidationFailed << QStringLiteral("topic");
    QTest::newRow("an unknown time zone names timezone")
        << scheduled << patchWith(&MeetingPatch::timeZone, QStringLiteral("Mars/Base")) << false
        << ErrorCode::ValidationFailed << QStringLiteral("timezone");
    MeetingPatch threeBad;
    threeBad.topic = QString();
    threeBad.durationMinutes = 0;
    threeBad.startTime = past;
    QTest::newRow("every bad field of a SCHEDULED patch is listed")
        << scheduled << threeBad << false << ErrorCode::ValidationFailed
        << QStringLiteral("topic,duration_minutes,start_time");

    // LIVE accepts only topic and a longer duration.
    QTest::newRow("a longer duration on a LIVE meeting is accepted")
        << live << patchWith(&MeetingPatch::durationMinutes, 90) << true << none << QString();
    QTest::newRow("the same duration on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::durationMinutes, 60) << false << ErrorCode::MeetingLive
        << QStringLiteral("duration_minutes");
    QTest::newRow("a shorter duration on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::durationMinutes, 30) << false << ErrorCode::MeetingLive
        << QStringLiteral("duration_minutes");
    QTest::newRow("a longer duration beyond 1440 on a LIVE meeting is a validation error")
        << live << patchWith(&MeetingPatch::durationMinutes, 1441) << false
        << ErrorCode::ValidationFailed << QStringLiteral("duration_minutes");
    QTest::newRow("a bad topic on a LIVE meeting is a validation error")
        << live << patchWith(&MeetingPatch::topic, QStringLiteral("a").repeated(201)) << false
        << ErrorCode::ValidationFailed << QStringLiteral("topic");
    QTest::newRow("timezone on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::timeZone, QStringLiteral("UTC")) << false
        << ErrorCode::MeetingLive << QStringLiteral("timezone");
    QTest::newRow("a new passcode on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::passcode, std::optional(QStringLiteral("1234")))
        << false << ErrorCode::MeetingLive << QStringLiteral("passcode");
    QTest::newRow("clearing the passcode of a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::passcode, std::optional<QString>()) << false
        << ErrorCode::MeetingLive << QStringLiteral("passcode");
    QTest::newRow("waiting_room on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::waitingRoom, true) << false << ErrorCode::MeetingLive
        << QStringLiteral("waiting_room");
    QTest::newRow("auto_recording on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::autoRecording, AutoRecording::Local) << false
        << ErrorCode::MeetingLive << QStringLiteral("settings.auto_recording");
    QTest::newRow("mute_upon_entry on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::muteUponEntry, true) << false << ErrorCode::MeetingLive
        << QStringLiteral("settings.mute_upon_entry");
    QTest::newRow("allow_join_before_host on a LIVE meeting answers meeting_live")
        << live << patchWith(&MeetingPatch::allowJoinBeforeHost, false) << false
        << ErrorCode::MeetingLive << QStringLiteral("settings.allow_join_before_host");
    MeetingPatch topicAndStart = topic;
    topicAndStart.startTime = future;
    QTest::newRow("topic with start_time on a LIVE meeting is refused as a whole")
        << live << topicAndStart << false << ErrorCode::MeetingLive << QStringLiteral("start_time");
    QTest::newRow("an empty patch on an ENDED meeting answers meeting_closed")
        << MeetingState::Ended << MeetingPatch() << false << ErrorCode::MeetingClosed << QString();
}

void tst_MeetingStateMachine::checkPatch()
{
    QFETCH(MeetingState, state);
    QFETCH(MeetingPatch, patch);
    QFETCH(bool, allowed);
    QFETCH(ErrorCode, code);
    QFETCH(QString, fields);

    const Status status = meetingrules::checkPatch(meetingIn(state), patch, kNow);

    QVERIFY2(status.ok() == allowed, qPrintable(status ? QString() : status.error().detail));
    if (!allowed) {
        QCOMPARE(status.error().code, code);
        QCOMPARE(fieldsOf(status.error()), fields);
        for (const QString &field : fields.split(QLatin1Char(','), Qt::SkipEmptyParts))
            QVERIFY2(status.error().detail.contains(field), qPrintable(status.error().detail));
    }
}

void tst_MeetingStateMachine::applyPatchChangesOnlyWhatIsPresent_data()
{
    QTest::addColumn<MeetingPatch>("patch");
    QTest::addColumn<Meeting>("expected");

    const Meeting base = scheduledMeeting();

    Meeting recordingLocal = base;
    recordingLocal.settings.autoRecording = AutoRecording::Local;
    QTest::newRow("a nested auto_recording changes only auto_recording")
        << patchWith(&MeetingPatch::autoRecording, AutoRecording::Local) << recordingLocal;

    Meeting muted = base;
    muted.settings.muteUponEntry = true;
    QTest::newRow("a nested mute_upon_entry changes only mute_upon_entry")
        << patchWith(&MeetingPatch::muteUponEntry, true) << muted;

    Meeting retitled = base;
    retitled.topic = QStringLiteral("Retro");
    QTest::newRow("a topic changes only the topic")
        << patchWith(&MeetingPatch::topic, QStringLiteral("Retro")) << retitled;

    MeetingPatch move;
    move.startTime = QDateTime(QDate(2026, 6, 1), QTime(10, 0), Qt::UTC);
    move.timeZone = QStringLiteral("America/Los_Angeles");
    move.durationMinutes = 45;
    Meeting moved = base;
    moved.startTime = *move.startTime;
    moved.timeZone = *move.timeZone;
    moved.durationMinutes = 45;
    QTest::newRow("start_time, timezone and duration change together") << move << moved;
}

void tst_MeetingStateMachine::applyPatchChangesOnlyWhatIsPresent()
{
    QFETCH(MeetingPatch, patch);
    QFETCH(Meeting, expected);
    const Meeting before = scheduledMeeting();
    const QDateTime later = kNow.addSecs(5);

    const Meeting after = meetingrules::applyPatch(before, patch, later);

    QCOMPARE(after.topic, expected.topic);
    QCOMPARE(after.startTime, expected.startTime);
    QCOMPARE(after.timeZone, expected.timeZone);
    QCOMPARE(after.durationMinutes, expected.durationMinutes);
    QCOMPARE(after.passcode, expected.passcode);
    QCOMPARE(after.waitingRoom, expected.waitingRoom);
    QCOMPARE(after.settings.autoRecording, expected.settings.autoRecording);
    QCOMPARE(after.settings.muteUponEntry, expected.settings.muteUponEntry);
    QCOMPARE(after.settings.allowJoinBeforeHost, expected.settings.allowJoinBeforeHost);
    QCOMPARE(after.state, before.state);
    QCOMPARE(after.createdAt, before.createdAt);
    QCOMPARE(after.updatedAt, later);
    QCOMPARE(after.version, before.version + 1);
}

void tst_MeetingStateMachine::applyPatchClearsAPasscodeWithNull()
{
    const Meeting before = scheduledMeeting();
    QVERIFY(before.passcode.has_value());

    const Meeting after = meetingrules::applyPatch(
        before, patchWith(&MeetingPatch::passcode, std::optional<QString>()), kNow);

    QCOMPARE(after.passcode, std::nullopt);
    QCOMPARE(after.topic, before.topic);
}

void tst_MeetingStateMachine::patchIsEmpty()
{
    QVERIFY(MeetingPatch().isEmpty());
    QVERIFY(!patchWith(&MeetingPatch::allowJoinBeforeHost, false).isEmpty());
    QVERIFY(!patchWith(&MeetingPatch::passcode, std::optional<QString>()).isEmpty());
}

void tst_MeetingStateMachine::checkNewMeeting_data()
{
    QTest::addColumn<Meeting>("meeting");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<QString>("fields");

    const Meeting valid = scheduledMeeting();
    QTest::newRow("a valid meeting tomorrow is accepted") << valid << true << QString();

    Meeting now = valid;
    now.startTime = kNow.addSecs(-59);
    QTest::newRow("a meeting starting 59 seconds ago is within the clock skew")
        << now << true << QString();

    Meeting noPasscode = valid;
    noPasscode.passcode.reset();
    QTest::newRow("a meeting without a passcode is accepted") << noPasscode << true << QString();

    Meeting emojiTopic = valid;
    emojiTopic.topic = QStringLiteral("\U0001F600").repeated(200);
    QTest::newRow("200 emoji as the topic are accepted") << emojiTopic << true << QString();

    Meeting past = valid;
    past.startTime = QDateTime(QDate(2020, 1, 1), QTime(0, 0), Qt::UTC);
    QTest::newRow("a start_time in the past names start_time")
        << past << false << QStringLiteral("start_time");

    Meeting noStart = valid;
    noStart.startTime = QDateTime();
    QTest::newRow("a missing start_time names start_time")
        << noStart << false << QStringLiteral("start_time");

    Meeting longTopic = valid;
    longTopic.topic = QStringLiteral("a").repeated(201);
    QTest::newRow("201 characters of topic name topic")
        << longTopic << false << QStringLiteral("topic");

    Meeting badPasscode = valid;
    badPasscode.passcode = QStringLiteral(" 1234 ");
    QTest::newRow("a passcode with spaces names passcode")
        << badPasscode << false << QStringLiteral("passcode");

    Meeting emptyPasscode = valid;
    emptyPasscode.passcode = QString();
    QTest::newRow("an empty passcode names passcode")
        << emptyPasscode << false << QStringLiteral("passcode");

    Meeting tooLong = valid;
    tooLong.durationMinutes = 1441;
    QTest::newRow("1441 minutes name duration_minutes")
        << tooLong << false << QStringLiteral("duration_minutes");

    Meeting noDuration = valid;
    noDuration.durationMinutes = 0;
    QTest::newRow("zero minutes name duration_minutes")
        << noDuration << false << QStringLiteral("duration_minutes");

    Meeting badZone = valid;
    badZone.timeZone = QStringLiteral("Europe/Atlantis");
    QTest::newRow("an unknown time zone names timezone")
        << badZone << false << QStringLiteral("timezone");
}

void tst_MeetingStateMachine::checkNewMeeting()
{
    QFETCH(Meeting, meeting);
    QFETCH(bool, allowed);
    QFETCH(QString, fields);

    const Status status = meetingrules::checkNewMeeting(meeting, kNow);

    QVERIFY2(status.ok() == allowed, qPrintable(status ? QString() : status.error().detail));
    if (!allowed) {
        QCOMPARE(status.error().code, ErrorCode::ValidationFailed);
        QCOMPARE(fieldsOf(status.error()), fields);
    }
}

void tst_MeetingStateMachine::checkNewMeetingListsEveryBadField()
{
    Meeting m = scheduledMeeting();
    m.topic.clear();
    m.durationMinutes = 2000;
    m.passcode = QStringLiteral("w46!(i{74n");

    const Status status = meetingrules::checkNewMeeting(m, kNow);

    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, ErrorCode::ValidationFailed);
    QCOMPARE(fieldsOf(status.error()), QStringLiteral("topic,duration_minutes,passcode"));
    QVERIFY(status.error().fields.last().message.contains(QStringLiteral("A-Z a-z 0-9 @ _ * -")));
}

void tst_MeetingStateMachine::checkJoinable_data()
{
    QTest::addColumn<MeetingState>("state");
    QTest::addColumn<bool>("joinable");
    QTest::addColumn<ErrorCode>("code");

    QTest::newRow("a SCHEDULED meeting can be joined")
        << MeetingState::Scheduled << true << ErrorCode::Internal;
    QTest::newRow("a LIVE meeting can be joined")
        << MeetingState::Live << true << ErrorCode::Internal;
    QTest::newRow("an ENDED meeting answers meeting_ended")
        << MeetingState::Ended << false << ErrorCode::MeetingEnded;
    QTest::newRow("a CANCELLED meeting answers meeting_cancelled")
        << MeetingState::Cancelled << false << ErrorCode::MeetingCancelled;
}

void tst_MeetingStateMachine::checkJoinable()
{
    QFETCH(MeetingState, state);
    QFETCH(bool, joinable);
    QFETCH(ErrorCode, code);

    const Status status = meetingrules::checkJoinable(state);

    QCOMPARE(status.ok(), joinable);
    if (!joinable)
        QCOMPARE(status.error().code, code);
}

QTEST_APPLESS_MAIN(tst_MeetingStateMachine)
#include "tst_meetingstatemachine.moc"
