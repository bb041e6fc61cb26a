#include "DeliveryAttempt.h"

#include "UrlGuard.h"
#include "WebhookSigner.h"
#include "core/Clock.h"

#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

Q_LOGGING_CATEGORY(lcDeliveryAttempt, "quorum.webhooks.attempt")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// The last_error words of DESIGN.md's delivery log for answers that are not HTTP statuses.
QString errorName(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return u"connection_refused"_s;
    case QNetworkReply::HostNotFoundError:
        return u"dns"_s;
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return u"timeout"_s;
    case QNetworkReply::SslHandshakeFailedError:
        return u"tls"_s;
    case QNetworkReply::RemoteHostClosedError:
        return u"connection_closed"_s;
    default:
        return u"network"_s;
    }
}

// What the receiver's Host header must say: the name of the URL, not the address we reach.
QByteArray hostHeader(const QUrl &url)
{
    QByteArray host = QUrl::toAce(url.host());
    if (host.isEmpty() || host.contains(':'))
        host = '[' + url.host().toLatin1() + ']';
    const int defaultPort = url.scheme() == u"https" ? 443 : 80;
    if (url.port(defaultPort) != defaultPort)
        host += ':' + QByteArray::number(url.port());
    return host;
}

} // namespace

DeliveryAttempt::DeliveryAttempt(Setup setup, QObject *parent)
    : QObject(parent)
    , m_setup(std::move(setup))
    , m_url(m_setup.delivery.url)
{
    m_deadline.setSingleShot(true);
    m_deadline.setTimerType(Qt::PreciseTimer);
    connect(&m_deadline, &QTimer::timeout, this, [this] { finish(0, u"timeout"_s); });
}

DeliveryAttempt::~DeliveryAttempt()
{
    if (m_lookupId >= 0)
        QHostInfo::abortHostLookup(m_lookupId);
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void DeliveryAttempt::start()
{
    m_outcome.startedAt = m_setup.clock->nowMs();
    m_deadline.start(m_setup.timeoutMs);

    const QString scheme = m_url.scheme().toLower();
    if (!m_url.isValid() || m_url.host().isEmpty() || (scheme != u"https" && scheme != u"http")) {
        finish(0, u"invalid_url"_s);
        return;
    }

    // Resolved by us, even for a literal address, so the guard sees what we will connect to.
    m_lookupId = QHostInfo::lookupHost(m_url.host(), this, &DeliveryAttempt::resolved);
}

void DeliveryAttempt::resolved(const QHostInfo &info)
{
    m_lookupId = -1;
    if (m_done)
        return;
    if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
        finish(0, u"dns"_s);
        return;
    }

    if (const auto refusal = m_setup.guard->checkAddresses(info.addresses())) {
        finish(0, u"forbidden_address: "_s + *refusal);
        return;
    }

    post(info.addresses().constFirst());
}

void DeliveryAttempt::post(const QHostAddress &address)
{
    QUrl target = m_url;
    target.setHost(address.toString());

    QNetworkRequest request(target);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    // HTTP/2 would name the address in :authority; HTTP/1.1 sends our Host header as it is.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    request.setPeerVerifyName(m_url.host());
    request.setRawHeader("Host", hostHeader(m_url));

    // Every attempt is timestamped and signed afresh, over exactly the bytes it sends.
    const qint64 timestamp = m_setup.clock->nowMs() / 1000;
    const QByteArray &body = m_setup.delivery.body;
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("User-Agent", "Quorum-Webhooks/1");
    request.setRawHeader("X-Quorum-Event-Id", m_setup.delivery.eventId.toLatin1());
    request.setRawHeader("X-Quorum-Delivery-Id", m_setup.delivery.id.toLatin1());
    request.setRawHeader("X-Quorum-Timestamp", QByteArray::number(timestamp));
    request.setRawHeader("X-Quorum-Signature",
                         WebhookSigner(m_setup.secrets).signatureHeader(timestamp, body));

    m_reply = m_setup.manager->post(request, body);
    // The answer's body is of no use: drop it as it comes, so a chatty receiver costs nothing.
    connect(m_reply, &QNetworkReply::readyRead, this,
            [this] { m_reply->skip(m_reply->bytesAvailable()); });
    connect(m_reply, &QNetworkReply::finished, this, &DeliveryAttempt::replyFinished);
}

void DeliveryAttempt::replyFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    if (m_done)
        return;

    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 200 && status < 300)
        finish(status, QString());
    else if (status != 0)
        finish(status, u"http_status"_s);
    else
        finish(0, errorName(reply->error()));
}

void DeliveryAttempt::finish(int statusCode, const QString &error)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    if (m_lookupId >= 0) {
        QHostInfo::abortHostLookup(m_lookupId);
        m_lookupId = -1;
    }
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }

    m_outcome.finishedAt = m_setup.clock->nowMs();
    m_outcome.statusCode = statusCode;
    m_outcome.error = error;
    qCDebug(lcDeliveryAttempt).noquote()
        << "delivery" << m_setup.delivery.id << "attempt" << m_setup.delivery.attempts + 1
        << (error.isEmpty() ? u"succeeded"_s : error) << statusCode;
    QMetaObject::invokeMethod(this, &DeliveryAttempt::finished, Qt::QueuedConnection);
}

} // namespace quorum
