#include "UserListModel.h"

#include "ApiCall.h"
#include "ApiClient.h"

using namespace Qt::StringLiterals;

namespace quorum {

UserListModel::UserListModel(QObject *parent)
    : PagedListModel(
        {u"id"_s, u"name"_s, u"role"_s, u"disabled"_s, u"has_password"_s, u"created_at"_s}, parent)
{ }

ApiCall *UserListModel::add(const QString &name, const QString &role, const QString &password)
{
    if (!client())
        return failedCall();
    QJsonObject body{{"name"_L1, name}, {"role"_L1, role}};
    if (!password.isEmpty())
        body.insert("password"_L1, password);
    return track(client()->post(u"/v1/users"_s, body),
                 [this](ApiCall *call) { upsert(call->json().value("user"_L1).toObject()); });
}

ApiCall *UserListModel::changeRole(const QString &userId, const QString &role)
{
    if (!client())
        return failedCall();
    return track(client()->patch(u"/v1/users/"_s + userId, QJsonObject{{"role"_L1, role}}),
                 [this](ApiCall *call) { upsert(call->json()); });
}

ApiCall *UserListModel::disable(const QString &userId)
{
    if (!client())
        return failedCall();
    return track(client()->patch(u"/v1/users/"_s + userId, QJsonObject{{"disabled"_L1, true}}),
                 [this](ApiCall *call) { upsert(call->json()); });
}

ApiCall *UserListModel::newPasswordLink(const QString &userId)
{
    if (!client())
        return failedCall();
    return track(client()->post(u"/v1/users/%1/password-link"_s.arg(userId)));
}

QString UserListModel::path() const
{
    return u"/v1/users"_s;
}

QString UserListModel::itemsKey() const
{
    return u"users"_s;
}

} // namespace quorum
