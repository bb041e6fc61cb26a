#include "AuditListModel.h"

using namespace Qt::StringLiterals;

namespace quorum {

AuditListModel::AuditListModel(QObject *parent)
    : PagedListModel({u"id"_s, u"occurred_at"_s, u"action"_s, u"actor_id"_s, u"user_id"_s,
                      u"meeting_id"_s, u"target_id"_s, u"client_address"_s, u"detail"_s},
                     parent)
{ }

QString AuditListModel::path() const
{
    return u"/v1/audit"_s;
}

QString AuditListModel::itemsKey() const
{
    return u"entries"_s;
}

} // namespace quorum
