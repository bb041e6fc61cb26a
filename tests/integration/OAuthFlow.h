#pragma once

#include "ApiClient.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

namespace quorum::testing {

// Drives the OAuth endpoints of a running quorumd the way a browser and an app would: signs a
// user in on /signin, walks the consent page, and speaks form-encoded requests to /oauth/*.
// Nothing here follows a redirect; the tests read the Location header instead. The client
// keeps the cookies it is given (QNetworkAccessManager's jar), like a browser.
class OAuthFlow final
{
public:
    struct RegisteredApp
    {
        QString appId;
        QString clientId;
        QString secret; // empty for public clients
    };
    explicit OAuthFlow(QString baseUrl);

    // The Cookie header of a signed-in browser session, or empty when signing in failed.
    QByteArray signIn(const QString &workspace, const QString &user,
                      const QString &password = QStringLiteral("correct horse battery staple"));

    // GET /oauth/authorize with these parameters (encoded here) and the session cookie.
    ApiReply authorize(const QList<QPair<QString, QString>> &parameters,
                       const QByteArray &cookie = {});
    // Shows the consent page, then posts its form with `decision` (approve or deny); the
    // answer is the 303 back to the client, or whatever refused the request.
    ApiReply decide(const QList<QPair<QString, QString>> &parameters, const QByteArray &cookie,
                    const QString &decision = QStringLiteral("approve"));
    // A POST of a form to an /oauth endpoint, with HTTP Basic credentials when given.
    ApiReply post(const QString &path, const QList<QPair<QString, QString>> &fields,
                  const QString &basicId = {}, const QString &basicSecret = {});

    // POSTs `app` to /v1/apps as the admin behind `adminToken` and, unless told not to,
    // installs it in the admin's workspace with every scope it asks; empty on any failure.
    static RegisteredApp registerApp(const QString &baseUrl, const QString &adminToken,
                                     const QJsonObject &app, bool install = true);
    // The query of an authorization request with response_type=code, and an S256 challenge
    // when one is given.
    static QList<QPair<QString, QString>>
    authorizeParameters(const QString &clientId, const QString &redirectUri, const QString &scope,
                        const QString &state, const QString &challenge);

    // The query parameters of a Location header.
    static QHash<QString, QString> locationQuery(const ApiReply &reply);
    // A code verifier and its S256 challenge.
    static QPair<QString, QString> pkce();
    static QByteArray formEncode(const QList<QPair<QString, QString>> &fields);

    ApiClient &client() { return m_client; }

private:
    QString m_baseUrl;
    ApiClient m_client;
};

} // namespace quorum::testing
