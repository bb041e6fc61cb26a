#pragma once

#include <QList>
#include <QRect>
#include <QSize>
#include <QString>
#include <QStringList>

namespace quorum {

// One participant's unpacked track, placed on the recording's timeline: it begins `offsetMs`
// after the recording started (negative: it began before, and that part is cut).
struct PlacedTrack
{
    QString path; // absolute, a file ffmpeg reads
    QString owner; // who it shows or speaks: the participant id, else the raw file's name
    qint64 offsetMs = 0;
};

// How an SFU's capture of one room becomes one video and one audio: the video tracks in a grid
// on a black canvas, each in its owner's cell from its offset on, and every audio track mixed.
// The ffmpeg command lines are built here; MediaTool runs them.
namespace roomcomposition {

// The canvas of the composite and its frame rate.
inline constexpr QSize kCanvas{1280, 720};
inline constexpr int kFrameRate = 25;
// Cells of the grid at most; owners beyond it are heard but not shown.
inline constexpr int kMaxCells = 9;

// Columns and rows for `owners` people: 1 fills the canvas, 2 sit side by side, 3-4 in 2x2,
// 5-9 in 3x3.
QSize gridFor(int owners);
// The cells of that grid on the canvas, row by row, each with even sides (H.264's 4:2:0).
QList<QRect> cellsFor(int owners);

// ffmpeg's arguments after its common head: the mixed audio of `audio` as AAC in an M4A of
// exactly `durationMs`.
QStringList m4aArguments(const QList<PlacedTrack> &audio, qint64 durationMs, const QString &output);
// The grid of `video` as H.264 with `audio` (an AAC file, copied; empty: silence) as an MP4
// (moov up front) of exactly `durationMs`.
QStringList mp4Arguments(const QList<PlacedTrack> &video, const QString &audio, qint64 durationMs,
                         const QString &output);

} // namespace roomcomposition

} // namespace quorum
