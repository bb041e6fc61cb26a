#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QPair>

namespace quorum::testing {

struct ApiReply
{
    int status = 0; // 0: no answer within the timeout
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 elapsedMs = 0;

    QJsonObject json() const;
    QByteArray header(const QByteArray &name) const;
    QString code() const { return json().value(QStringLiteral("code")).toString(); }
    // The `field` of each entry of a problem's errors[].
    QStringList errorFields() const;
    // The problem body without its request_id, which differs on every answer.
    QJsonObject problemWithoutRequestId() const;
};

// Speaks HTTP to a server over real sockets with QNetworkAccessManager. Each call waits for
// its answer (with a timeout) in a local event loop. When QUORUM_RESPONSE_LOG names a file,
// every exchange is appended to it as one JSON line, for the OpenAPI conformance check.
class ApiClient final
{
public:
    explicit ApiClient(QString baseUrl, QString bearer = {});

    void setBearer(const QString &bearer) { m_bearer = bearer; }

    ApiReply get(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    ApiReply post(const QString &path, const QJsonObject &body,
                  const QList<QPair<QByteArray, QByteArray>> &headers = {});
    ApiReply patch(const QString &path, const QJsonObject &body,
                   const QList<QPair<QByteArray, QByteArray>> &headers = {});
    ApiReply del(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers = {});
    ApiReply send(const QByteArray &method, const QString &path, const QByteArray &body,
                  QList<QPair<QByteArray, QByteArray>> headers, int timeoutMs = 15000);

private:
    void log(const QByteArray &method, const QString &path, const ApiReply &reply) const;

    QString m_baseUrl;
    QString m_bearer;
    QNetworkAccessManager m_network;
};

// Writes raw bytes to 127.0.0.1:port and returns everything read until the server closes
// the connection or the timeout passes.
QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs = 5000);

} // namespace quorum::testing
