#include "SignedInUser.h"

#include "ApiCall.h"
#include "ApiClient.h"

#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace quorum {

SignedInUser::SignedInUser(QObject *parent)
    : QObject(parent)
{ }

void SignedInUser::setClient(ApiClient *client)
{
    if (m_client == client)
        return;
    m_client = client;
    Q_EMIT clientChanged();
}

void SignedInUser::refresh()
{
    const int generation = ++m_generation;
    if (!m_client)
        return;

    ApiClient::then(m_client->get(u"/v1/me"_s), this, [this, generation](ApiCall *call) {
        if (generation != m_generation)
            return;
        if (!call->ok()) {
            m_error = call->message();
            Q_EMIT changed();
            return;
        }

        const QJsonObject me = call->json();
        const QJsonObject user = me.value("user"_L1).toObject();
        const QJsonObject workspace = me.value("workspace"_L1).toObject();
        m_userId = user.value("id"_L1).toString();
        m_name = user.value("name"_L1).toString();
        m_role = user.value("role"_L1).toString();
        m_workspaceId = workspace.value("id"_L1).toString();
        m_workspaceName = workspace.value("name"_L1).toString();
        m_error.clear();
        m_loaded = true;
        Q_EMIT changed();
    });
}

} // namespace quorum
