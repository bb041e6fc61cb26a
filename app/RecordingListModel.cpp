#include "RecordingListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

using namespace Qt::StringLiterals;

namespace quorum {

RecordingListModel::RecordingListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"state"_s, u"progress"_s, u"started_by"_s, u"started_at"_s,
                      u"stopped_at"_s, u"completed_at"_s, u"duration_seconds"_s, u"error_code"_s,
                      u"error_message"_s, u"files"_s, u"version"_s},
                     parent)
{ }

void RecordingListModel::setMeetingId(const QString &meetingId)
{
    if (m_meetingId == meetingId)
        return;
    m_meetingId = meetingId;
    Q_EMIT meetingIdChanged();
    refresh();
}

ApiCall *RecordingListModel::start()
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings/%1/recordings:start"_s.arg(m_meetingId)),
                 [this](ApiCall *) { refresh(); });
}

ApiCall *RecordingListModel::stop()
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/meetings/%1/recordings:stop"_s.arg(m_meetingId)),
                 [this](ApiCall *) { refresh(); });
}

ApiCall *RecordingListModel::deleteRecording(const QString &recordingId)
{
    if (!client())
        return failedCall();
    return track(client()->remove(u"/v1/recordings/"_s + recordingId),
                 [this, recordingId](ApiCall *) { removeId(recordingId); });
}

QString RecordingListModel::path() const
{
    return m_meetingId.isEmpty() ? QString() : u"/v1/meetings/%1/recordings"_s.arg(m_meetingId);
}

QString RecordingListModel::itemsKey() const
{
    return u"recordings"_s;
}

} // namespace quorum
