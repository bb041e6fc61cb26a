#include "ParticipantListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"
#include "SignalObserver.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

ParticipantListModel::ParticipantListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"display_name"_s, u"user_id"_s, u"guest_id"_s, u"role"_s,
                      u"state"_s, u"audio_muted"_s, u"video_muted"_s, u"mute_acknowledged"_s,
                      u"joined_at"_s, u"admitted_at"_s, u"left_at"_s, u"leave_reason"_s},
                     parent)
    , m_observer(new SignalObserver(this))
{
    connect(m_observer, &SignalObserver::roster, this, &ParticipantListModel::showRoster);
    connect(m_observer, &SignalObserver::participantJoined, this,
            [this](const QJsonObject &participant) { upsert(participant); });
    connect(m_observer, &SignalObserver::participantUpdated, this,
            [this](const QJsonObject &participant) { upsert(participant); });
    connect(m_observer, &SignalObserver::participantLeft, this,
            [this](const QString &participantId) { removeId(participantId); });
    connect(m_observer, &SignalObserver::meetingEnded, this, [this] {
        resetItems({});
        setMeetingEnded(true);
    });
    connect(m_observer, &SignalObserver::errorChanged, this,
            [this] { setError(m_observer->error()); });
    connect(this, &PagedListModel::clientChanged, this, &ParticipantListModel::restartObserver);
}

ParticipantListModel::~ParticipantListModel() = default;

void ParticipantListModel::setMeetingId(const QString &meetingId)
{
    if (m_meetingId == meetingId)
        return;
    m_meetingId = meetingId;
    Q_EMIT meetingIdChanged();
    setMeetingEnded(false);
    restartObserver();
}

void ParticipantListModel::setLive(bool live)
{
    if (m_live == live)
        return;
    m_live = live;
    Q_EMIT liveChanged();
    restartObserver();
}

ApiCall *ParticipantListModel::mute(const QString &participantId, bool muted)
{
    if (!client())
        return failedCall();
    return track(client()->post(participantPath(participantId) + u"/mute"_s,
                                QJsonObject{{"muted"_L1, muted}}));
}

ApiCall *ParticipantListModel::remove(const QString &participantId)
{
    if (!client())
        return failedCall();
    return track(client()->remove(participantPath(participantId)));
}

ApiCall *ParticipantListModel::admit(const QString &participantId)
{
    if (!client())
        return failedCall();
    return track(client()->post(participantPath(participantId) + u"/admit"_s));
}

ApiCall *ParticipantListModel::setRole(const QString &participantId, const QString &role)
{
    if (!client())
        return failedCall();
    return track(client()->patch(participantPath(participantId), QJsonObject{{"role"_L1, role}}));
}

ApiCall *ParticipantListModel::muteAll()
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings/%1/participants:muteAll"_s.arg(m_meetingId)));
}

ApiCall *ParticipantListModel::end()
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings/%1:end"_s.arg(m_meetingId)));
}

QString ParticipantListModel::path() const
{
    return m_meetingId.isEmpty() ? QString() : u"/v1/meetings/%1/participants"_s.arg(m_meetingId);
}

QString ParticipantListModel::itemsKey() const
{
    return u"participants"_s;
}

void ParticipantListModel::restartObserver()
{
    m_observer->stop();
    if (!m_live || !client() || m_meetingId.isEmpty() || !client()->hasToken())
        return;
    m_observer->start(client()->signalUrl(), client()->token(), m_meetingId);
}

void ParticipantListModel::showRoster(const QJsonArray &participants)
{
    QList<QJsonObject> items;
    for (const QJsonValue &participant : participants)
        items.append(participant.toObject());
    resetItems(items);
}

void ParticipantListModel::setMeetingEnded(bool ended)
{
    if (m_meetingEnded == ended)
        return;
    m_meetingEnded = ended;
    Q_EMIT meetingEndedChanged();
}

QString ParticipantListModel::participantPath(const QString &participantId) const
{
    return u"/v1/meetings/%1/participants/%2"_s.arg(m_meetingId, participantId);
}

} // namespace quorum
