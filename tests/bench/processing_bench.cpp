// The recording processing benchmark: how long ProcessingRun takes to turn a Janus capture
// (the .mjr files and manifest.json that tests/support/janus-recording.sh writes) into the
// published MP4, M4A and timeline, as a multiple of the recording's length.
//
//   processing_bench FIXTURE_DIR [RUNS]
//
// Each run copies the fixture into a fresh capture directory, so the raw files are read from
// the page cache as a freshly finished capture's would be. Prints one line per run and the
// median; exits 1 when a run fails.

#include "recording/ProcessingRun.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace quorum;
using namespace Qt::StringLiterals;

namespace {

// Processing of a minute's recording must not take anything like this long.
constexpr int kRunTimeoutMs = 10 * 60 * 1000;

// One run; its time in milliseconds, or -1 after printing why it failed.
qint64 runOnce(const QString &fixture, const QJsonObject &manifest, int number)
{
    QTemporaryDir recordings;
    const QString captureDir = u"mtg_bench/rec_%1"_s.arg(number);
    QDir dir(recordings.filePath(captureDir));
    if (!recordings.isValid() || !dir.mkpath(u"."_s))
        return -1;
    for (const QJsonValue &file : manifest.value(u"files"_s).toArray()) {
        const QString name = file[u"path"_s].toString();
        if (!QFile::copy(fixture + u'/' + name, dir.filePath(name))) {
            std::fprintf(stderr, "processing_bench: cannot copy %s\n", qPrintable(name));
            return -1;
        }
    }

    Recording recording;
    recording.id = u"rec_%1"_s.arg(number);
    recording.meetingId = u"mtg_bench"_s;
    recording.captureDir = captureDir;
    recording.startedAt
        = QDateTime::fromMSecsSinceEpoch(manifest.value(u"started_at_ms"_s).toInteger(), Qt::UTC);
    recording.stoppedAt = recording.startedAt.addMSecs(manifest[u"duration_ms"_s].toInteger());
    ProcessingRun run(RecordingJob{recording.id, 0, manifest}, recording, {}, recordings.path(),
                      MediaTool::Programs{});

    QEventLoop loop;
    QObject::connect(&run, &ProcessingRun::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(kRunTimeoutMs, &loop, &QEventLoop::quit);
    QElapsedTimer clock;
    clock.start();
    run.start();
    loop.exec();
    const qint64 elapsed = clock.elapsed();
    if (!run.ok() || run.files().size() != 3) {
        std::fprintf(stderr, "processing_bench: run %d failed: %s (%s)\n", number,
                     qPrintable(run.error()), qPrintable(run.detail()));
        return -1;
    }
    return elapsed;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    // Each tool's command line is logged at debug level: not what a benchmark's reader wants.
    QLoggingCategory::setFilterRules(u"quorum.*.debug=false"_s);
    const QStringList arguments = app.arguments();
    if (arguments.size() < 2) {
        std::fprintf(stderr, "usage: processing_bench FIXTURE_DIR [RUNS]\n");
        return 2;
    }
    const QString fixture = arguments.at(1);
    const int runs = arguments.size() > 2 ? std::max(1, arguments.at(2).toInt()) : 3;
    QFile file(fixture + u"/manifest.json"_s);
    if (!file.open(QIODevice::ReadOnly)) {
        std::fprintf(stderr, "processing_bench: no manifest.json in %s\n", qPrintable(fixture));
        return 2;
    }
    const QJsonObject manifest = QJsonDocument::fromJson(file.readAll()).object();
    const double recorded = double(manifest.value(u"duration_ms"_s).toInteger()) / 1000.0;
    QStringList people;
    for (const QJsonValue &f : manifest.value(u"files"_s).toArray())
        if (!people.contains(f[u"participant_id"_s].toString()))
            people << f[u"participant_id"_s].toString();

    std::printf("processing_bench: %.1f s recorded, %lld people, %lld recorder files\n", recorded,
                qlonglong(people.size()), qlonglong(manifest[u"files"_s].toArray().size()));
    QList<qint64> times;
    for (int i = 1; i <= runs; ++i) {
        const qint64 ms = runOnce(fixture, manifest, i);
        if (ms < 0)
            return 1;
        times << ms;
        std::printf("run %d: %.2f s processing, %.3f x real time\n", i, double(ms) / 1000.0,
                    double(ms) / 1000.0 / recorded);
    }
    std::sort(times.begin(), times.end());
    const double median = double(times.at(times.size() / 2)) / 1000.0;
    std::printf("median: %.2f s processing for %.1f s recorded: %.3f x real time (target <= "
                "0.5)\n",
                median, recorded, median / recorded);
    return 0;
}
