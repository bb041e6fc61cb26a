#include "ApiClient.h"

#include "ApiCall.h"

#include <QJsonDocument>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QQmlEngine>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcApi, "quorum.app.api")

namespace {

// What the host reads when the server could not be reached at all.
QString networkMessage(QNetworkReply::NetworkError error, const QString &host)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return QObject::tr("The server at %1 refused the connection; is it running?").arg(host);
    case QNetworkReply::HostNotFoundError:
        return QObject::tr("The server %1 was not found; check its address.").arg(host);
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return QObject::tr("The server at %1 did not answer in time.").arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return QObject::tr("The secure connection to %1 failed; its certificate is not trusted.")
            .arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return QObject::tr("The server at %1 closed the connection.").arg(host);
    default:
        return QObject::tr("The server at %1 could not be reached.").arg(host);
    }
}

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    // Every request names its own address; a redirect would carry the bearer elsewhere.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

ApiClient::~ApiClient() = default;

void ApiClient::setBaseUrl(const QUrl &baseUrl)
{
    if (m_baseUrl == baseUrl)
        return;
    m_baseUrl = baseUrl;
    Q_EMIT baseUrlChanged();
}

void ApiClient::setToken(const QString &token)
{
    if (m_token == token)
        return;
    m_token = token;
    Q_EMIT tokenChanged();
}

ApiCall *ApiClient::get(const QString &path, const QUrlQuery &query)
{
    return send("GET", path, query, {}, {}, {});
}

ApiCall *ApiClient::post(const QString &path, const QJsonObject &body)
{
    return send("POST", path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact),
                "application/json", {});
}

ApiCall *ApiClient::patch(const QString &path, const QJsonObject &body, const QByteArray &etag)
{
    return send("PATCH", path, {}, QJsonDocument(body).toJson(QJsonDocument::Compact),
                "application/merge-patch+json", etag);
}

ApiCall *ApiClient::remove(const QString &path, const QByteArray &etag)
{
    return send("DELETE", path, {}, {}, {}, etag);
}

void ApiClient::then(ApiCall *call, QObject *context, std::function<void(ApiCall *)> handler)
{
    connect(call, &ApiCall::finished, context,
            [call, handler = std::move(handler)] { handler(call); });
}

QUrl ApiClient::signalUrl() const
{
    QUrl url = m_baseUrl;
    url.setScheme(m_baseUrl.scheme() == u"https" ? u"wss"_s : u"ws"_s);
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + u"/v1/signal"_s);
    return url;
}

ApiCall *ApiClient::send(const QByteArray &method, const QString &path, const QUrlQuery &query,
                         const QByteArray &body, const QByteArray &contentType,
                         const QByteArray &etag)
{
    auto *call = new ApiCall(this);
    // The call ends its own life after finished(); QML's collector must not end it earlier.
    QQmlEngine::setObjectOwnership(call, QQmlEngine::CppOwnership);
    connect(call, &ApiCall::finished, call, &QObject::deleteLater, Qt::QueuedConnection);
    if (!m_baseUrl.isValid() || m_baseUrl.isEmpty()) {
        // Still asynchronous, so callers connect to finished() the same way in every case.
        QMetaObject::invokeMethod(
            call, [call] { call->fail(tr("No server is configured.")); }, Qt::QueuedConnection);
        return call;
    }

    QUrl url = m_baseUrl;
    url.setPath(url.path().chopped(url.path().endsWith(u'/') ? 1 : 0) + path);
    url.setQuery(query);
    QNetworkRequest request(url);
    request.setTransferTimeout(m_timeoutMs);
    request.setRawHeader("Accept", "application/json");
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    if (!contentType.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    if (method == "POST")
        request.setRawHeader("Idempotency-Key",
                             QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
    if (!etag.isEmpty())
        request.setRawHeader("If-Match", etag);

    qCDebug(lcApi) << method << path;
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, body);
    const QString host = url.authority();
    connect(reply, &QNetworkReply::finished, call, [this, reply, call, host] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QHash<QByteArray, QByteArray> headers;
        for (const auto &[name, value] : reply->rawHeaderPairs())
            headers.insert(name.toLower(), value);
        const QString networkError = status == 0 ? networkMessage(reply->error(), host) : QString();
        if (status == 0)
            qCWarning(lcApi) << "request failed:" << reply->errorString();
        call->complete(status, reply->readAll(), headers, networkError);
        if (status == 401)
            Q_EMIT unauthorized();
    });
    return call;
}

} // namespace quorum
