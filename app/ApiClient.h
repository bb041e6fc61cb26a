#pragma once

#include <QJsonObject>
#include <QObject>
#include <QUrl>
#include <QUrlQuery>
#include <QtQml/qqmlregistration.h>

#include <functional>

class QNetworkAccessManager;

namespace quorum {

class ApiCall;

// The desktop app's one way to the Quorum REST API, embedded or remote: a base URL and a bearer
// token, asynchronous throughout (nothing blocks). Every call returns an ApiCall that reports
// the outcome; POSTs carry a fresh Idempotency-Key, PATCH and DELETE an If-Match when given an
// ETag. Network failures become readable messages like the server's problems.
class ApiClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)
    QML_ELEMENT
    Q_PROPERTY(QUrl baseUrl READ baseUrl WRITE setBaseUrl NOTIFY baseUrlChanged)
    Q_PROPERTY(bool hasToken READ hasToken NOTIFY tokenChanged)

public:
    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    QUrl baseUrl() const { return m_baseUrl; }
    void setBaseUrl(const QUrl &baseUrl);
    // The access token; never logged.
    QString token() const { return m_token; }
    // Write-only for QML: a page hands over the token of a sign-in, never reads it back.
    Q_INVOKABLE void setToken(const QString &token);
    bool hasToken() const { return !m_token.isEmpty(); }
    // How long one request may take, whole (default 30 s).
    void setTimeoutMs(int timeoutMs) { m_timeoutMs = timeoutMs; }

    ApiCall *get(const QString &path, const QUrlQuery &query = {});
    ApiCall *post(const QString &path, const QJsonObject &body = {});
    // A JSON merge patch; `etag` (from an earlier read) becomes If-Match.
    ApiCall *patch(const QString &path, const QJsonObject &body, const QByteArray &etag = {});
    ApiCall *remove(const QString &path, const QByteArray &etag = {});

    // Runs `handler` with the finished call, unless `context` is gone by then.
    static void then(ApiCall *call, QObject *context, std::function<void(ApiCall *)> handler);

    // The websocket address of the signalling endpoint of this server.
    QUrl signalUrl() const;

Q_SIGNALS:
    void baseUrlChanged();
    void tokenChanged();
    // A 401 on any call: the token expired or was revoked.
    void unauthorized();

private:
    ApiCall *send(const QByteArray &method, const QString &path, const QUrlQuery &query,
                  const QByteArray &body, const QByteArray &contentType, const QByteArray &etag);

    QNetworkAccessManager *m_network;
    QUrl m_baseUrl;
    QString m_token;
    int m_timeoutMs = 30000;
};

} // namespace quorum
