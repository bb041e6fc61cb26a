#pragma once

#include "PagedListModel.h"

namespace quorum {

// The meetings the caller may read, ordered by start time. `stateFilter` ("SCHEDULED,LIVE")
// and `hostFilter` go to the API; `searchText` matches topics here, since the API has no
// text search. The actions answer with an ApiCall whose fieldErrors name the fields to fix.
class MeetingListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MeetingListModel)
    QML_ELEMENT
    Q_PROPERTY(QString stateFilter READ stateFilter WRITE setStateFilter NOTIFY stateFilterChanged)
    Q_PROPERTY(QString hostFilter READ hostFilter WRITE setHostFilter NOTIFY hostFilterChanged)
    Q_PROPERTY(QString searchText READ searchText WRITE setSearchText NOTIFY searchTextChanged)

public:
    explicit MeetingListModel(QObject *parent = nullptr);

    QString stateFilter() const { return m_stateFilter; }
    void setStateFilter(const QString &states);
    QString hostFilter() const { return m_hostFilter; }
    void setHostFilter(const QString &hostId);
    QString searchText() const { return m_searchText; }
    void setSearchText(const QString &text);

    // `input`: topic, start_time, timezone, duration_minutes, passcode, waiting_room, settings.
    Q_INVOKABLE quorum::ApiCall *schedule(const QVariantMap &input);
    // A merge patch of the meeting (null clears), sent with the version shown as If-Match.
    Q_INVOKABLE quorum::ApiCall *update(const QString &meetingId, const QVariantMap &patch);
    Q_INVOKABLE quorum::ApiCall *cancel(const QString &meetingId);
    Q_INVOKABLE quorum::ApiCall *end(const QString &meetingId);

Q_SIGNALS:
    void stateFilterChanged();
    void hostFilterChanged();
    void searchTextChanged();

protected:
    QString path() const override;
    QString itemsKey() const override;
    QUrlQuery filters() const override;
    bool accepts(const QJsonObject &item) const override;

private:
    // Reads the meeting again and shows it (after :end, whose answer is not the meeting).
    void reload(const QString &meetingId);

    QString m_stateFilter;
    QString m_hostFilter;
    QString m_searchText;
};

} // namespace quorum
