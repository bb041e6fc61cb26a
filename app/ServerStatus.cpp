#include "ServerStatus.h"

#include "ApiCall.h"
#include "ApiClient.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace quorum {

ServerStatus::ServerStatus(QObject *parent)
    : QObject(parent)
{ }

void ServerStatus::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    m_client = client;
    Q_EMIT clientChanged();
}

QVariantList ServerStatus::signingKeys() const
{
    QVariantList keys = m_status.value(u"signing_keys"_s).toList();
    // ISO 8601 times in UTC compare as text.
    std::sort(keys.begin(), keys.end(), [](const QVariant &left, const QVariant &right) {
        return left.toMap().value(u"created_at"_s).toString()
            > right.toMap().value(u"created_at"_s).toString();
    });
    return keys;
}

void ServerStatus::refresh()
{
    if (!m_client || !m_client->hasToken())
        return;

    setBusy(true);
    ApiCall *call = m_client->get(u"/v1/admin/status"_s);
    ApiClient::then(call, this, [this](ApiCall *finished) {
        setBusy(false);
        if (!finished->ok()) {
            setError(finished->status() == 403
                         ? tr("Only the workspace's admins and owners see the server's state.")
                         : finished->message());
            return;
        }
        setError({});
        m_status = finished->result().toMap();
        Q_EMIT statusChanged();
    });
}

void ServerStatus::setBusy(bool busy)
{
    if (std::exchange(m_busy, busy) != busy)
        Q_EMIT busyChanged();
}

void ServerStatus::setError(const QString &error)
{
    if (std::exchange(m_error, error) != error)
        Q_EMIT errorChanged();
}

} // namespace quorum
