#include "DatabaseReader.h"

#include "QuorumdProcess.h"

#include <QAtomicInteger>
#include <QHash>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QVariant>

using namespace Qt::StringLiterals;

namespace quorum::testing {

namespace {

QAtomicInteger<int> g_connections;

} // namespace

DatabaseReader::DatabaseReader(const QuorumdProcess &server)
    : m_connectionName(u"reader-%1"_s.arg(g_connections.fetchAndAddRelaxed(1)))
{
    server.openDatabase(m_connectionName);
}

DatabaseReader::~DatabaseReader()
{
    QSqlDatabase::database(m_connectionName, false).close();
    QSqlDatabase::removeDatabase(m_connectionName);
}

bool DatabaseReader::isOpen() const
{
    return QSqlDatabase::database(m_connectionName, false).isOpen();
}

QList<EventRow> DatabaseReader::events(const QString &meetingId) const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(u"SELECT type, sequence, occurred_at, data FROM events WHERE meeting_id = ? "
                  "ORDER BY sequence"_s);
    query.addBindValue(meetingId);
    QList<EventRow> rows;
    if (!query.exec())
        return rows;
    while (query.next()) {
        rows.append(EventRow{query.value(0).toString(), query.value(1).toLongLong(),
                             query.value(2).toLongLong(),
                             QJsonDocument::fromJson(query.value(3).toByteArray()).object()});
    }
    return rows;
}

QList<EventRow> DatabaseReader::eventsOfType(const QList<EventRow> &events, const QString &type)
{
    QList<EventRow> matching;
    for (const EventRow &event : events) {
        if (event.type == type)
            matching << event;
    }
    return matching;
}

QList<QJsonObject> DatabaseReader::participants(const QString &meetingId) const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(u"SELECT id, state, leave_reason, audio_muted, mute_acknowledged, user_id, "
                  "guest_id FROM participants WHERE meeting_id = ? ORDER BY joined_at, id"_s);
    query.addBindValue(meetingId);
    QList<QJsonObject> rows;
    if (!query.exec())
        return rows;
    while (query.next()) {
        rows.append({{u"id"_s, query.value(0).toString()},
                     {u"state"_s, query.value(1).toString()},
                     {u"leave_reason"_s, query.value(2).toString()},
                     {u"audio_muted"_s, query.value(3).toInt() != 0},
                     {u"mute_acknowledged"_s, query.value(4).toInt() != 0},
                     {u"user_id"_s, query.value(5).toString()},
                     {u"guest_id"_s, query.value(6).toString()}});
    }
    return rows;
}

QList<QJsonObject> DatabaseReader::deliveries(const QString &webhookId) const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(u"SELECT d.id, d.event_id, d.event_type, d.body, d.state, d.attempts, "
                  "d.next_attempt_at, d.created_at, e.data, e.occurred_at "
                  "FROM webhook_deliveries d LEFT JOIN events e ON e.id = d.event_id "
                  "WHERE d.webhook_id = ? ORDER BY d.created_at, d.id"_s);
    query.addBindValue(webhookId);
    QList<QJsonObject> rows;
    if (!query.exec())
        return rows;
    while (query.next()) {
        rows.append({{u"id"_s, query.value(0).toString()},
                     {u"event_id"_s, query.value(1).toString()},
                     {u"event_type"_s, query.value(2).toString()},
                     {u"body"_s, query.value(3).toString()},
                     {u"state"_s, query.value(4).toString()},
                     {u"attempts"_s, query.value(5).toInt()},
                     {u"next_attempt_at"_s, query.value(6).toLongLong()},
                     {u"created_at"_s, query.value(7).toLongLong()},
                     {u"event_data"_s, query.value(8).toString()},
                     {u"occurred_at"_s, query.value(9).toLongLong()}});
    }
    return rows;
}

QJsonObject DatabaseReader::webhook(const QString &webhookId) const
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName, false));
    query.prepare(u"SELECT * FROM webhooks WHERE id = ?"_s);
    query.addBindValue(webhookId);
    QJsonObject row;
    if (!query.exec() || !query.next())
        return row;
    const QSqlRecord record = query.record();
    for (int i = 0; i < record.count(); ++i)
        row.insert(record.fieldName(i), query.value(i).toString());
    return row;
}

QString DatabaseReader::pairingProblem(const QString &meetingId) const
{
    QHash<QString, int> joined;
    QHash<QString, int> left;
    for (const EventRow &event : events(meetingId)) {
        const QString id = event.data.value(u"participant_id"_s).toString();
        if (event.type == u"participant.joined") {
            if (joined.value(id) > 0)
                return u"%1 joined twice"_s.arg(id);
            joined[id] = 1;
        } else if (event.type == u"participant.left") {
            if (joined.value(id) == 0)
                return u"%1 left without joining (sequence %2)"_s.arg(id).arg(event.sequence);
            if (left.value(id) > 0)
                return u"%1 left twice"_s.arg(id);
            left[id] = 1;
        }
    }
    for (auto it = joined.cbegin(); it != joined.cend(); ++it) {
        if (left.value(it.key()) != 1)
            return u"%1 joined and never left"_s.arg(it.key());
    }
    return {};
}

} // namespace quorum::testing
