#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>

#include <optional>

namespace quorum {

// SCHEDULED -> LIVE -> ENDED, SCHEDULED -> CANCELLED; see MeetingStateMachine.h.
enum class MeetingState { Scheduled, Live, Ended, Cancelled };

// "SCHEDULED", "LIVE", "ENDED", "CANCELLED": the names of the REST surface.
QString meetingStateName(MeetingState state);
// The inverse; upper case only.
std::optional<MeetingState> meetingStateFromName(QStringView name);

// settings.auto_recording; Local only tells clients that they may record themselves.
enum class AutoRecording { None, Local, Cloud };

// "none", "local", "cloud".
QString autoRecordingName(AutoRecording mode);
// The inverse; lower case only.
std::optional<AutoRecording> autoRecordingFromName(QStringView name);

struct MeetingSettings
{
    AutoRecording autoRecording = AutoRecording::None;
    bool muteUponEntry = true;
    bool allowJoinBeforeHost = false;

    bool operator==(const MeetingSettings &) const = default;
};

// A meeting as the domain sees it. Plain data: the rules live in meetingrules.
struct Meeting
{
    QString id;
    QString workspaceId;
    QString hostId;
    QString topic;
    QString timeZone = QStringLiteral("UTC"); // IANA name
    QDateTime startTime; // UTC
    int durationMinutes = 0;
    std::optional<QString> passcode; // plain text in memory only; the store seals it
    bool waitingRoom = true;
    MeetingSettings settings;
    MeetingState state = MeetingState::Scheduled;
    qint64 version = 1; // bumped on every stored change; the ETag
    QDateTime createdAt;
    QDateTime updatedAt;
    QDateTime startedAt; // null until the meeting goes LIVE
    QDateTime endedAt; // null until the meeting ends
    QString mediaNode; // chosen once, when the first join token is issued

    bool operator==(const Meeting &) const = default;
};

} // namespace quorum
