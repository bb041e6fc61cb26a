#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace quorum::testing {

class ApiClient;

// What the recording tests check of a recording from the outside: its state through the API,
// its signed links used as an integrator's worker would (no bearer), and its media read by the
// test's own ffprobe rather than by the code under test.
namespace RecordingChecks {

// The answer to a plain GET of a signed link.
struct Download
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
};

// Points the test build's capture plane (quorumd-test, `--media test-capture`) at a script in
// `dir` that makes every capture succeed with `seconds` of media; false when it cannot be
// written. The plane reads it at each start of a quorumd started afterwards.
bool useCaptureScript(const QString &dir, int seconds = 2);

// GETs `url` without a bearer, as a recording's link is used.
Download download(const QString &url);

// What ffprobe reads of a media file: format name, codecs, duration.
struct Probe
{
    QString formatName;
    QStringList codecs;
    double durationSeconds = 0;
};

// Writes `bytes` to a temporary file ending in `.suffix` and probes it; empty when ffprobe
// cannot read it.
Probe probe(const QByteArray &bytes, const QString &suffix);

// POST /v1/meetings/{id}/recordings:start; the recording's id, or empty (with a warning) when
// it was not accepted.
QString startRecording(ApiClient &api, const QString &meetingId);
inline QString startRecording(ApiClient &&api, const QString &meetingId)
{
    return startRecording(api, meetingId);
}

// Polls GET /v1/recordings/{id} until its state is one of `states`; the last answer, whose
// state the caller checks.
QJsonObject waitForState(ApiClient &api, const QString &recordingId, const QStringList &states,
                         int timeoutMs = 60000);
inline QJsonObject waitForState(ApiClient &&api, const QString &recordingId,
                                const QStringList &states, int timeoutMs = 60000)
{
    return waitForState(api, recordingId, states, timeoutMs);
}

} // namespace RecordingChecks

} // namespace quorum::testing
