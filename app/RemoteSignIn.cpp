#include "RemoteSignIn.h"

#include "SecretStore.h"

#include <QCryptographicHash>
#include <QDesktopServices>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QOAuth2AuthorizationCodeFlow>
#include <QOAuthHttpServerReplyHandler>
#include <QRandomGenerator>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcSignIn, "quorum.app.signin")

namespace {

const QString kClientId = u"quorum-desktop"_s;
const QString kAllScopes = u"meeting.read meeting.write meeting.join recording.read "
                           "recording.write webhook.read webhook.write"_s;

QString base64Url(const QByteArray &bytes)
{
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

} // namespace

// One sign-in attempt: the flow, its loopback listener and its PKCE verifier live and die
// together.
class RemoteSignIn::Flow final : public QOAuth2AuthorizationCodeFlow
{
public:
    explicit Flow(QObject *parent)
        : QOAuth2AuthorizationCodeFlow(parent)
        , m_listener(new QOAuthHttpServerReplyHandler(QHostAddress::LocalHost, 0, this))
    {
        m_listener->setCallbackPath(u"/callback"_s);
        setReplyHandler(m_listener);

        QByteArray random(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                              random.size() / int(sizeof(quint32)));
        m_verifier = base64Url(random);
        const QString challenge = base64Url(
            QCryptographicHash::hash(m_verifier.toLatin1(), QCryptographicHash::Sha256));
        setModifyParametersFunction(
            [this, challenge](Stage stage, QMultiMap<QString, QVariant> *parameters) {
                if (stage == Stage::RequestingAuthorization) {
                    parameters->insert(u"code_challenge"_s, challenge);
                    parameters->insert(u"code_challenge_method"_s, u"S256"_s);
                } else if (stage == Stage::RequestingAccessToken) {
                    parameters->insert(u"code_verifier"_s, m_verifier);
                }
            });
    }

    bool isListening() const { return m_listener->isListening(); }

private:
    QOAuthHttpServerReplyHandler *m_listener;
    QString m_verifier;
};

RemoteSignIn::RemoteSignIn(SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
    , m_network(new QNetworkAccessManager(this))
{ }

RemoteSignIn::~RemoteSignIn() = default;

void RemoteSignIn::signIn(const QUrl &serverUrl, const QString &scope)
{
    cancel();
    m_serverUrl = serverUrl;
    m_busy = true;
    Q_EMIT busyChanged();
    if (!m_error.isEmpty()) {
        m_error.clear();
        Q_EMIT errorChanged();
    }

    const quint64 attempt = m_attempt;
    m_secrets->read(secretPrefix() + u":refresh"_s, this,
                    [this, attempt, scope](const QString &refreshToken) {
                        if (attempt != m_attempt)
                            return;
                        if (refreshToken.isEmpty())
                            startBrowserFlow(scope);
                        else
                            refresh(refreshToken, scope);
                    });
}

QString RemoteSignIn::secretPrefix() const
{
    return u"remote:"_s + m_serverUrl.toString(QUrl::RemovePath);
}

void RemoteSignIn::refresh(const QString &refreshToken, const QString &scope)
{
    QNetworkRequest request(m_serverUrl.resolved(QUrl(u"/oauth/token"_s)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, "application/x-www-form-urlencoded");
    request.setTransferTimeout(15000);
    QUrlQuery form;
    form.addQueryItem(u"grant_type"_s, u"refresh_token"_s);
    form.addQueryItem(u"refresh_token"_s, refreshToken);
    form.addQueryItem(u"client_id"_s, kClientId);
    QNetworkReply *reply = m_network->post(request, form.toString(QUrl::FullyEncoded).toUtf8());

    const quint64 attempt = m_attempt;
    connect(reply, &QNetworkReply::finished, this, [this, reply, attempt, scope] {
        reply->deleteLater();
        if (attempt != m_attempt)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 0)
            return finish(
                tr("%1 cannot be reached: %2").arg(m_serverUrl.host(), reply->errorString()));

        const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
        const QString access = answer.value("access_token"_L1).toString();
        if (status != 200 || access.isEmpty()) {
            // Expired, revoked or rotated elsewhere: the user signs in again.
            qCInfo(lcSignIn) << "the stored refresh token was refused:"
                             << answer.value("error"_L1).toString();
            m_secrets->remove(secretPrefix() + u":refresh"_s, this);
            return startBrowserFlow(scope);
        }
        keepTokens(access, answer.value("refresh_token"_L1).toString());
        finish({});
        Q_EMIT signedIn(m_serverUrl, access);
    });
}

void RemoteSignIn::keepTokens(const QString &access, const QString &refresh)
{
    m_secrets->write(secretPrefix() + u":access"_s, access, this);
    if (!refresh.isEmpty())
        m_secrets->write(secretPrefix() + u":refresh"_s, refresh, this);
}

void RemoteSignIn::startBrowserFlow(const QString &scope)
{
    const QUrl serverUrl = m_serverUrl;
    m_flow = new Flow(this);
    if (!m_flow->isListening())
        return finish(tr("No local port is free for the sign-in's answer."));
    m_flow->setClientIdentifier(kClientId);
    m_flow->setAuthorizationUrl(serverUrl.resolved(QUrl(u"/oauth/authorize"_s)));
    m_flow->setAccessTokenUrl(serverUrl.resolved(QUrl(u"/oauth/token"_s)));
    m_flow->setScope(scope.isEmpty() ? kAllScopes : scope);

    connect(m_flow, &QAbstractOAuth::authorizeWithBrowser, this, [this](const QUrl &url) {
        Q_EMIT browserUrl(url);
        if (m_opensBrowser)
            QDesktopServices::openUrl(url);
    });
    connect(m_flow, &QAbstractOAuth::granted, this, [this] {
        const QString access = m_flow->token();
        keepTokens(access, m_flow->refreshToken());
        finish({});
        Q_EMIT signedIn(m_serverUrl, access);
    });
    connect(m_flow, &QAbstractOAuth::requestFailed, this, [this](QAbstractOAuth::Error error) {
        qCWarning(lcSignIn) << "sign-in failed:" << int(error);
        finish(tr("Signing in to %1 failed.").arg(m_serverUrl.host()));
    });
    // A refusal at the authorization step (the user denied, the server refused the request)
    // comes back to the listener as an error instead of a code.
    connect(m_flow, &QAbstractOAuth2::error, this,
            [this](const QString &code, const QString &description) {
                qCWarning(lcSignIn) << "authorization refused:" << code;
                finish(
                    code == u"access_denied"
                        ? tr("Signing in to %1 was declined.").arg(m_serverUrl.host())
                        : tr("Signing in to %1 failed: %2")
                              .arg(m_serverUrl.host(), description.isEmpty() ? code : description));
            });
    m_flow->grant();
}

void RemoteSignIn::cancel()
{
    ++m_attempt;
    if (m_flow) {
        m_flow->disconnect(this);
        m_flow->deleteLater();
        m_flow = nullptr;
    }
    if (std::exchange(m_busy, false))
        Q_EMIT busyChanged();
}

void RemoteSignIn::finish(const QString &error)
{
    if (m_error != error) {
        m_error = error;
        Q_EMIT errorChanged();
    }
    if (m_flow) {
        // Not at once: the flow may still be inside the signal that brought us here.
        m_flow->disconnect(this);
        m_flow->deleteLater();
        m_flow = nullptr;
    }
    if (std::exchange(m_busy, false))
        Q_EMIT busyChanged();
}

} // namespace quorum
