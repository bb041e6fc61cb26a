#pragma once

#include "PagedListModel.h"

namespace quorum {

// The audit log as the caller may read it (admins: the workspace's and the server-wide
// entries; members: their own), newest first. Read-only.
class AuditListModel : public PagedListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditListModel)
    QML_ELEMENT

public:
    explicit AuditListModel(QObject *parent = nullptr);

protected:
    QString path() const override;
    QString itemsKey() const override;
};

} // namespace quorum
