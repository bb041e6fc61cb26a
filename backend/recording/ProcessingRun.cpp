#include "ProcessingRun.h"

#include "core/TimeRules.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcRun, "quorum.recording.run")

namespace {

const auto kMp4 = u"recording.mp4"_s;
const auto kM4a = u"recording.m4a"_s;
const auto kTimeline = u"timeline.json"_s;

// A capture's file name must stay inside its directory: the payload comes from the media
// plane, and a path that climbs out of it is never read nor deleted.
bool isPlainRelative(const QString &path)
{
    return !path.isEmpty() && QDir::isRelativePath(path) && !QDir::cleanPath(path).startsWith(u"..")
        && !path.contains(u'\\');
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
    , m_tool(std::move(programs))
{
    connect(&m_tool, &MediaTool::finished, this, &ProcessingRun::stepDone);
    connect(&m_tool, &MediaTool::progress, this, [this](int percent) {
        // The MP4 is most of the work; the M4A takes what is left up to 95.
        const bool both = m_steps.contains(Step::Mp4) && m_steps.contains(Step::M4a);
        const int from = m_step == Step::M4a && both ? 75 : 0;
        const int to = m_step == Step::Mp4 && both ? 75 : 95;
        Q_EMIT progress(from + (to - from) * percent / 100);
    });
}

ProcessingRun::~ProcessingRun()
{
    // MediaTool's destructor kills a running ffmpeg; what it left half-written goes too.
    m_tool.disconnect(this);
    if (!m_done) {
        QFile::remove(temporary(kMp4));
        QFile::remove(temporary(kM4a));
    }
}

QString ProcessingRun::temporary(const QString &name) const
{
    return m_dir.filePath(name + u".part"_s);
}

void ProcessingRun::start()
{
    if (!resolveInputs())
        return;

    if (!m_video.isEmpty())
        m_steps << Step::Mp4 << Step::ProbeMp4;
    if (!m_audio.isEmpty())
        m_steps << Step::M4a << Step::ProbeM4a;
    runStep(m_steps.first());
}

bool ProcessingRun::resolveInputs()
{
    if (!isPlainRelative(m_recording.captureDir)) {
        fail(u"the capture directory is not valid"_s, m_recording.captureDir);
        return false;
    }

    // The first file of each kind: the capture double and the SFU adapters write one mixed
    // video and one mixed audio file.
    for (const QJsonValue &value : m_job.capture.value(u"files"_s).toArray()) {
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
        if (kind == u"video" && m_video.isEmpty())
            m_video = absolute;
        else if (kind == u"audio" && m_audio.isEmpty())
            m_audio = absolute;
    }
    m_captureMs = m_job.capture.value(u"duration_ms"_s).toInteger();

    if (m_video.isEmpty() && m_audio.isEmpty()) {
        fail(u"the capture holds no media"_s);
        return false;
    }
    return true;
}

void ProcessingRun::runStep(Step step)
{
    m_step = step;
    switch (step) {
    case Step::Mp4:
        m_tool.toMp4(m_video, m_audio, temporary(kMp4), m_captureMs);
        break;
    case Step::ProbeMp4:
        m_tool.probe(temporary(kMp4));
        break;
    case Step::M4a:
        m_tool.toM4a(m_audio, temporary(kM4a), m_captureMs);
        break;
    case Step::ProbeM4a:
        m_tool.probe(temporary(kM4a));
        break;
    }
}

void ProcessingRun::stepDone()
{
    if (!m_tool.ok()) {
        switch (m_step) {
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
    if ((m_step == Step::ProbeMp4 || m_step == Step::ProbeM4a) && !acceptProbe(m_step))
        return;

    const qsizetype next = m_steps.indexOf(m_step) + 1;
    if (next < m_steps.size())
        runStep(m_steps.at(next));
    else
        finish();
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
