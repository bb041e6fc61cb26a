#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

namespace quorum::testing {

class QuorumdProcess;

// One row of the events table.
struct EventRow
{
    QString type;
    qint64 sequence = 0;
    qint64 occurredAtMs = 0;
    QJsonObject data;
};

// Reads what quorumd wrote, straight from its database (SQLite or PostgreSQL) and read-only, so
// tests can check the event log and the participants rows the API does not show.
class DatabaseReader final
{
public:
    explicit DatabaseReader(const QuorumdProcess &server);
    ~DatabaseReader();
    Q_DISABLE_COPY_MOVE(DatabaseReader)

    bool isOpen() const;
    // The meeting's events in sequence order.
    QList<EventRow> events(const QString &meetingId) const;
    // Those of `events` whose type is `type`, in the order given.
    static QList<EventRow> eventsOfType(const QList<EventRow> &events, const QString &type);
    // The meeting's participants rows (id, state, leave_reason, audio_muted,
    // mute_acknowledged, user_id, guest_id), oldest first.
    QList<QJsonObject> participants(const QString &meetingId) const;
    // The subscription's deliveries, oldest first: id, event_id, event_type, body, state,
    // attempts, next_attempt_at, created_at, and the event row's data text (event_data, empty
    // for a webhook.test ping, which has no event row) and occurred_at (ms).
    QList<QJsonObject> deliveries(const QString &webhookId) const;
    // Columns of one webhooks row as text (empty object when absent).
    QJsonObject webhook(const QString &webhookId) const;

    // DESIGN.md *Events*: every participant.joined has exactly one participant.left after it,
    // and no left comes without its joined. The first problem found, or empty.
    QString pairingProblem(const QString &meetingId) const;

private:
    QString m_connectionName;
};

} // namespace quorum::testing
