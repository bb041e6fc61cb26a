#pragma once

#include <QJsonObject>
#include <QString>

namespace quorum::testing {

// Real Janus recorder files for tests, made by tests/support/janus-recording.sh (a private
// Janus, headless chromium publishing into a VideoRoom that records): the .mjr files and a
// manifest.json in the payload form of a Janus capture (MediaPlane.h, CaptureFinished).
namespace JanusFixture {

// What CTest reads as "skipped": the tools to make a recording are missing.
inline constexpr int kSkipped = 77;

// Records `seconds` with `people` (the script's JSON list) into `dir`, or takes the directory
// named by QUORUM_JANUS_FIXTURE when set. 0 when the fixture is there, kSkipped, or 1 (with a
// message) when it could not be made.
int make(const QString &dir, int seconds, const QString &people, QString *madeIn);

// The fixture's manifest.json; empty when it cannot be read.
QJsonObject manifest(const QString &dir);

} // namespace JanusFixture

} // namespace quorum::testing
