#pragma once

#include "ApiCall.h"
#include "ApiClient.h"

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QUrlQuery>
#include <QtQml/qqmlregistration.h>

#include <functional>

namespace quorum {

// The common part of the app's list models: one API collection read page by page through its
// cursor (`fetchMore`), refreshed on demand, each item a JSON object whose fields are the roles
// (snake_case keys become lowerCamel role names, plus `item`, the whole object). Subclasses
// name the path, the array, the filters and the actions.
class PagedListModel : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PagedListModel)
    QML_ANONYMOUS
    Q_PROPERTY(quorum::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    // The HTTP status of the failed read behind `error` (403: the caller may not see the list),
    // 0 when there is no error or the server was not reached.
    Q_PROPERTY(int errorStatus READ errorStatus NOTIFY errorChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(bool hasMore READ hasMore NOTIFY hasMoreChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)

public:
    ~PagedListModel() override;

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    bool isBusy() const { return m_pending > 0; }
    QString error() const { return m_error; }
    int errorStatus() const { return m_errorStatus; }
    int count() const { return int(m_rows.size()); }
    bool hasMore() const { return !m_nextCursor.isEmpty(); }
    int pageSize() const { return m_pageSize; }
    void setPageSize(int pageSize);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

    // Reads the first page again, dropping what was shown.
    Q_INVOKABLE void refresh();
    Q_INVOKABLE void loadMore() { fetchMore({}); }
    // The item of a row as a map, for a page that shows one.
    Q_INVOKABLE QVariantMap get(int row) const;
    Q_INVOKABLE int indexOf(const QString &id) const;
    QJsonObject item(int row) const { return m_rows.value(row); }

Q_SIGNALS:
    void clientChanged();
    void busyChanged();
    void errorChanged();
    void countChanged();
    void hasMoreChanged();
    void pageSizeChanged();
    // A page arrived (the first one after refresh() included).
    void loaded();

protected:
    PagedListModel(QStringList fields, QObject *parent);

    // The collection's path; empty while the model lacks what it needs (a meeting id, ...).
    virtual QString path() const = 0;
    // The name of the array in a page.
    virtual QString itemsKey() const = 0;
    virtual QUrlQuery filters() const { return {}; }
    // Whether an item is shown (client-side filters).
    virtual bool accepts(const QJsonObject &item) const;

    // Shows the item's new version (or adds it), as an action's answer or an event brings it.
    void upsert(const QJsonObject &item);
    void removeId(const QString &id);
    // Shows exactly these items (a live roster), with no further pages.
    void resetItems(const QList<QJsonObject> &items);
    // Shows the fetched items again through accepts() after a client-side filter changed.
    void applyFilter();
    // Tracks an action's call in busy, and runs `onSuccess` when it worked.
    ApiCall *track(ApiCall *call, std::function<void(ApiCall *)> onSuccess = {});
    void setError(const QString &error, int status = 0);
    // A call that fails at once because the model has no client.
    ApiCall *failedCall();
    // The ETag a PATCH or DELETE of this item sends (`"v<version>"`), empty when unknown.
    QByteArray etagOf(const QString &id) const;

private:
    void request(const QString &cursor);
    void setPending(int delta);
    void setNextCursor(const QString &cursor);

    QStringList m_fields;
    ApiClient *m_client = nullptr;
    QList<QJsonObject> m_all; // every fetched item, in the server's order
    QList<QJsonObject> m_rows; // those accepted
    QString m_nextCursor;
    QString m_error;
    int m_errorStatus = 0;
    int m_pending = 0;
    int m_pageSize = 50;
    int m_generation = 0; // answers to an older refresh are dropped
    bool m_fetchingMore = false;
};

} // namespace quorum
