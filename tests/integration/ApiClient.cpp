#include "ApiClient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTimer>

namespace quorum::testing {

QJsonObject ApiReply::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QStringList ApiReply::errorFields() const
{
    QStringList fields;
    for (const QJsonValue &error : json().value(QStringLiteral("errors")).toArray())
        fields << error.toObject().value(QStringLiteral("field")).toString();
    return fields;
}

QJsonObject ApiReply::problemWithoutRequestId() const
{
    QJsonObject problem = json();
    problem.remove(QStringLiteral("request_id"));
    return problem;
}

QByteArray ApiReply::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

ApiClient::ApiClient(QString baseUrl, QString bearer)
    : m_baseUrl(std::move(baseUrl))
    , m_bearer(std::move(bearer))
{ }

ApiReply ApiClient::get(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return send("GET", path, {}, headers);
}

ApiReply ApiClient::post(const QString &path, const QJsonObject &body,
                         const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto all = headers;
    all.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return send("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), all);
}

ApiReply ApiClient::patch(const QString &path, const QJsonObject &body,
                          const QList<QPair<QByteArray, QByteArray>> &headers)
{
    auto all = headers;
    all.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/merge-patch+json")));
    return send("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact), all);
}

ApiReply ApiClient::del(const QString &path, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    return send("DELETE", path, {}, headers);
}

ApiReply ApiClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                         QList<QPair<QByteArray, QByteArray>> headers, int timeoutMs)
{
    QNetworkRequest request(QUrl(m_baseUrl + path, QUrl::StrictMode));
    // Redirects are answers to look at, never to follow: an OAuth redirect names a client's
    // host, and tests send nothing beyond the server they started.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    if (!m_bearer.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_bearer.toLatin1());
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);

    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = m_network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();

    ApiReply result;
    result.elapsedMs = timer.elapsed();
    if (reply->isFinished()) {
        result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        result.headers = reply->rawHeaderPairs();
        result.body = reply->readAll();
    } else {
        reply->abort();
    }
    reply->deleteLater();
    log(method, path, result);
    return result;
}

void ApiClient::log(const QByteArray &method, const QString &path, const ApiReply &reply) const
{
    const QByteArray logFile = qgetenv("QUORUM_RESPONSE_LOG");
    if (logFile.isEmpty() || reply.status == 0)
        return;
    QFile file(QString::fromLocal8Bit(logFile));
    if (!file.open(QIODevice::Append | QIODevice::WriteOnly))
        return;
    QJsonObject headers;
    for (const auto &[name, value] : reply.headers)
        headers.insert(QString::fromLatin1(name.toLower()), QString::fromLatin1(value));
    const QJsonObject line{{QStringLiteral("method"), QString::fromLatin1(method)},
                           {QStringLiteral("path"), path.section(u'?', 0, 0)},
                           {QStringLiteral("status"), reply.status},
                           {QStringLiteral("headers"), headers},
                           {QStringLiteral("body"), QString::fromUtf8(reply.body)}};
    file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
}

QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(timeoutMs))
        return {};
    socket.write(bytes);
    QByteArray received;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        if (socket.waitForReadyRead(int(qMax<qint64>(1, timeoutMs - timer.elapsed()))))
            received += socket.readAll();
        if (socket.state() != QAbstractSocket::ConnectedState) {
            received += socket.readAll();
            break;
        }
    }
    return received;
}

} // namespace quorum::testing
