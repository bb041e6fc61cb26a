#include "LiveScenario.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum::testing {

LiveScenario::LiveScenario(QStringList extraArguments)
{
    QStringList arguments{u"--resume-grace"_s,     u"2"_s,   u"--ping-interval"_s, u"1"_s,
                          u"--ping-timeout"_s,     u"2"_s,   u"--empty-timeout"_s, u"2"_s,
                          u"--mute-ack-timeout"_s, u"2000"_s};
    arguments << extraArguments;
    m_server = std::make_unique<QuorumdProcess>(arguments);
}

bool LiveScenario::start()
{
    if (!m_server->start())
        return false;
    m_bearers.insert(u"admin"_s, m_server->token());
    for (const QString &name : {u"bob"_s, u"carol"_s, u"dave"_s, u"erin"_s}) {
        const QString id = m_server->createUser(name, u"default"_s);
        if (!id.startsWith(u"usr_"))
            return false;
        m_userIds.insert(name, id);
        m_bearers.insert(name, m_server->token(name));
    }
    m_userIds.insert(
        u"admin"_s,
        api().get(u"/v1/me"_s).json().value(u"user"_s).toObject().value(u"id"_s).toString());
    return m_bearers.value(u"admin"_s).startsWith(u"qpat_");
}

QString LiveScenario::bearer(const QString &user) const
{
    return m_bearers.value(user);
}

ApiClient LiveScenario::api(const QString &user) const
{
    return ApiClient(m_server->baseUrl(), bearer(user));
}

QString LiveScenario::createMeeting(bool waitingRoom, bool joinBeforeHost, bool muteUponEntry)
{
    const QJsonObject body{{u"topic"_s, u"Live test"_s},
                           {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                           {u"duration_minutes"_s, 30},
                           {u"waiting_room"_s, waitingRoom},
                           {u"settings"_s,
                            QJsonObject{{u"allow_join_before_host"_s, joinBeforeHost},
                                        {u"mute_upon_entry"_s, muteUponEntry}}}};
    const ApiReply created = api().post(u"/v1/meetings"_s, body);
    return created.status == 201 ? created.json().value(u"id"_s).toString() : QString();
}

ApiReply LiveScenario::joinTokenReply(const QString &user, const QString &meetingId) const
{
    return api(user).post(u"/v1/meetings/"_s + meetingId + u"/joinToken"_s, {});
}

QString LiveScenario::joinToken(const QString &user, const QString &meetingId) const
{
    return joinTokenReply(user, meetingId).json().value(u"jwt"_s).toString();
}

QJsonObject LiveScenario::meeting(const QString &meetingId) const
{
    return api().get(u"/v1/meetings/"_s + meetingId).json();
}

QString LiveScenario::meetingState(const QString &meetingId) const
{
    return meeting(meetingId).value(u"state"_s).toString();
}

ApiReply LiveScenario::participants(const QString &meetingId, const QString &query) const
{
    QString path = u"/v1/meetings/"_s + meetingId + u"/participants"_s;
    if (!query.isEmpty())
        path += u"?"_s + query;
    return api().get(path);
}

QJsonObject LiveScenario::listedParticipant(const QString &meetingId,
                                            const QString &participantId) const
{
    QString cursor;
    for (int page = 0; page < 50; ++page) {
        const ApiReply reply
            = participants(meetingId, cursor.isEmpty() ? QString() : u"cursor="_s + cursor);
        if (reply.status != 200)
            return {};
        for (const QJsonValue &entry : reply.json().value(u"participants"_s).toArray()) {
            if (entry.toObject().value(u"id"_s).toString() == participantId)
                return entry.toObject();
        }
        cursor = reply.json().value(u"next_cursor"_s).toString();
        if (cursor.isEmpty())
            return {};
    }
    return {};
}

std::unique_ptr<SignalClient> LiveScenario::connect() const
{
    auto client = std::make_unique<SignalClient>();
    if (!client->open(m_server->port()))
        return nullptr;
    return client;
}

std::unique_ptr<SignalClient> LiveScenario::join(const QString &user, const QString &meetingId,
                                                 QJsonObject *answer) const
{
    const QString jwt = joinToken(user, meetingId);
    auto client = connect();
    if (!client || jwt.isEmpty())
        return nullptr;
    const QJsonObject reply = client->join(jwt);
    if (answer)
        *answer = reply;
    return client;
}

} // namespace quorum::testing
