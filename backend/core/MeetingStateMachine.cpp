#include "MeetingStateMachine.h"

#include "TimeRules.h"
#include "Validation.h"

namespace quorum::meetingrules {

namespace {

// Gathers every failing field of one request, so that the client fixes them all at once.
class FieldErrors
{
public:
    void check(const QString &field, const std::optional<QString> &message)
    {
        if (message)
            m_fields.append({field, *message});
    }

    Status status() const
    {
        if (m_fields.isEmpty())
            return success();

        Error error{ErrorCode::ValidationFailed, m_fields.first().message, m_fields};
        if (m_fields.size() > 1) {
            QStringList names;
            for (const FieldError &field : m_fields)
                names.append(field.field);
            error.detail = QStringLiteral("%1 fields are invalid: %2")
                               .arg(m_fields.size())
                               .arg(names.join(QStringLiteral(", ")));
        }
        return error;
    }

private:
    QList<FieldError> m_fields;
};

std::optional<QString> checkNotPast(const QDateTime &startTime, const QDateTime &now)
{
    if (!startTime.isValid())
        return QStringLiteral("start_time must be an RFC 3339 date and time");

    if (startTime.toMSecsSinceEpoch() < now.toMSecsSinceEpoch() - kStartTimeSkewMs) {
        return QStringLiteral("start_time %1 is in the past; it must not be before %2")
            .arg(timerules::formatUtc(startTime), timerules::formatUtc(now));
    }
    return std::nullopt;
}

Error closed(MeetingState state, const QString &what)
{
    return {ErrorCode::MeetingClosed,
            QStringLiteral("the meeting is %1; %2").arg(meetingStateName(state), what),
            {}};
}

Error liveFieldError(const QStringList &fields)
{
    Error error{ErrorCode::MeetingLive,
                QStringLiteral("%1 cannot be changed while the meeting is LIVE; only topic and a "
                               "longer duration_minutes can")
                    .arg(fields.join(QStringLiteral(", "))),
                {}};
    for (const QString &field : fields)
        error.fields.append({field, QStringLiteral("cannot be changed while the meeting is LIVE")});
    return error;
}

// The fields of a patch that a LIVE meeting refuses, by their JSON names.
QStringList fieldsRefusedWhileLive(const MeetingPatch &patch)
{
    QStringList fields;
    if (patch.startTime)
        fields.append(QStringLiteral("start_time"));
    if (patch.timeZone)
        fields.append(QStringLiteral("timezone"));
    if (patch.passcode)
        fields.append(QStringLiteral("passcode"));
    if (patch.waitingRoom)
        fields.append(QStringLiteral("waiting_room"));
    if (patch.autoRecording)
        fields.append(QStringLiteral("settings.auto_recording"));
    if (patch.muteUponEntry)
        fields.append(QStringLiteral("settings.mute_upon_entry"));
    if (patch.allowJoinBeforeHost)
        fields.append(QStringLiteral("settings.allow_join_before_host"));
    return fields;
}

// Range checks of the values a patch carries, whatever the meeting's state.
void checkPatchValues(FieldErrors &errors, const MeetingPatch &patch)
{
    if (patch.topic)
        errors.check(QStringLiteral("topic"), validation::checkTopic(*patch.topic));
    if (patch.durationMinutes) {
        errors.check(QStringLiteral("duration_minutes"),
                     validation::checkDurationMinutes(*patch.durationMinutes));
    }
    if (patch.timeZone)
        errors.check(QStringLiteral("timezone"), validation::checkTimeZone(*patch.timeZone));
    if (patch.passcode && *patch.passcode)
        errors.check(QStringLiteral("passcode"), validation::checkPasscode(**patch.passcode));
}

Status checkLivePatch(const Meeting &m, const MeetingPatch &patch)
{
    const QStringList refused = fieldsRefusedWhileLive(patch);
    if (!refused.isEmpty())
        return liveFieldError(refused);

    FieldErrors errors;
    checkPatchValues(errors, patch);
    if (Status status = errors.status(); !status)
        return status;

    if (patch.durationMinutes && *patch.durationMinutes <= m.durationMinutes) {
        const QString message = QStringLiteral("duration_minutes can only be extended while the "
                                               "meeting is LIVE; it is %1 now")
                                    .arg(m.durationMinutes);
        return Error{
            ErrorCode::MeetingLive, message, {{QStringLiteral("duration_minutes"), message}}};
    }
    return success();
}

} // namespace

Status checkTransition(MeetingState from, Transition t)
{
    if (from == MeetingState::Ended || from == MeetingState::Cancelled)
        return closed(from, QStringLiteral("its state can no longer change"));

    switch (t) {
    case Transition::GoLive:
        if (from != MeetingState::Scheduled)
            return Error{ErrorCode::Conflict, QStringLiteral("the meeting is already LIVE"), {}};
        return success();
    case Transition::End:
        if (from != MeetingState::Live) {
            return Error{ErrorCode::Conflict,
                         QStringLiteral("the meeting is not LIVE; cancel a SCHEDULED meeting "
                                        "with DELETE"),
                         {}};
        }
        return success();
    case Transition::Cancel:
        if (from != MeetingState::Scheduled) {
            return Error{ErrorCode::MeetingLive,
                         QStringLiteral("the meeting is LIVE; end it with :end"),
                         {}};
        }
        return success();
    }
    Q_UNREACHABLE();
    return success();
}

Meeting applyTransition(Meeting m, Transition t, const QDateTime &now)
{
    Q_ASSERT(checkTransition(m.state, t).ok());

    switch (t) {
    case Transition::GoLive:
        m.state = MeetingState::Live;
        m.startedAt = now;
        break;
    case Transition::End:
        m.state = MeetingState::Ended;
        m.endedAt = now;
        break;
    case Transition::Cancel:
        m.state = MeetingState::Cancelled;
        break;
    }

    m.updatedAt = now;
    ++m.version;
    return m;
}

Status checkPatch(const Meeting &m, const MeetingPatch &patch, const QDateTime &now)
{
    switch (m.state) {
    case MeetingState::Ended:
    case MeetingState::Cancelled:
        return closed(m.state, QStringLiteral("it can no longer be changed"));
    case MeetingState::Live:
        return checkLivePatch(m, patch);
    case MeetingState::Scheduled:
        break;
    }

    FieldErrors errors;
    checkPatchValues(errors, patch);
    if (patch.startTime)
        errors.check(QStringLiteral("start_time"), checkNotPast(*patch.startTime, now));
    return errors.status();
}

Meeting applyPatch(Meeting m, const MeetingPatch &patch, const QDateTime &now)
{
    Q_ASSERT(checkPatch(m, patch, now).ok());

    m.topic = patch.topic.value_or(m.topic);
    m.startTime = patch.startTime.value_or(m.startTime);
    m.timeZone = patch.timeZone.value_or(m.timeZone);
    m.durationMinutes = patch.durationMinutes.value_or(m.durationMinutes);
    m.passcode = patch.passcode.value_or(m.passcode);
    m.waitingRoom = patch.waitingRoom.value_or(m.waitingRoom);
    m.settings.autoRecording = patch.autoRecording.value_or(m.settings.autoRecording);
    m.settings.muteUponEntry = patch.muteUponEntry.value_or(m.settings.muteUponEntry);
    m.settings.allowJoinBeforeHost
        = patch.allowJoinBeforeHost.value_or(m.settings.allowJoinBeforeHost);

    m.updatedAt = now;
    ++m.version;
    return m;
}

std::optional<QString> checkStartNotPast(const QDateTime &startTime, const QDateTime &now)
{
    return checkNotPast(startTime, now);
}

Status checkNewMeeting(const Meeting &m, const QDateTime &now)
{
    FieldErrors errors;
    errors.check(QStringLiteral("topic"), validation::checkTopic(m.topic));
    errors.check(QStringLiteral("duration_minutes"),
                 validation::checkDurationMinutes(m.durationMinutes));
    errors.check(QStringLiteral("timezone"), validation::checkTimeZone(m.timeZone));
    if (m.passcode)
        errors.check(QStringLiteral("passcode"), validation::checkPasscode(*m.passcode));
    errors.check(QStringLiteral("start_time"), checkNotPast(m.startTime, now));
    if (Status status = errors.status(); !status)
        return status;

    if (m.state != MeetingState::Scheduled) {
        return Error{
            ErrorCode::InvalidRequest, QStringLiteral("a new meeting must be SCHEDULED"), {}};
    }
    return success();
}

Status checkJoinable(MeetingState state)
{
    switch (state) {
    case MeetingState::Cancelled:
        return Error{ErrorCode::MeetingCancelled, QStringLiteral("the meeting was cancelled"), {}};
    case MeetingState::Ended:
        return Error{ErrorCode::MeetingEnded, QStringLiteral("the meeting has ended"), {}};
    case MeetingState::Scheduled:
    case MeetingState::Live:
        return success();
    }
    Q_UNREACHABLE();
    return success();
}

} // namespace quorum::meetingrules
