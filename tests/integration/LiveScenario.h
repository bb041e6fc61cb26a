#pragma once

#include "ApiClient.h"
#include "QuorumdProcess.h"
#include "SignalClient.h"

#include <QJsonObject>
#include <QStringList>

#include <memory>

namespace quorum::testing {

// A quorumd with the signalling times shortened (resume grace 2 s, ping every 1 s, silent
// after 2 s, empty meetings end after 2 s, mute acks awaited 2 s), the admin as host and
// members bob, carol, dave and erin of the default workspace, and the steps every live test
// takes: schedule a meeting, get a join token, join over a real socket.
class LiveScenario final
{
public:
    explicit LiveScenario(QStringList extraArguments = {});

    bool start();
    QuorumdProcess &server() { return *m_server; }
    quint16 port() const { return m_server->port(); }

    // The admin's bearer (all scopes), or a member's by name.
    QString bearer(const QString &user = QStringLiteral("admin")) const;
    QString userId(const QString &user) const { return m_userIds.value(user); }
    ApiClient api(const QString &user = QStringLiteral("admin")) const;

    // Schedules a meeting hosted by the admin; its id, or empty.
    QString createMeeting(bool waitingRoom, bool joinBeforeHost = false,
                          bool muteUponEntry = false);
    ApiReply joinTokenReply(const QString &user, const QString &meetingId) const;
    // The jwt of a fresh join token, or empty.
    QString joinToken(const QString &user, const QString &meetingId) const;
    // GET /v1/meetings/{id}.
    QJsonObject meeting(const QString &meetingId) const;
    QString meetingState(const QString &meetingId) const;
    // GET /v1/meetings/{id}/participants with the query given, e.g. "state=present".
    ApiReply participants(const QString &meetingId, const QString &query = {}) const;
    // The participant of that id in the whole list (every page), or empty.
    QJsonObject listedParticipant(const QString &meetingId, const QString &participantId) const;

    // An open socket; nullptr when the upgrade failed.
    std::unique_ptr<SignalClient> connect() const;
    // Opens a socket for `user` and joins `meetingId` with a fresh token. `answer` gets the
    // joined, waiting or error frame.
    std::unique_ptr<SignalClient> join(const QString &user, const QString &meetingId,
                                       QJsonObject *answer) const;

private:
    std::unique_ptr<QuorumdProcess> m_server;
    QHash<QString, QString> m_bearers;
    QHash<QString, QString> m_userIds;
};

} // namespace quorum::testing
