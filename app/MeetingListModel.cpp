#include "MeetingListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace quorum {

MeetingListModel::MeetingListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"topic"_s, u"start_time"_s, u"timezone"_s, u"duration_minutes"_s,
                      u"state"_s, u"host_id"_s, u"join_url"_s, u"start_url"_s, u"waiting_room"_s,
                      u"has_passcode"_s, u"passcode"_s, u"settings"_s, u"live"_s, u"ended_at"_s,
                      u"version"_s},
                     parent)
{ }

void MeetingListModel::setStateFilter(const QString &states)
{
    if (m_stateFilter == states)
        return;
    m_stateFilter = states;
    Q_EMIT stateFilterChanged();
    refresh();
}

void MeetingListModel::setHostFilter(const QString &hostId)
{
    if (m_hostFilter == hostId)
        return;
    m_hostFilter = hostId;
    Q_EMIT hostFilterChanged();
    refresh();
}

void MeetingListModel::setSearchText(const QString &text)
{
    if (m_searchText == text)
        return;
    m_searchText = text;
    Q_EMIT searchTextChanged();
    applyFilter();
}

ApiCall *MeetingListModel::schedule(const QVariantMap &input)
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings"_s, QJsonObject::fromVariantMap(input)),
                 [this](ApiCall *call) { upsert(call->json()); });
}

ApiCall *MeetingListModel::update(const QString &meetingId, const QVariantMap &patch)
{
    if (!client())
        return failedCall();
    return track(client()->patch(u"/v1/meetings/"_s + meetingId, QJsonObject::fromVariantMap(patch),
                                 etagOf(meetingId)),
                 [this](ApiCall *call) { upsert(call->json()); });
}

ApiCall *MeetingListModel::cancel(const QString &meetingId)
{
    if (!client())
        return failedCall();
    return track(client()->remove(u"/v1/meetings/"_s + meetingId, etagOf(meetingId)),
                 [this, meetingId](ApiCall *) { reload(meetingId); });
}

ApiCall *MeetingListModel::end(const QString &meetingId)
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings/%1:end"_s.arg(meetingId)),
                 [this, meetingId](ApiCall *) { reload(meetingId); });
}

QString MeetingListModel::path() const
{
    return u"/v1/meetings"_s;
}

QString MeetingListModel::itemsKey() const
{
    return u"meetings"_s;
}

QUrlQuery MeetingListModel::filters() const
{
    QUrlQuery query;
    if (!m_stateFilter.isEmpty())
        query.addQueryItem(u"state"_s, m_stateFilter);
    if (!m_hostFilter.isEmpty())
        query.addQueryItem(u"host"_s, m_hostFilter);
    return query;
}

bool MeetingListModel::accepts(const QJsonObject &item) const
{
    if (!m_stateFilter.isEmpty()
        && !m_stateFilter.split(u',').contains(item.value("state"_L1).toString()))
        return false;
    return m_searchText.isEmpty()
        || item.value("topic"_L1).toString().contains(m_searchText, Qt::CaseInsensitive);
}

void MeetingListModel::reload(const QString &meetingId)
{
    ApiClient::then(client()->get(u"/v1/meetings/"_s + meetingId), this, [this](ApiCall *call) {
        if (call->ok())
            upsert(call->json());
    });
}

} // namespace quorum
