#include "RoomComposition.h"

using namespace Qt::StringLiterals;

namespace quorum::roomcomposition {

namespace {

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 3);
}

// Tracks that start before the recording's end, in the order given.
QList<PlacedTrack> within(const QList<PlacedTrack> &tracks, qint64 durationMs)
{
    QList<PlacedTrack> kept;
    for (const PlacedTrack &track : tracks)
        if (track.offsetMs < durationMs)
            kept << track;
    return kept;
}

// The part of a track's filter chain that puts it on the recording's timeline: later starts
// are shifted, an early start loses what came before the recording.
QString place(const PlacedTrack &track, bool audio)
{
    if (track.offsetMs >= 0)
        return audio ? u"adelay=%1:all=1"_s.arg(track.offsetMs)
                     : u"setpts=PTS-STARTPTS+%1/TB"_s.arg(seconds(track.offsetMs));
    return audio ? u"atrim=start=%1,asetpts=PTS-STARTPTS"_s.arg(seconds(-track.offsetMs))
                 : u"trim=start=%1,setpts=PTS-STARTPTS"_s.arg(seconds(-track.offsetMs));
}

} // namespace

QSize gridFor(int owners)
{
    if (owners <= 1)
        return {1, 1};
    if (owners == 2)
        return {2, 1};
    if (owners <= 4)
        return {2, 2};
    return {3, 3};
}

QList<QRect> cellsFor(int owners)
{
    const QSize grid = gridFor(owners);
    // Even sides and positions, the grid as centred as that allows: 1280 / 3 leaves two
    // pixels of black on the right.
    const int width = kCanvas.width() / grid.width() / 2 * 2;
    const int height = kCanvas.height() / grid.height() / 2 * 2;
    const int left = (kCanvas.width() - width * grid.width()) / 4 * 2;
    const int top = (kCanvas.height() - height * grid.height()) / 4 * 2;

    QList<QRect> cells;
    for (int row = 0; row < grid.height(); ++row)
        for (int column = 0; column < grid.width(); ++column)
            cells << QRect(left + column * width, top + row * height, width, height);
    return cells;
}

QStringList m4aArguments(const QList<PlacedTrack> &audio, qint64 durationMs, const QString &output)
{
    const QList<PlacedTrack> tracks = within(audio, durationMs);
    QStringList arguments;
    QStringList chains;
    QString mixed;
    for (qsizetype i = 0; i < tracks.size(); ++i) {
        arguments << u"-i"_s << tracks.at(i).path;
        // async fills the gaps a recorder leaves (silence suppression, lost packets) with
        // silence, so that later speech stays where it was said.
        chains << u"[%1:a]aresample=48000:async=1,%2[a%1]"_s.arg(i).arg(place(tracks.at(i), true));
        mixed += u"[a%1]"_s.arg(i);
    }
    if (tracks.isEmpty()) {
        arguments << u"-f"_s << u"lavfi"_s << u"-i"_s << u"anullsrc=r=48000:cl=mono"_s;
        chains << u"[0:a]anull[mix]"_s;
    } else {
        // Not normalised: amix would otherwise scale everyone down by the number of tracks,
        // including those of people who left long ago.
        chains << u"%1amix=inputs=%2:duration=longest:normalize=0,apad[mix]"_s.arg(mixed).arg(
            tracks.size());
    }
    // The "ipod" muxer is ffmpeg's M4A: an MP4 file for audio.
    arguments << u"-filter_complex"_s << chains.join(u';') << u"-map"_s << u"[mix]"_s << u"-t"_s
              << seconds(durationMs) << u"-c:a"_s << u"aac"_s << u"-b:a"_s << u"128k"_s
              << u"-movflags"_s << u"+faststart"_s << u"-f"_s << u"ipod"_s << output;
    return arguments;
}

QStringList mp4Arguments(const QList<PlacedTrack> &video, const QString &audio, qint64 durationMs,
                         const QString &output)
{
    // A cell per owner, in the order they first appear; a person who left and came back
    // returns to the same cell.
    const QList<PlacedTrack> tracks = within(video, durationMs);
    QStringList owners;
    for (const PlacedTrack &track : tracks)
        if (!owners.contains(track.owner) && owners.size() < kMaxCells)
            owners << track.owner;
    const QList<QRect> cells = cellsFor(int(owners.size()));

    QStringList arguments;
    QStringList chains{u"color=c=black:s=%1x%2:r=%3:d=%4[c0]"_s.arg(kCanvas.width())
                           .arg(kCanvas.height())
                           .arg(kFrameRate)
                           .arg(seconds(durationMs))};
    int inputs = 0;
    for (const PlacedTrack &track : tracks) {
        const qsizetype cell = owners.indexOf(track.owner);
        if (cell < 0)
            continue;
        const QRect &rect = cells.at(cell);
        // A WebRTC sender changes its resolution as bandwidth and CPU allow: without
        // -reinit_filter 0 ffmpeg would rebuild the whole graph, canvas included, at each
        // change; scale adapts to it by itself.
        arguments << u"-reinit_filter"_s << u"0"_s << u"-i"_s << track.path;
        chains << u"[%1:v]%2,scale=w=%3:h=%4:force_original_aspect_ratio=decrease:"
                  "force_divisible_by=2,pad=%3:%4:(ow-iw)/2:(oh-ih)/2,setsar=1[v%1]"_s.arg(inputs)
                      .arg(place(track, false))
                      .arg(rect.width())
                      .arg(rect.height());
        // eof_action=pass: the cell turns black again when its owner's track ends.
        chains << u"[c%1][v%1]overlay=x=%2:y=%3:eof_action=pass[c%4]"_s.arg(inputs)
                      .arg(rect.x())
                      .arg(rect.y())
                      .arg(inputs + 1);
        ++inputs;
    }
    chains << u"[c%1]format=yuv420p[grid]"_s.arg(inputs);

    if (audio.isEmpty())
        arguments << u"-f"_s << u"lavfi"_s << u"-i"_s << u"anullsrc=r=48000:cl=mono"_s;
    else
        arguments << u"-i"_s << audio;
    arguments << u"-filter_complex"_s << chains.join(u';') << u"-map"_s << u"[grid]"_s << u"-map"_s
              << u"%1:a:0"_s.arg(inputs) << u"-t"_s << seconds(durationMs) << u"-c:v"_s
              << u"libx264"_s << u"-preset"_s << u"veryfast"_s << u"-pix_fmt"_s << u"yuv420p"_s;
    // The mixed audio is already AAC (the M4A): copied, not encoded twice.
    if (audio.isEmpty())
        arguments << u"-c:a"_s << u"aac"_s << u"-b:a"_s << u"128k"_s;
    else
        arguments << u"-c:a"_s << u"copy"_s;
    arguments << u"-movflags"_s << u"+faststart"_s << u"-f"_s << u"mp4"_s << output;
    return arguments;
}

} // namespace quorum::roomcomposition
