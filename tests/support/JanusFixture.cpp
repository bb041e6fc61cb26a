#include "JanusFixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace quorum::testing::JanusFixture {

int make(const QString &dir, int seconds, const QString &people, QString *madeIn)
{
    const QString given = qEnvironmentVariable("QUORUM_JANUS_FIXTURE");
    if (!given.isEmpty()) {
        *madeIn = given;
        return manifest(given).isEmpty() ? 1 : 0;
    }
    *madeIn = dir;
    // Processing needs janus-pp-rec as much as making the files needs Janus.
    if (QStandardPaths::findExecutable(u"janus-pp-rec"_s).isEmpty()) {
        std::puts("SKIP: janus-pp-rec is not installed (Debian janus-tools)");
        return kSkipped;
    }

    const QString script
        = qEnvironmentVariable("QUORUM_SOURCE_DIR") + u"/tests/support/janus-recording.sh"_s;
    QProcess generator;
    generator.setProcessChannelMode(QProcess::ForwardedChannels);
    generator.start(script, {dir, QString::number(seconds), people});
    // The script has its own watchdog; this one only catches a script that never starts.
    if (!generator.waitForFinished((seconds + 120) * 1000)) {
        generator.kill();
        generator.waitForFinished(5000);
        std::printf("FAIL: %s did not make the fixture: %s\n", qPrintable(script),
                    qPrintable(generator.errorString()));
        return 1;
    }
    if (generator.exitStatus() != QProcess::NormalExit)
        return 1;
    if (generator.exitCode() == kSkipped)
        return kSkipped;
    return generator.exitCode() == 0 && !manifest(dir).isEmpty() ? 0 : 1;
}

QJsonObject manifest(const QString &dir)
{
    QFile file(dir + u"/manifest.json"_s);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace quorum::testing::JanusFixture
