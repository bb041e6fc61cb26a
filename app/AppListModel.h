#pragma once

#include "PagedListModel.h"

namespace quorum {

// The marketplace: the listed apps of every workspace, each with whether it is installed here
// (`installed`) and the scopes granted (`grantedScopes`). Workspace admins only.
class AppListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppListModel)
    QML_ELEMENT

public:
    explicit AppListModel(QObject *parent = nullptr);

    // Grants `scopes` (all the app asks when empty).
    Q_INVOKABLE quorum::ApiCall *install(const QString &appId, const QStringList &scopes = {});
    Q_INVOKABLE quorum::ApiCall *uninstall(const QString &appId);

protected:
    QString path() const override;
    QString itemsKey() const override;
};

} // namespace quorum
