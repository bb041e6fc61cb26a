#include "AppListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace quorum {

AppListModel::AppListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"name"_s, u"description"_s, u"client_id"_s, u"workspace_id"_s,
                      u"client_type"_s, u"scopes"_s, u"listed"_s, u"installed"_s,
                      u"granted_scopes"_s},
                     parent)
{ }

ApiCall *AppListModel::install(const QString &appId, const QStringList &scopes)
{
    if (!client())
        return failedCall();
    QJsonObject body;
    if (!scopes.isEmpty())
        body.insert("scopes"_L1, QJsonArray::fromStringList(scopes));
    return track(client()->post(u"/v1/apps/%1/installation"_s.arg(appId), body),
                 [this](ApiCall *) { refresh(); });
}

ApiCall *AppListModel::uninstall(const QString &appId)
{
    if (!client())
        return failedCall();
    return track(client()->remove(u"/v1/apps/%1/installation"_s.arg(appId)),
                 [this](ApiCall *) { refresh(); });
}

QString AppListModel::path() const
{
    return u"/v1/marketplace"_s;
}

QString AppListModel::itemsKey() const
{
    return u"apps"_s;
}

} // namespace quorum
