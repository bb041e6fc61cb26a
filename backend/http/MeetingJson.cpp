#include "MeetingJson.h"

#include "JsonInput.h"
#include "core/MeetingStateMachine.h"
#include "core/TimeRules.h"
#include "core/Validation.h"
#include "server/MeetingService.h"

namespace quorum::meetingjson {

namespace {

const QStringList kTopLevel{QStringLiteral("topic"),    QStringLiteral("start_time"),
                            QStringLiteral("timezone"), QStringLiteral("duration_minutes"),
                            QStringLiteral("passcode"), QStringLiteral("waiting_room"),
                            QStringLiteral("settings"), QStringLiteral("host_id")};
const QStringList kSettings{QStringLiteral("auto_recording"), QStringLiteral("mute_upon_entry"),
                            QStringLiteral("allow_join_before_host")};

void check(JsonInput &input, const QString &field, const std::optional<QString> &problem)
{
    if (problem)
        input.fail(field, *problem);
}

struct SettingsInput
{
    std::optional<AutoRecording> autoRecording;
    std::optional<bool> muteUponEntry;
    std::optional<bool> allowJoinBeforeHost;
};

SettingsInput readSettings(JsonInput &input)
{
    SettingsInput settings;
    if (input.has(QStringLiteral("settings")) && input.isNull(QStringLiteral("settings"))) {
        input.fail(QStringLiteral("settings"), QStringLiteral("cannot be null"));
        return settings;
    }
    const auto object = input.object(QStringLiteral("settings"));
    if (!object)
        return settings;
    JsonInput nested(*object, QStringLiteral("settings"));
    nested.allowOnly(kSettings);
    for (const QString &name :
         {QStringLiteral("mute_upon_entry"), QStringLiteral("allow_join_before_host")}) {
        if (nested.has(name) && nested.isNull(name))
            nested.fail(name, QStringLiteral("cannot be null"));
    }
    if (nested.has(QStringLiteral("auto_recording"))
        && nested.isNull(QStringLiteral("auto_recording")))
        nested.fail(QStringLiteral("auto_recording"), QStringLiteral("cannot be null"));
    if (const auto mode = nested.string(QStringLiteral("auto_recording"))) {
        settings.autoRecording = autoRecordingFromName(*mode);
        if (!settings.autoRecording)
            nested.fail(QStringLiteral("auto_recording"),
                        QStringLiteral("must be none, local or cloud"));
    }
    settings.muteUponEntry = nested.boolean(QStringLiteral("mute_upon_entry"));
    settings.allowJoinBeforeHost = nested.boolean(QStringLiteral("allow_join_before_host"));
    input.absorb(nested);
    return settings;
}

std::optional<QString> readTimeZone(JsonInput &input)
{
    const auto zone = input.string(QStringLiteral("timezone"));
    if (zone && !timerules::isKnownTimeZone(*zone)) {
        input.fail(QStringLiteral("timezone"),
                   QStringLiteral("must be an IANA time zone name such as Europe/Berlin"));
        return std::nullopt;
    }
    return zone;
}

std::optional<QDateTime> readStartTime(JsonInput &input, const QString &zone, bool required)
{
    const auto text = input.string(QStringLiteral("start_time"), required);
    if (!text)
        return std::nullopt;
    const auto resolved = timerules::resolveStartTime(*text, zone);
    if (!resolved) {
        for (const FieldError &field : resolved.error().fields)
            input.fail(QStringLiteral("start_time"), field.message);
        if (resolved.error().fields.isEmpty())
            input.fail(QStringLiteral("start_time"), resolved.error().detail);
        return std::nullopt;
    }
    return resolved->utc;
}

void rejectNulls(JsonInput &input, const QStringList &names)
{
    for (const QString &name : names) {
        if (input.has(name) && input.isNull(name))
            input.fail(name, QStringLiteral("cannot be null"));
    }
}

} // namespace

Result<Meeting> parseNew(const QJsonObject &body, const QDateTime &now)
{
    JsonInput input(body);
    input.allowOnly(kTopLevel);

    Meeting meeting;
    if (const auto topic = input.string(QStringLiteral("topic"), true)) {
        check(input, QStringLiteral("topic"), validation::checkTopic(*topic));
        meeting.topic = *topic;
    }
    const auto zone = readTimeZone(input);
    meeting.timeZone = zone.value_or(QStringLiteral("UTC"));
    if (const auto start = readStartTime(input, meeting.timeZone, true)) {
        check(input, QStringLiteral("start_time"), meetingrules::checkStartNotPast(*start, now));
        meeting.startTime = *start;
    }
    if (const auto duration = input.integer(QStringLiteral("duration_minutes"), true)) {
        check(input, QStringLiteral("duration_minutes"),
              validation::checkDurationMinutes(*duration));
        meeting.durationMinutes = int(std::clamp<qint64>(*duration, 0, 100000));
    }
    if (const auto passcode = input.string(QStringLiteral("passcode"))) {
        check(input, QStringLiteral("passcode"), validation::checkPasscode(*passcode));
        meeting.passcode = *passcode;
    }
    if (const auto waitingRoom = input.boolean(QStringLiteral("waiting_room")))
        meeting.waitingRoom = *waitingRoom;
    const SettingsInput settings = readSettings(input);
    meeting.settings.autoRecording = settings.autoRecording.value_or(AutoRecording::None);
    meeting.settings.muteUponEntry = settings.muteUponEntry.value_or(true);
    meeting.settings.allowJoinBeforeHost = settings.allowJoinBeforeHost.value_or(false);
    if (const auto host = input.string(QStringLiteral("host_id")))
        meeting.hostId = *host;

    if (!input.ok())
        return input.error();
    return meeting;
}

Result<MeetingPatch> parsePatch(const QJsonObject &body, const Meeting &current,
                                const QDateTime &now)
{
    JsonInput input(body);
    QStringList allowed = kTopLevel;
    allowed.removeAll(QStringLiteral("host_id"));
    input.allowOnly(allowed);
    rejectNulls(input,
                {QStringLiteral("topic"), QStringLiteral("start_time"), QStringLiteral("timezone"),
                 QStringLiteral("duration_minutes"), QStringLiteral("waiting_room")});

    MeetingPatch patch;
    if (const auto topic = input.string(QStringLiteral("topic"))) {
        check(input, QStringLiteral("topic"), validation::checkTopic(*topic));
        patch.topic = *topic;
    }
    patch.timeZone = readTimeZone(input);
    if (const auto start = readStartTime(input, patch.timeZone.value_or(current.timeZone), false)) {
        // Only a SCHEDULED meeting can move; a LIVE one answers meeting_live, not "past".
        if (current.state == MeetingState::Scheduled)
            check(input, QStringLiteral("start_time"),
                  meetingrules::checkStartNotPast(*start, now));
        patch.startTime = *start;
    }
    if (const auto duration = input.integer(QStringLiteral("duration_minutes"))) {
        check(input, QStringLiteral("duration_minutes"),
              validation::checkDurationMinutes(*duration));
        patch.durationMinutes = int(std::clamp<qint64>(*duration, 0, 100000));
    }
    if (input.has(QStringLiteral("passcode"))) {
        if (input.isNull(QStringLiteral("passcode"))) {
            patch.passcode = std::optional<QString>();
        } else if (const auto passcode = input.string(QStringLiteral("passcode"))) {
            check(input, QStringLiteral("passcode"), validation::checkPasscode(*passcode));
            patch.passcode = std::optional<QString>(*passcode);
        }
    }
    patch.waitingRoom = input.boolean(QStringLiteral("waiting_room"));
    const SettingsInput settings = readSettings(input);
    patch.autoRecording = settings.autoRecording;
    patch.muteUponEntry = settings.muteUponEntry;
    patch.allowJoinBeforeHost = settings.allowJoinBeforeHost;

    if (!input.ok())
        return input.error();
    return patch;
}

static QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(timerules::formatUtc(time)) : QJsonValue(QJsonValue::Null);
}

QJsonObject toJson(const MeetingView &view, const QString &publicUrl, const LivePart &live)
{
    const Meeting &m = view.meeting;
    QJsonObject json{
        {QStringLiteral("id"), m.id},
        {QStringLiteral("workspace_id"), m.workspaceId},
        {QStringLiteral("host_id"), m.hostId},
        {QStringLiteral("topic"), m.topic},
        {QStringLiteral("start_time"), timerules::formatUtc(m.startTime)},
        {QStringLiteral("timezone"), m.timeZone},
        {QStringLiteral("duration_minutes"), m.durationMinutes},
        {QStringLiteral("has_passcode"), m.passcode.has_value()},
        {QStringLiteral("waiting_room"), m.waitingRoom},
        {QStringLiteral("settings"),
         QJsonObject{
             {QStringLiteral("auto_recording"), autoRecordingName(m.settings.autoRecording)},
             {QStringLiteral("mute_upon_entry"), m.settings.muteUponEntry},
             {QStringLiteral("allow_join_before_host"), m.settings.allowJoinBeforeHost}}},
        {QStringLiteral("state"), meetingStateName(m.state)},
        {QStringLiteral("join_url"), publicUrl + QStringLiteral("/j/") + m.id},
        {QStringLiteral("start_url"),
         publicUrl + QStringLiteral("/j/") + m.id + QStringLiteral("?as=host")},
        {QStringLiteral("created_at"), timerules::formatUtc(m.createdAt)},
        {QStringLiteral("updated_at"), timerules::formatUtc(m.updatedAt)},
        {QStringLiteral("ended_at"), timeOrNull(m.endedAt)},
        {QStringLiteral("version"), m.version},
    };
    if (view.mayChange)
        json.insert(QStringLiteral("passcode"),
                    m.passcode ? QJsonValue(*m.passcode) : QJsonValue(QJsonValue::Null));
    if (m.state == MeetingState::Live) {
        const QJsonValue recording = live.recordingId.isEmpty()
            ? QJsonValue(QJsonValue::Null)
            : QJsonObject{{QStringLiteral("id"), live.recordingId},
                          {QStringLiteral("state"), QStringLiteral("recording")}};
        json.insert(QStringLiteral("live"),
                    QJsonObject{{QStringLiteral("started_at"), timeOrNull(m.startedAt)},
                                {QStringLiteral("participant_count"), live.participantCount},
                                {QStringLiteral("recording"), recording}});
    } else
        json.insert(QStringLiteral("live"), QJsonValue(QJsonValue::Null));
    return json;
}

QByteArray etag(const Meeting &meeting)
{
    return "\"v" + QByteArray::number(meeting.version) + '"';
}

} // namespace quorum::meetingjson
