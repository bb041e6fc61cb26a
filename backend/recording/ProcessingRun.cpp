#include "ProcessingRun.h"

#include "core/TimeRules.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcRun, "quorum.recording.run")

namespace {

const auto kMp4 = u"recording.mp4"_s;
const auto kM4a = u"recording.m4a"_s;
const auto kTimeline = u"timeline.json"_s;
// Where janus-pp-rec's outputs go while a run lasts; a crashed run's are cleared by the next.
const auto kUnpackDir = u"unpacked.part"_s;

// Shares of the run's progress. The composite MP4 is nearly all the work; unpacking a
// recorder file takes a fraction of a second.
constexpr int kHeaderWeight = 1;
constexpr int kUnpackWeight = 3;
constexpr int kProbeWeight = 1;
constexpr int kMp4Weight = 75;
constexpr int kM4aWeight = 20; // of a single file; a mix of unpacked tracks is quicker
constexpr int kMixWeight = 10;
// The share the last steps (timeline, renames) get: progress reaches 100 with the commit.
constexpr int kBeforeCommit = 95;

// How far a recorder's clock may disagree with the capture's start before the tracks are
// aligned on the earliest of them instead (a Janus node on another machine with a wrong clock).
constexpr qint64 kClockToleranceMs = 2000;

// A capture's file name must stay inside its directory: the payload comes from the media
// plane, and a path that climbs out of it is never read nor deleted.
bool isPlainRelative(const QString &path)
{
    return !path.isEmpty() && QDir::isRelativePath(path) && !QDir::cleanPath(path).startsWith(u"..")
        && !path.contains(u'\\');
}

// The container janus-pp-rec writes for a codec (janus-pp-rec -F lists what it supports).
QString unpackedSuffix(const MjrHeader &header)
{
    if (header.kind == u"audio")
        return header.codec == u"opus" ? u"opus"_s : u"wav"_s;
    if (header.codec == u"vp8" || header.codec == u"vp9")
        return u"webm"_s;
    return header.codec == u"av1" ? u"mp4"_s : u"mkv"_s;
}

} // namespace

ProcessingRun::ProcessingRun(RecordingJob job, Recording recording, QList<TimelineEntry> timeline,
                             const QString &recordingsDir, MediaTool::Programs programs,
                             QObject *parent)
    : QObject(parent)
    , m_job(std::move(job))
    , m_recording(std::move(recording))
    , m_timeline(std::move(timeline))
    , m_dir(QDir(recordingsDir).filePath(m_recording.captureDir))
    , m_relativeDir(QDir::cleanPath(m_recording.captureDir))
    , m_unpackDir(m_dir.filePath(kUnpackDir))
    , m_tool(std::move(programs))
{
    connect(&m_tool, &MediaTool::finished, this, &ProcessingRun::taskDone);
    connect(&m_tool, &MediaTool::progress, this, &ProcessingRun::reportProgress);
}

ProcessingRun::~ProcessingRun()
{
    // MediaTool's destructor kills a running child; what it left half-written goes too.
    m_tool.disconnect(this);
    if (!m_done) {
        QFile::remove(temporary(kMp4));
        QFile::remove(temporary(kM4a));
        removeUnpacked();
    }
}

void ProcessingRun::removeUnpacked() const
{
    if (!m_tracks.isEmpty())
        QDir(m_unpackDir).removeRecursively();
}

QString ProcessingRun::temporary(const QString &name) const
{
    return m_dir.filePath(name + u".part"_s);
}

void ProcessingRun::start()
{
    if (!resolveInputs())
        return;

    plan();
    runTask(0);
}

bool ProcessingRun::resolveInputs()
{
    if (!isPlainRelative(m_recording.captureDir)) {
        fail(u"the capture directory is not valid"_s, m_recording.captureDir);
        return false;
    }

    const QJsonArray files = m_job.capture.value(u"files"_s).toArray();
    m_captureMs = m_job.capture.value(u"duration_ms"_s).toInteger();
    for (const QJsonValue &value : files) {
        const QJsonObject file = value.toObject();
        const QString path = file.value(u"path"_s).toString();
        const QString kind = file.value(u"kind"_s).toString();
        if (!isPlainRelative(path)) {
            fail(u"the capture names a file outside its directory"_s, path);
            return false;
        }
        const QString absolute = m_dir.filePath(path);
        if (!QFileInfo::exists(absolute)) {
            fail(u"a raw %1 file of the capture is missing"_s.arg(kind), absolute);
            return false;
        }
        m_rawFiles << absolute;
    }

    const bool recorderFiles = std::any_of(files.begin(), files.end(), [](const QJsonValue &f) {
        return f.toObject().value(u"format"_s).toString() == u"mjr";
    });
    if (recorderFiles)
        return resolveTracks(files);

    // The first file of each kind: the capture double writes one mixed video and one mixed
    // audio file.
    for (const QJsonValue &value : files) {
        const QJsonObject file = value.toObject();
        const QString kind = file.value(u"kind"_s).toString();
        const QString absolute = m_dir.filePath(file.value(u"path"_s).toString());
        if (kind == u"video" && m_video.isEmpty())
            m_video = absolute;
        else if (kind == u"audio" && m_audio.isEmpty())
            m_audio = absolute;
    }
    if (m_video.isEmpty() && m_audio.isEmpty()) {
        fail(u"the capture holds no media"_s);
        return false;
    }
    return true;
}

bool ProcessingRun::resolveTracks(const QJsonArray &files)
{
    for (const QJsonValue &value : files) {
        const QJsonObject file = value.toObject();
        if (file.value(u"format"_s).toString() != u"mjr") {
            fail(u"the capture mixes recorder files with other media"_s,
                 file.value(u"path"_s).toString());
            return false;
        }
        RawTrack track;
        track.raw = m_dir.filePath(file.value(u"path"_s).toString());
        track.owner = file.value(u"participant_id"_s).toString();
        if (track.owner.isEmpty())
            track.owner = QFileInfo(track.raw).fileName();
        m_tracks << track;
    }
    // Without its length the recording's timeline has no end to place the tracks against.
    if (m_captureMs <= 0) {
        fail(u"the capture's length is unknown"_s);
        return false;
    }
    m_captureStartMs = m_job.capture.value(u"started_at_ms"_s).toInteger();
    if (m_captureStartMs <= 0 && m_recording.startedAt.isValid())
        m_captureStartMs = m_recording.startedAt.toMSecsSinceEpoch();

    // A run cut off before left its unpacked files behind.
    removeUnpacked();
    if (!QDir().mkpath(m_unpackDir.path())) {
        fail(u"the capture directory is not writable"_s, m_unpackDir.path());
        return false;
    }
    return true;
}

void ProcessingRun::plan()
{
    if (m_tracks.isEmpty()) {
        if (!m_video.isEmpty())
            m_tasks << Task{Step::Mp4, -1, kMp4Weight} << Task{Step::ProbeMp4, -1, kProbeWeight};
        if (!m_audio.isEmpty())
            m_tasks << Task{Step::M4a, -1, kM4aWeight} << Task{Step::ProbeM4a, -1, kProbeWeight};
    } else {
        // What each file holds is known only once its header is read: every file's header and
        // unpacking first, then the outputs that the tracks found call for (taskDone()).
        for (qsizetype i = 0; i < m_tracks.size(); ++i)
            m_tasks << Task{Step::ReadHeader, i, kHeaderWeight}
                    << Task{Step::Unpack, i, kUnpackWeight};
        m_tasks << Task{Step::M4a, -1, kMixWeight} << Task{Step::ProbeM4a, -1, kProbeWeight}
                << Task{Step::Mp4, -1, kMp4Weight} << Task{Step::ProbeMp4, -1, kProbeWeight};
    }
    m_totalWeight = 0;
    for (const Task &task : std::as_const(m_tasks))
        m_totalWeight += task.weight;
}

void ProcessingRun::runTask(qsizetype index)
{
    m_current = index;
    const Task &task = m_tasks.at(index);
    reportProgress(0);
    switch (task.step) {
    case Step::ReadHeader:
        m_tool.readMjrHeader(m_tracks.at(task.track).raw);
        break;
    case Step::Unpack: {
        const RawTrack &track = m_tracks.at(task.track);
        m_tool.unpackMjr(track.raw, track.unpacked, m_captureMs);
        break;
    }
    case Step::Mp4:
        if (m_tracks.isEmpty())
            m_tool.toMp4(m_video, m_audio, temporary(kMp4), m_captureMs);
        else
            m_tool.composeMp4(placed(u"video"_s),
                              placed(u"audio"_s).isEmpty() ? QString() : temporary(kM4a),
                              m_captureMs, temporary(kMp4));
        break;
    case Step::ProbeMp4:
        m_tool.probe(temporary(kMp4));
        break;
    case Step::M4a:
        if (m_tracks.isEmpty())
            m_tool.toM4a(m_audio, temporary(kM4a), m_captureMs);
        else
            m_tool.mixM4a(placed(u"audio"_s), m_captureMs, temporary(kM4a));
        break;
    case Step::ProbeM4a:
        m_tool.probe(temporary(kM4a));
        break;
    }
}

void ProcessingRun::taskDone()
{
    const Task task = m_tasks.at(m_current);
    if (!m_tool.ok()) {
        switch (task.step) {
        case Step::ReadHeader:
        case Step::Unpack:
            // The tool missing is the operator's to fix; a file it cannot read is the capture's
            // fault.
            if (m_tool.failedToStart())
                fail(u"janus-pp-rec (Debian janus-tools) is not available on the server"_s,
                     m_tool.errorString());
            else
                fail(u"a recorder file of the capture is damaged or not a Janus recording"_s,
                     m_tool.errorString());
            return;
        case Step::Mp4:
            fail(u"the video could not be transcoded"_s, m_tool.errorString());
            return;
        case Step::M4a:
            fail(u"the audio could not be transcoded"_s, m_tool.errorString());
            return;
        case Step::ProbeMp4:
        case Step::ProbeM4a:
            fail(u"a transcoded file could not be read back"_s, m_tool.errorString());
            return;
        }
    }
    switch (task.step) {
    case Step::ReadHeader:
        acceptHeader(task.track);
        break;
    case Step::Unpack:
        if (!acceptUnpacked(m_tracks.at(task.track)))
            return;
        break;
    case Step::ProbeMp4:
    case Step::ProbeM4a:
        if (!acceptProbe(task.step))
            return;
        break;
    case Step::Mp4:
    case Step::M4a:
        break;
    }
    m_doneWeight += task.weight;

    // Once every recorder file is unpacked: no audio track, no M4A; no video track, no MP4.
    if (task.step == Step::Unpack && task.track == m_tracks.size() - 1) {
        const bool audio = !placed(u"audio"_s).isEmpty();
        const bool video = !placed(u"video"_s).isEmpty();
        if (!audio && !video) {
            fail(u"the capture holds no media"_s);
            return;
        }
        m_tasks.removeIf([&](const Task &t) {
            const bool unwanted = (!audio && (t.step == Step::M4a || t.step == Step::ProbeM4a))
                || (!video && (t.step == Step::Mp4 || t.step == Step::ProbeMp4));
            if (unwanted)
                m_totalWeight -= t.weight;
            return unwanted;
        });
    }

    if (m_current + 1 < m_tasks.size())
        runTask(m_current + 1);
    else
        finish();
}

void ProcessingRun::acceptHeader(qsizetype index)
{
    RawTrack &track = m_tracks[index];
    track.header = m_tool.mjrHeader();
    // Names of our own: the raw file's name comes from the media plane.
    track.unpacked
        = m_unpackDir.filePath(u"track-%1.%2"_s.arg(index).arg(unpackedSuffix(track.header)));
}

bool ProcessingRun::acceptUnpacked(const RawTrack &track)
{
    // janus-pp-rec writes nothing, and says it is done, for a file without a usable packet.
    if (QFileInfo(track.unpacked).size() > 0)
        return true;
    fail(u"a recorder file of the capture holds no media"_s, track.raw);
    return false;
}

QList<PlacedTrack> ProcessingRun::placed(const QString &kind) const
{
    // Time 0 of an unpacked track is its recorder's first packet.
    qint64 earliestMs = std::numeric_limits<qint64>::max();
    for (const RawTrack &track : m_tracks)
        if (track.header.isValid())
            earliestMs = std::min(earliestMs, track.header.writtenUs / 1000);
    qint64 zeroMs = m_captureStartMs;
    if (earliestMs != std::numeric_limits<qint64>::max()
        && (earliestMs < m_captureStartMs - kClockToleranceMs
            || earliestMs >= m_captureStartMs + m_captureMs)) {
        // The recorder's clock and the capture's disagree; the earliest track starts it.
        qCWarning(lcRun) << m_recording.id << "recorder times lie outside the capture by"
                         << earliestMs - m_captureStartMs << "ms; aligning on the earliest";
        zeroMs = earliestMs;
    }

    QList<PlacedTrack> tracks;
    for (const RawTrack &track : m_tracks) {
        if (track.header.kind != kind || track.unpacked.isEmpty())
            continue;
        tracks << PlacedTrack{track.unpacked, track.owner, track.header.writtenUs / 1000 - zeroMs};
    }
    // The first to appear takes the first cell of the grid.
    std::stable_sort(tracks.begin(), tracks.end(), [](const PlacedTrack &a, const PlacedTrack &b) {
        return a.offsetMs < b.offsetMs;
    });
    return tracks;
}

void ProcessingRun::reportProgress(int percentOfTask)
{
    if (m_totalWeight <= 0 || m_current >= m_tasks.size())
        return;
    const int weight = m_tasks.at(m_current).weight;
    Q_EMIT progress((m_doneWeight * 100 + weight * percentOfTask) * kBeforeCommit
                    / (m_totalWeight * 100));
}

bool ProcessingRun::acceptProbe(Step step)
{
    const MediaProbe &probe = m_tool.probeResult();
    const bool mp4 = step == Step::ProbeMp4;
    const QStringList video = mp4 ? QStringList{u"h264"_s} : QStringList{};
    const bool expected = probe.formatName.split(u',').contains(mp4 ? u"mp4"_s : u"m4a"_s)
        && probe.videoCodecs == video && probe.audioCodecs == QStringList{u"aac"_s}
        && probe.durationMs > 0;
    if (!expected) {
        fail(mp4 ? u"the transcoded video is not a valid MP4"_s
                 : u"the transcoded audio is not a valid M4A"_s,
             u"%1 video %2 audio %3 duration %4 ms"_s
                 .arg(probe.formatName, probe.videoCodecs.join(u','), probe.audioCodecs.join(u','))
                 .arg(probe.durationMs));
        return false;
    }

    RecordingFile file;
    file.recordingId = m_recording.id;
    file.type = mp4 ? u"video"_s : u"audio"_s;
    file.format = mp4 ? u"mp4"_s : u"m4a"_s;
    file.contentType = mp4 ? u"video/mp4"_s : u"audio/mp4"_s;
    file.path = m_relativeDir + u'/' + (mp4 ? kMp4 : kM4a);
    file.sizeBytes = QFileInfo(temporary(mp4 ? kMp4 : kM4a)).size();
    file.durationMs = probe.durationMs;
    m_files << file;
    if (mp4 || m_durationMs == 0)
        m_durationMs = probe.durationMs;
    return true;
}

void ProcessingRun::finish()
{
    QSaveFile timeline(m_dir.filePath(kTimeline));
    if (!timeline.open(QIODevice::WriteOnly)
        || timeline.write(timelineJson(m_recording, m_timeline)) < 0 || !timeline.commit()) {
        fail(u"the timeline could not be written"_s, timeline.errorString());
        return;
    }

    // Published names only once every file is whole, so a URL never reaches a partial file.
    for (const QString &name : {kMp4, kM4a}) {
        if (!QFileInfo::exists(temporary(name)))
            continue;
        QFile::remove(m_dir.filePath(name));
        if (!QFile::rename(temporary(name), m_dir.filePath(name))) {
            fail(u"a transcoded file could not be stored"_s, name);
            return;
        }
    }

    RecordingFile file;
    file.recordingId = m_recording.id;
    file.type = u"timeline"_s;
    file.format = u"json"_s;
    file.contentType = u"application/json"_s;
    file.path = m_relativeDir + u'/' + kTimeline;
    file.sizeBytes = QFileInfo(m_dir.filePath(kTimeline)).size();
    m_files << file;

    removeUnpacked();
    m_done = true;
    Q_EMIT progress(100);
    Q_EMIT finished();
}

void ProcessingRun::fail(const QString &error, const QString &detail)
{
    m_error = error;
    m_detail = detail;
    m_done = true;
    QFile::remove(temporary(kMp4));
    QFile::remove(temporary(kM4a));
    removeUnpacked();
    qCDebug(lcRun) << m_recording.id << error << detail;
    // Never from inside start(): the caller must see the run begin before it ends.
    QMetaObject::invokeMethod(this, &ProcessingRun::finished, Qt::QueuedConnection);
}

void ProcessingRun::discardOutputs()
{
    for (const QString &name : {kMp4, kM4a, kTimeline})
        QFile::remove(m_dir.filePath(name));
}

void ProcessingRun::removeRawFiles()
{
    for (const QString &raw : std::as_const(m_rawFiles)) {
        // Never one of the published files, whatever the capture called its own.
        if (QFileInfo(raw).fileName() == kMp4 || QFileInfo(raw).fileName() == kM4a
            || QFileInfo(raw).fileName() == kTimeline)
            continue;
        if (!QFile::remove(raw))
            qCWarning(lcRun) << "could not remove a raw capture file of" << m_recording.id;
    }
}

QByteArray ProcessingRun::timelineJson(const Recording &recording,
                                       const QList<TimelineEntry> &timeline)
{
    QJsonArray entries;
    for (const TimelineEntry &entry : timeline) {
        // The entry's detail first, so that its keys can never shadow the fixed ones.
        QJsonObject object = entry.detail;
        object.insert(u"offset_seconds"_s, double(recording.startedAt.msecsTo(entry.at)) / 1000.0);
        object.insert(u"at"_s, timerules::formatUtc(entry.at));
        object.insert(u"kind"_s, entry.kind);
        object.insert(u"participant_id"_s, entry.participantId);
        object.insert(u"display_name"_s, entry.displayName);
        entries.append(object);
    }
    const QJsonObject document{
        {u"recording_id"_s, recording.id},
        {u"meeting_id"_s, recording.meetingId},
        {u"started_at"_s, timerules::formatUtc(recording.startedAt)},
        {u"stopped_at"_s,
         recording.stoppedAt.isValid() ? QJsonValue(timerules::formatUtc(recording.stoppedAt))
                                       : QJsonValue(QJsonValue::Null)},
        {u"entries"_s, entries},
    };
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

} // namespace quorum
