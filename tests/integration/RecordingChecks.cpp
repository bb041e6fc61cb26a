#include "RecordingChecks.h"

#include "ApiClient.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryFile>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum::testing::RecordingChecks {

Download download(const QString &url)
{
    QNetworkAccessManager network;
    QNetworkReply *reply = network.get(QNetworkRequest(QUrl(url)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(20000);

    Download result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return result;
}

Probe probe(const QByteArray &bytes, const QString &suffix)
{
    Probe result;
    QTemporaryFile file(QDir::tempPath() + u"/probe-XXXXXX."_s + suffix);
    if (!file.open())
        return result;
    file.write(bytes);
    file.flush();

    QProcess ffprobe;
    ffprobe.start(u"ffprobe"_s,
                  {u"-v"_s, u"error"_s, u"-show_entries"_s,
                   u"format=format_name,duration:stream=codec_name"_s, u"-of"_s, u"json"_s,
                   file.fileName()});
    if (!ffprobe.waitForFinished(20000) || ffprobe.exitCode() != 0)
        return result;

    const QJsonObject json = QJsonDocument::fromJson(ffprobe.readAllStandardOutput()).object();
    const QJsonObject format = json.value(u"format"_s).toObject();
    result.formatName = format.value(u"format_name"_s).toString();
    result.durationSeconds = format.value(u"duration"_s).toString().toDouble();
    for (const QJsonValue &stream : json.value(u"streams"_s).toArray())
        result.codecs << stream.toObject().value(u"codec_name"_s).toString();
    return result;
}

QString startRecording(ApiClient &api, const QString &meetingId)
{
    const ApiReply started = api.post(u"/v1/meetings/%1/recordings:start"_s.arg(meetingId), {});
    if (started.status != 202)
        qWarning() << "recordings:start" << started.status << started.body;
    return started.json().value(u"recording_id"_s).toString();
}

QJsonObject waitForState(ApiClient &api, const QString &recordingId, const QStringList &states,
                         int timeoutMs)
{
    QJsonObject last;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        last = api.get(u"/v1/recordings/"_s + recordingId).json();
        if (states.contains(last.value(u"state"_s).toString()))
            return last;
        QTest::qWait(100);
    }
    return last;
}

bool useCaptureScript(const QString &dir, int seconds)
{
    const QString script = QDir(dir).filePath(QStringLiteral("capture.json"));
    QFile file(script);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(QJsonObject{{QStringLiteral("mode"), QStringLiteral("ok")},
                                         {QStringLiteral("seconds"), seconds}})
                   .toJson(QJsonDocument::Compact));
    file.close();
    qputenv("QUORUM_TEST_CAPTURE_SCRIPT", script.toLocal8Bit());
    return true;
}

} // namespace quorum::testing::RecordingChecks
