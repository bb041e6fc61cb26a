#pragma once

#include "auth/Credential.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QUrlQuery>

#include <optional>

namespace quorum {

// One request as the handlers see it, after the dispatcher's layer has run: the path
// parameters matched, the credential (if any) established, the client address resolved
// through the trusted proxies.
struct ApiRequest
{
    QByteArray method;
    QString path; // percent-encoded, as sent
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers; // names lower case
    QByteArray body;
    QHostAddress peer;
    QString clientAddress;
    QString requestId;
    QString routePattern;
    QHash<QString, QString> params;
    std::optional<Credential> credential;
    QJsonObject json; // the parsed body, when it is a JSON object
    QHash<QString, QString> form; // the decoded fields of a form body (a field sent twice: 400)

    QByteArray header(const QByteArray &lowerCaseName) const
    {
        return headers.value(lowerCaseName);
    }
    QString param(const QString &name) const { return params.value(name); }
    QString formField(const QString &name) const { return form.value(name); }
    // The key that limits and idempotency are scoped to: the credential, else the address.
    QString callerKey() const
    {
        return credential ? QStringLiteral("tok:") + credential->tokenId
                          : QStringLiteral("addr:") + clientAddress;
    }
};

} // namespace quorum
