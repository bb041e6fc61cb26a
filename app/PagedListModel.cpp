#include "PagedListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QQmlEngine>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcModels, "quorum.app.models")

namespace {

constexpr int kItemRole = Qt::UserRole;

QByteArray lowerCamel(const QString &field)
{
    QString name;
    bool upper = false;
    for (const QChar c : field) {
        if (c == u'_') {
            upper = true;
            continue;
        }
        name += upper ? c.toUpper() : c;
        upper = false;
    }
    return name.toUtf8();
}

} // namespace

PagedListModel::PagedListModel(QStringList fields, QObject *parent)
    : QAbstractListModel(parent)
    , m_fields(std::move(fields))
{ }

PagedListModel::~PagedListModel() = default;

void PagedListModel::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    m_client = client;
    Q_EMIT clientChanged();
}

void PagedListModel::setPageSize(int pageSize)
{
    if (m_pageSize == pageSize)
        return;
    m_pageSize = pageSize;
    Q_EMIT pageSizeChanged();
}

int PagedListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant PagedListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &item = m_rows.at(index.row());
    if (role == kItemRole)
        return item.toVariantMap();
    if (role == Qt::DisplayRole)
        return item.value(m_fields.value(1)).toVariant();
    const int field = role - kItemRole - 1;
    if (field < 0 || field >= m_fields.size())
        return {};
    return item.value(m_fields.at(field)).toVariant();
}

QHash<int, QByteArray> PagedListModel::roleNames() const
{
    QHash<int, QByteArray> names{{kItemRole, "item"}, {Qt::DisplayRole, "display"}};
    for (int i = 0; i < m_fields.size(); ++i)
        names.insert(kItemRole + 1 + i, lowerCamel(m_fields.at(i)));
    return names;
}

bool PagedListModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_nextCursor.isEmpty() && !m_fetchingMore;
}

void PagedListModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    m_fetchingMore = true;
    request(m_nextCursor);
}

void PagedListModel::refresh()
{
    ++m_generation;
    m_fetchingMore = false;
    if (!m_client || path().isEmpty()) {
        beginResetModel();
        m_all.clear();
        m_rows.clear();
        endResetModel();
        setNextCursor({});
        Q_EMIT countChanged();
        return;
    }
    request({});
}

QVariantMap PagedListModel::get(int row) const
{
    return m_rows.value(row).toVariantMap();
}

int PagedListModel::indexOf(const QString &id) const
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (m_rows.at(row).value("id"_L1).toString() == id)
            return row;
    }
    return -1;
}

bool PagedListModel::accepts(const QJsonObject &) const
{
    return true;
}

void PagedListModel::request(const QString &cursor)
{
    QUrlQuery query = filters();
    query.addQueryItem(u"page_size"_s, QString::number(m_pageSize));
    if (!cursor.isEmpty())
        query.addQueryItem(u"cursor"_s, cursor);

    const int generation = m_generation;
    setPending(+1);
    ApiClient::then(m_client->get(path(), query), this, [this, cursor, generation](ApiCall *call) {
        setPending(-1);
        if (generation != m_generation)
            return;
        m_fetchingMore = false;
        if (!call->ok()) {
            qCWarning(lcModels) << "loading" << path() << "failed:" << call->status()
                                << call->code();
            setError(call->message(), call->status());
            return;
        }
        setError({});

        QList<QJsonObject> page;
        for (const QJsonValue &value : call->json().value(itemsKey()).toArray())
            page.append(value.toObject());
        QList<QJsonObject> shown;
        for (const QJsonObject &item : std::as_const(page)) {
            if (accepts(item))
                shown.append(item);
        }

        // The cursor moves on before the rows change: a view that asks for more while the
        // rows go in must get the next page, not this one again.
        setNextCursor(call->json().value("next_cursor"_L1).toString());
        if (cursor.isEmpty()) {
            beginResetModel();
            m_all = page;
            m_rows = shown;
            endResetModel();
        } else {
            m_all.append(page);
            if (!shown.isEmpty()) {
                beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + shown.size() - 1));
                m_rows.append(shown);
                endInsertRows();
            }
        }
        Q_EMIT countChanged();
        Q_EMIT loaded();
    });
}

void PagedListModel::upsert(const QJsonObject &item)
{
    const QString id = item.value("id"_L1).toString();
    auto same = [&id](const QJsonObject &other) { return other.value("id"_L1).toString() == id; };
    const auto stored = std::find_if(m_all.begin(), m_all.end(), same);
    if (stored != m_all.end())
        *stored = item;
    else
        m_all.append(item);

    const int row = indexOf(id);
    const bool shown = accepts(item);
    if (row >= 0 && shown) {
        m_rows[row] = item;
        Q_EMIT dataChanged(index(row), index(row));
    } else if (row >= 0) {
        beginRemoveRows({}, row, row);
        m_rows.removeAt(row);
        endRemoveRows();
    } else if (shown) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()));
        m_rows.append(item);
        endInsertRows();
    }
    Q_EMIT countChanged();
}

void PagedListModel::removeId(const QString &id)
{
    m_all.removeIf([&id](const QJsonObject &item) { return item.value("id"_L1).toString() == id; });
    const int row = indexOf(id);
    if (row < 0)
        return;
    beginRemoveRows({}, row, row);
    m_rows.removeAt(row);
    endRemoveRows();
    Q_EMIT countChanged();
}

void PagedListModel::resetItems(const QList<QJsonObject> &items)
{
    ++m_generation;
    m_all = items;
    setNextCursor({});
    applyFilter();
}

void PagedListModel::applyFilter()
{
    beginResetModel();
    m_rows.clear();
    for (const QJsonObject &item : std::as_const(m_all)) {
        if (accepts(item))
            m_rows.append(item);
    }
    endResetModel();
    Q_EMIT countChanged();
}

ApiCall *PagedListModel::track(ApiCall *call, std::function<void(ApiCall *)> onSuccess)
{
    setPending(+1);
    ApiClient::then(call, this, [this, onSuccess = std::move(onSuccess)](ApiCall *done) {
        setPending(-1);
        if (done->ok() && onSuccess)
            onSuccess(done);
    });
    return call;
}

void PagedListModel::setError(const QString &error, int status)
{
    if (m_error == error && m_errorStatus == status)
        return;
    m_error = error;
    m_errorStatus = status;
    Q_EMIT errorChanged();
}

ApiCall *PagedListModel::failedCall()
{
    auto *call = new ApiCall(this);
    QQmlEngine::setObjectOwnership(call, QQmlEngine::CppOwnership);
    connect(call, &ApiCall::finished, call, &QObject::deleteLater, Qt::QueuedConnection);
    QMetaObject::invokeMethod(
        call, [call] { call->fail(tr("Not connected to a server.")); }, Qt::QueuedConnection);
    return call;
}

QByteArray PagedListModel::etagOf(const QString &id) const
{
    for (const QJsonObject &item : m_all) {
        if (item.value("id"_L1).toString() == id && item.contains("version"_L1))
            return "\"v" + QByteArray::number(item.value("version"_L1).toInteger()) + '"';
    }
    return {};
}

void PagedListModel::setPending(int delta)
{
    const bool wasBusy = isBusy();
    m_pending += delta;
    if (wasBusy != isBusy())
        Q_EMIT busyChanged();
}

void PagedListModel::setNextCursor(const QString &cursor)
{
    if (m_nextCursor == cursor)
        return;
    m_nextCursor = cursor;
    Q_EMIT hasMoreChanged();
}

} // namespace quorum
