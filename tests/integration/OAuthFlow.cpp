#include "OAuthFlow.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace quorum::testing {

namespace {

// The first name=value of each Set-Cookie header, joined as a Cookie header.
QByteArray cookiesOf(const ApiReply &reply)
{
    QByteArrayList pairs;
    for (const auto &[name, value] : reply.headers) {
        if (name.compare("set-cookie", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &line : value.split('\n'))
            pairs << line.split(';').constFirst().trimmed();
    }
    return pairs.join("; ");
}

QString hiddenField(const QByteArray &html, const QString &name)
{
    const QRegularExpression pattern(u"name=\"%1\" value=\"([^\"]*)\""_s.arg(name));
    const auto match = pattern.match(QString::fromUtf8(html));
    return match.hasMatch() ? match.captured(1).replace(u"&amp;"_s, u"&"_s) : QString();
}

} // namespace

OAuthFlow::OAuthFlow(QString baseUrl)
    : m_baseUrl(std::move(baseUrl))
    , m_client(m_baseUrl)
{ }

QByteArray OAuthFlow::formEncode(const QList<QPair<QString, QString>> &fields)
{
    QByteArrayList pairs;
    for (const auto &[name, value] : fields)
        pairs << QUrl::toPercentEncoding(name) + '=' + QUrl::toPercentEncoding(value);
    return pairs.join('&');
}

QByteArray OAuthFlow::signIn(const QString &workspace, const QString &user, const QString &password)
{
    const ApiReply page = m_client.get(u"/signin"_s);
    const QByteArray csrfCookie = cookiesOf(page);
    const QString csrf = hiddenField(page.body, u"csrf_token"_s);
    const ApiReply signedIn = m_client.send(
        "POST", u"/signin"_s,
        formEncode({{u"workspace"_s, workspace},
                    {u"user"_s, user},
                    {u"password"_s, password},
                    {u"next"_s, u"/"_s},
                    {u"csrf_token"_s, csrf}}),
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", csrfCookie}});
    if (signedIn.status != 303)
        return {};
    return cookiesOf(signedIn);
}

ApiReply OAuthFlow::authorize(const QList<QPair<QString, QString>> &parameters,
                              const QByteArray &cookie)
{
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!cookie.isEmpty())
        headers << qMakePair(QByteArray("Cookie"), cookie);
    return m_client.send(
        "GET", u"/oauth/authorize?"_s + QString::fromLatin1(formEncode(parameters)), {}, headers);
}

ApiReply OAuthFlow::decide(const QList<QPair<QString, QString>> &parameters,
                           const QByteArray &cookie, const QString &decision)
{
    const ApiReply consent = authorize(parameters, cookie);
    if (consent.status != 200)
        return consent;
    // The form posts back exactly the hidden fields of the page, as a browser would.
    QList<QPair<QString, QString>> fields;
    const QRegularExpression hidden(u"type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\""_s);
    auto matches = hidden.globalMatch(QString::fromUtf8(consent.body));
    while (matches.hasNext()) {
        const auto match = matches.next();
        QString value = match.captured(2);
        value.replace(u"&quot;"_s, u"\""_s).replace(u"&lt;"_s, u"<"_s).replace(u"&gt;"_s, u">"_s);
        value.replace(u"&#39;"_s, u"'"_s).replace(u"&amp;"_s, u"&"_s);
        fields << qMakePair(match.captured(1), value);
    }
    fields << qMakePair(u"decision"_s, decision);
    return m_client.send(
        "POST", u"/oauth/authorize"_s, formEncode(fields),
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"Cookie", cookie}});
}

ApiReply OAuthFlow::post(const QString &path, const QList<QPair<QString, QString>> &fields,
                         const QString &basicId, const QString &basicSecret)
{
    QList<QPair<QByteArray, QByteArray>> headers{
        {"Content-Type", "application/x-www-form-urlencoded"}};
    if (!basicId.isEmpty())
        headers << qMakePair(
            QByteArray("Authorization"),
            "Basic "
                + (QUrl::toPercentEncoding(basicId) + ':' + QUrl::toPercentEncoding(basicSecret))
                      .toBase64());
    return m_client.send("POST", path, formEncode(fields), headers);
}

QHash<QString, QString> OAuthFlow::locationQuery(const ApiReply &reply)
{
    QHash<QString, QString> values;
    const QUrl location(QString::fromUtf8(reply.header("Location")));
    const QUrlQuery query(location);
    for (const auto &[name, value] : query.queryItems(QUrl::FullyDecoded))
        values.insert(name, value);
    return values;
}

OAuthFlow::RegisteredApp OAuthFlow::registerApp(const QString &baseUrl, const QString &adminToken,
                                                const QJsonObject &app, bool install)
{
    ApiClient admin(baseUrl, adminToken);
    const QJsonObject created = admin.post(u"/v1/apps"_s, app).json();
    const QString id = created.value(u"id").toString();
    if (id.isEmpty()
        || (install && admin.post(u"/v1/apps/"_s + id + u"/installation"_s, {}).status != 201))
        return {};
    return {id, created.value(u"client_id").toString(), created.value(u"client_secret").toString()};
}

QList<QPair<QString, QString>>
OAuthFlow::authorizeParameters(const QString &clientId, const QString &redirectUri,
                               const QString &scope, const QString &state, const QString &challenge)
{
    QList<QPair<QString, QString>> fields{{u"response_type"_s, u"code"_s},
                                          {u"client_id"_s, clientId},
                                          {u"redirect_uri"_s, redirectUri},
                                          {u"scope"_s, scope},
                                          {u"state"_s, state}};
    if (!challenge.isEmpty())
        fields << qMakePair(u"code_challenge"_s, challenge)
               << qMakePair(u"code_challenge_method"_s, u"S256"_s);
    return fields;
}

QPair<QString, QString> OAuthFlow::pkce()
{
    QByteArray random(32, Qt::Uninitialized);
    for (char &byte : random)
        byte = char(QRandomGenerator::global()->bounded(256));
    const QByteArray verifier
        = random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray challenge
        = QCryptographicHash::hash(verifier, QCryptographicHash::Sha256)
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return {QString::fromLatin1(verifier), QString::fromLatin1(challenge)};
}

} // namespace quorum::testing
