#pragma once

#include "PagedListModel.h"

namespace quorum {

// The cloud recordings of one meeting: state (recording, processing, completed, failed),
// progress 0-100, and the files (each with type, format, size_bytes, url, expires_at).
class RecordingListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RecordingListModel)
    QML_ELEMENT
    Q_PROPERTY(QString meetingId READ meetingId WRITE setMeetingId NOTIFY meetingIdChanged)

public:
    explicit RecordingListModel(QObject *parent = nullptr);

    QString meetingId() const { return m_meetingId; }
    void setMeetingId(const QString &meetingId);

    Q_INVOKABLE quorum::ApiCall *start();
    Q_INVOKABLE quorum::ApiCall *stop();
    Q_INVOKABLE quorum::ApiCall *deleteRecording(const QString &recordingId);

Q_SIGNALS:
    void meetingIdChanged();

protected:
    QString path() const override;
    QString itemsKey() const override;

private:
    QString m_meetingId;
};

} // namespace quorum
