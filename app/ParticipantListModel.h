#pragma once

#include "PagedListModel.h"
#include "SignalObserver.h"

namespace quorum {

// The people of one meeting. refresh() reads them through the API (every participant, those
// who left included); with `live` on, a SignalObserver keeps the rows current instead: the
// roster (present and waiting people), then each join, update and leave as it happens, until
// the meeting ends. Host actions go through the REST API.
class ParticipantListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ParticipantListModel)
    QML_ELEMENT
    Q_PROPERTY(QString meetingId READ meetingId WRITE setMeetingId NOTIFY meetingIdChanged)
    Q_PROPERTY(bool live READ isLive WRITE setLive NOTIFY liveChanged)
    Q_PROPERTY(quorum::SignalObserver *observer READ observer CONSTANT)
    Q_PROPERTY(bool meetingEnded READ meetingEnded NOTIFY meetingEndedChanged)

public:
    explicit ParticipantListModel(QObject *parent = nullptr);
    ~ParticipantListModel() override;

    QString meetingId() const { return m_meetingId; }
    void setMeetingId(const QString &meetingId);
    bool isLive() const { return m_live; }
    void setLive(bool live);
    SignalObserver *observer() const { return m_observer; }
    bool meetingEnded() const { return m_meetingEnded; }

    Q_INVOKABLE quorum::ApiCall *mute(const QString &participantId, bool muted = true);
    Q_INVOKABLE quorum::ApiCall *remove(const QString &participantId);
    Q_INVOKABLE quorum::ApiCall *admit(const QString &participantId);
    // `role`: co_host or attendee.
    Q_INVOKABLE quorum::ApiCall *setRole(const QString &participantId, const QString &role);
    Q_INVOKABLE quorum::ApiCall *muteAll();
    Q_INVOKABLE quorum::ApiCall *end();

Q_SIGNALS:
    void meetingIdChanged();
    void liveChanged();
    void meetingEndedChanged();

protected:
    QString path() const override;
    QString itemsKey() const override;

private:
    void restartObserver();
    void showRoster(const QJsonArray &participants);
    void setMeetingEnded(bool ended);
    QString participantPath(const QString &participantId) const;

    SignalObserver *m_observer;
    QString m_meetingId;
    bool m_live = false;
    bool m_meetingEnded = false;
};

} // namespace quorum
