#pragma once

// What the recording tests share: ffmpeg's tools run by the test itself (independent of the
// code under test), and a database holding one LIVE meeting for recordings to belong to.

#include "store/Database.h"
#include "store/EventRepository.h"
#include "store/RecordingRepository.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace quorum::testing {

// A tool's standard output; empty (with its complaints in the log) when it failed.
inline QByteArray runTool(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    if (!process.waitForFinished(60'000) || process.exitCode() != 0) {
        qWarning() << program << arguments << process.readAllStandardError();
        return {};
    }
    return process.readAllStandardOutput();
}

// What ffprobe reads of a media file.
struct ProbedMedia
{
    QStringList codecs; // "video:h264", "audio:aac", in stream order
    double seconds = 0;
    QString format; // "mov,mp4,m4a,3gp,3g2,mj2", ...
};

inline ProbedMedia probeMedia(const QString &file)
{
    using namespace Qt::StringLiterals;
    const QJsonObject json
        = QJsonDocument::fromJson(
              runTool(u"ffprobe"_s,
                      {u"-v"_s, u"error"_s, u"-show_entries"_s,
                       u"format=format_name,duration:stream=codec_type,codec_name"_s, u"-of"_s,
                       u"json"_s, file}))
              .object();
    ProbedMedia probed;
    for (const QJsonValue &stream : json.value(u"streams"_s).toArray())
        probed.codecs << stream[u"codec_type"_s].toString() + u':'
                + stream[u"codec_name"_s].toString();
    probed.seconds = json[u"format"_s][u"duration"_s].toString().toDouble();
    probed.format = json[u"format"_s][u"format_name"_s].toString();
    return probed;
}

inline bool execSql(Database &database, const QString &sql)
{
    QSqlQuery query(database.connection());
    const bool ok = query.exec(sql);
    if (!ok)
        qWarning() << sql << query.lastError().text();
    return ok;
}

// Workspace wsp_a, its member usr_host, and mtg_1, LIVE, hosted by them.
inline bool addLiveMeeting(Database &database)
{
    using namespace Qt::StringLiterals;
    return execSql(database,
                   u"INSERT INTO workspaces (id, name, default_region, created_at) "
                   "VALUES ('wsp_a', 'a', 'local', 0)"_s)
        && execSql(database,
                   u"INSERT INTO users (id, workspace_id, name, role, disabled, created_at) "
                   "VALUES ('usr_host', 'wsp_a', 'host', 'member', 0, 0)"_s)
        && execSql(database,
                   u"INSERT INTO meetings (id, workspace_id, host_id, topic, start_time, "
                   "timezone, duration_minutes, waiting_room, auto_recording, mute_upon_entry, "
                   "allow_join_before_host, state, version, created_at, updated_at) VALUES "
                   "('mtg_1', 'wsp_a', 'usr_host', 't', 0, 'UTC', 30, 0, 'none', 0, 0, 'LIVE', "
                   "1, 0, 0)"_s);
}

// The recording as stored now (deleted ones too), or nothing.
inline std::optional<Recording> storedRecording(Database &database, const QString &id)
{
    auto found = RecordingRepository(database.connection()).byId(id, true);
    return found ? *found : std::nullopt;
}

// mtg_1's events of one type, in order.
inline QList<StoredEvent> meetingEvents(Database &database, const QString &type)
{
    using namespace Qt::StringLiterals;
    QList<StoredEvent> list;
    auto all = EventRepository(database.connection()).forMeeting(u"mtg_1"_s);
    for (const StoredEvent &event : all ? *all : QList<StoredEvent>())
        if (event.type == type)
            list << event;
    return list;
}

} // namespace quorum::testing
