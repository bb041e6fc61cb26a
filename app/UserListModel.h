#pragma once

#include "PagedListModel.h"

namespace quorum {

// The workspace's users (admins and owners only). add() without a password answers with a
// one-time `set_password_url` in its result, to hand to the new user.
class UserListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UserListModel)
    QML_ELEMENT

public:
    explicit UserListModel(QObject *parent = nullptr);

    // `role`: owner, admin or member.
    Q_INVOKABLE quorum::ApiCall *add(const QString &name, const QString &role,
                                     const QString &password = {});
    Q_INVOKABLE quorum::ApiCall *changeRole(const QString &userId, const QString &role);
    Q_INVOKABLE quorum::ApiCall *disable(const QString &userId);
    // A fresh one-time `set_password_url` in the result; the user's older links stop working.
    Q_INVOKABLE quorum::ApiCall *newPasswordLink(const QString &userId);

protected:
    QString path() const override;
    QString itemsKey() const override;
};

} // namespace quorum
