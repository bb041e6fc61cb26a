#include "ApiDispatcher.h"

#include "JsonText.h"

#include "HeldResponder.h"
#include "Metrics.h"
#include "ProblemMap.h"
#include "RateLimiter.h"
#include "RequestGuard.h"
#include "auth/TokenService.h"
#include "core/Clock.h"
#include "crypto/Hashing.h"
#include "crypto/SecretBox.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "store/Database.h"
#include "store/IdempotencyRepository.h"

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QPointer>
#include <QStringDecoder>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

Q_LOGGING_CATEGORY(lcHttp, "quorum.http")
// One line per request, off unless asked for (QT_LOGGING_RULES="quorum.http.access.info=true"):
// writing it costs more than some requests.
Q_LOGGING_CATEGORY(lcAccess, "quorum.http.access", QtWarningMsg)

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

bool isJsonContentType(const QByteArray &contentType, bool allowMergePatch)
{
    const QList<QByteArray> parts = contentType.split(';');
    const QByteArray type = parts.value(0).trimmed().toLower();
    if (type != "application/json" && !(allowMergePatch && type == "application/merge-patch+json"))
        return false;
    for (qsizetype i = 1; i < parts.size(); ++i) {
        const QByteArray parameter = parts.at(i).trimmed().toLower();
        if (parameter.startsWith("charset=") && parameter != "charset=utf-8"
            && parameter != "charset=\"utf-8\"")
            return false;
    }
    return true;
}

// Idempotency keys are short printable ASCII (inner spaces allowed), so they can be logged and
// stored as they are.
bool isValidIdempotencyKey(const QByteArray &key)
{
    if (key.isEmpty() || key.size() > 255 || key.trimmed() != key)
        return false;
    for (char c : key) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

ApiResponse problem(ErrorCode code, const QString &detail)
{
    return problems::response({code, detail, {}});
}

// The completion a handler gets: called at most once; if the handler drops it uncalled, a 503
// goes out rather than leaving the client (and the requests pipelined after it) waiting.
class OnceCompletion final
{
public:
    explicit OnceCompletion(ApiResponse::Completion done)
        : m_done(std::move(done))
    { }
    ~OnceCompletion()
    {
        if (m_done)
            m_done(problem(ErrorCode::Unavailable,
                           QStringLiteral("The answer could not be prepared; retry.")));
    }
    Q_DISABLE_COPY_MOVE(OnceCompletion)

    void call(ApiResponse answer)
    {
        if (auto done = std::exchange(m_done, nullptr))
            done(std::move(answer));
    }

private:
    ApiResponse::Completion m_done;
};

ApiResponse guardCompletion(ApiResponse response)
{
    if (!response.deferred)
        return response;

    auto start = std::move(response.deferred);
    response.deferred = [start](ApiResponse::Completion done) {
        auto once = std::make_shared<OnceCompletion>(std::move(done));
        start([once](ApiResponse answer) { once->call(std::move(answer)); });
    };
    return response;
}

ApiResponse runHandler(const Route &route, ApiRequest &request)
{
    return guardCompletion(route.handler(request));
}

} // namespace

ApiDispatcher::ApiDispatcher(Services &services, Router router)
    : m_services(services)
    , m_router(std::move(router))
{
    for (const QString &entry : services.settings.trustedProxies) {
        const auto subnet
            = QHostAddress::parseSubnet(entry.contains(u'/')       ? entry
                                            : entry.contains(u':') ? entry + QStringLiteral("/128")
                                                                   : entry + QStringLiteral("/32"));
        if (!subnet.first.isNull())
            m_trustedProxies << subnet;
        else
            qCWarning(lcHttp) << "ignoring a trusted proxy that is not an address:" << entry;
    }
}

QString ApiDispatcher::clientAddressOf(const QHostAddress &peer,
                                       const QByteArray &forwardedFor) const
{
    auto trusted = [this](const QHostAddress &address) {
        for (const auto &subnet : m_trustedProxies) {
            if (address.isInSubnet(subnet))
                return true;
        }
        return false;
    };
    QHostAddress client = peer;
    if (!trusted(client) || forwardedFor.isEmpty())
        return client.toString();

    // Walk X-Forwarded-For from the right: the first hop we do not trust is the client.
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        const QHostAddress hop(QString::fromLatin1(hops.at(i).trimmed()));
        if (hop.isNull())
            break;
        client = hop;
        if (!trusted(hop))
            break;
    }
    return client.toString();
}

void ApiDispatcher::addCors(const QByteArray &origin, ApiResponse &response) const
{
    if (origin.isEmpty() || !m_services.settings.corsOrigins.contains(QString::fromLatin1(origin)))
        return;
    response.withHeader("Access-Control-Allow-Origin", origin)
        .withHeader("Vary", "Origin")
        .withHeader("Access-Control-Expose-Headers",
                    "ETag, Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, "
                    "RateLimit-Reset, X-Request-Id");
}

template<typename Step>
void ApiDispatcher::then(ApiResponse &response, Step step)
{
    if (!response.deferred) {
        step(response);
        return;
    }

    auto inner = std::move(response.deferred);
    response.deferred = [inner, step](ApiResponse::Completion done) {
        inner([step, done](ApiResponse answer) {
            step(answer);
            done(std::move(answer));
        });
    };
}

void ApiDispatcher::handle(const QHttpServerRequest &httpRequest, QHttpServerResponder &&responder)
{
    QElapsedTimer timer;
    timer.start();

    ApiRequest request;
    request.method = methodName(httpRequest.method());
    const QUrl url = httpRequest.url();
    request.path = url.path(QUrl::FullyEncoded);
    request.query = QUrlQuery(url.query(QUrl::FullyEncoded));
    for (const auto &[name, value] : httpRequest.headers())
        request.headers.insert(name.toLower(), value);
    request.body = httpRequest.body();
    request.peer = httpRequest.remoteAddress();
    request.clientAddress = clientAddressOf(request.peer, request.header("x-forwarded-for"));
    request.requestId = QString::fromLatin1(newRequestId());

    ApiResponse response = dispatch(request);

    // A slowed-down answer is a deferred one whose timer dies with the connection.
    if (response.delayMs > 0 && !response.deferred && !response.stream)
        response = delayed(response, responder.socket());

    // What is logged and added to every answer, now or when a deferred one comes.
    AnswerContext context{request.requestId,
                          request.clientAddress,
                          request.method,
                          request.path,
                          request.routePattern.isEmpty() ? QStringLiteral("unmatched")
                                                         : request.routePattern,
                          request.header("origin"),
                          timer};
    then(response, [this, context](ApiResponse &answer) { finish(context, answer); });

    if (response.stream) {
        // The head is written now; the handler writes the rest.
        auto held = std::make_shared<HeldResponder>(std::move(responder));
        auto start = std::move(response.stream);
        response.stream = nullptr;
        held->writeHead(response);
        start(held);
        return;
    }
    if (!response.deferred) {
        HeldResponder::write(std::move(responder), response);
        return;
    }

    auto held = std::make_shared<HeldResponder>(std::move(responder));
    response.deferred([held, thread = QThread::currentThread()](ApiResponse answer) {
        Q_ASSERT_X(QThread::currentThread() == thread, "ApiDispatcher",
                   "a deferred answer must be completed in its worker thread");
        held->answer(answer);
    });
}

ApiResponse ApiDispatcher::delayed(const ApiResponse &response, QObject *context)
{
    const QPointer<QObject> guard(context);
    return guardCompletion(ApiResponse::later([response, guard](ApiResponse::Completion done) {
        if (!guard)
            return; // the connection is gone: the dropped completion answers nobody
        ApiResponse answer = response;
        answer.delayMs = 0;
        QTimer::singleShot(response.delayMs, guard.data(), [answer, done]() { done(answer); });
    }));
}

void ApiDispatcher::finish(const AnswerContext &context, ApiResponse &answer) const
{
    addCors(context.origin, answer);
    answer.withHeader("X-Request-Id", context.requestId.toLatin1());
    if (answer.contentType == "application/problem+json")
        answer.body = problems::withRequestId(answer.body, context.requestId);
    if (context.path.startsWith(u"/v1/") && answer.header("Cache-Control").isEmpty())
        answer.withHeader("Cache-Control", "no-store");
    // An answer to HEAD has no body (RFC 9110 9.3.2); one written anyway would be read as the
    // start of the next answer on the connection.
    if (context.method == "HEAD")
        answer.body.clear();

    const double seconds = context.timer.nsecsElapsed() / 1e9;
    m_services.metrics.observeRequest(context.route, context.method, answer.status, seconds);
    qCInfo(lcAccess).noquote() << context.requestId << context.clientAddress << context.method
                               << context.path << answer.status
                               << QString::number(seconds * 1000, 'f', 2) + QStringLiteral("ms");
}

ApiResponse ApiDispatcher::dispatch(ApiRequest &request)
{
    const Settings &settings = m_services.settings;

    if (request.method == "OPTIONS" && !request.header("origin").isEmpty()
        && !request.header("access-control-request-method").isEmpty()) {
        ApiResponse preflight = ApiResponse::noContent();
        if (settings.corsOrigins.contains(QString::fromLatin1(request.header("origin"))))
            preflight.withHeader("Access-Control-Allow-Methods", "GET, POST, PATCH, DELETE")
                .withHeader("Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Idempotency-Key, If-Match")
                .withHeader("Access-Control-Max-Age", "600");
        return preflight;
    }

    const Router::Match match = m_router.match(request.method, request.path);
    if (!match.route) {
        if (match.pathMatched)
            return problem(ErrorCode::MethodNotAllowed,
                           QStringLiteral("Use one of: %1.")
                               .arg(QString::fromLatin1(match.allowedMethods.join(", "))))
                .withHeader("Allow", match.allowedMethods.join(", "));
        return problem(ErrorCode::NotFound, QStringLiteral("No such resource."));
    }
    const Route &route = *match.route;
    request.routePattern = route.pattern;
    request.params = match.params;

    ApiResponse limitHeaders;
    // Health, readiness and metrics are for probes and scrapers, which must not be throttled;
    // the public routes that do work (OAuth, the pages' forms, signed downloads) are limited by
    // address.
    const bool limited
        = settings.rateLimits && (route.auth != AuthMode::None || route.body != BodyKind::Json);
    if (limited) {
        if (auto limited = applyRateLimit(request, u"addr:"_s + request.clientAddress,
                                          settings.rateLimitPerAddress, &limitHeaders))
            return *limited;
    }
    if (auto refused = authenticate(request, route))
        return *refused;
    if (limited && request.credential) {
        if (auto limited = applyRateLimit(request, u"tok:"_s + request.credential->tokenId,
                                          settings.rateLimitPerCredential, &limitHeaders))
            return *limited;
    }
    if (auto refused = readBody(request, route))
        return *refused;

    ApiResponse response = runWithIdempotency(request, route);
    then(response, [limitHeaders](ApiResponse &answer) {
        for (const auto &header : std::as_const(limitHeaders.headers))
            answer.headers << header;
    });
    return response;
}

std::optional<ApiResponse> ApiDispatcher::applyRateLimit(ApiRequest &, const QString &key,
                                                         int limit, ApiResponse *headersFor)
{
    const RateLimiter::Decision decision = m_services.requestLimiter.hit(key, limit);
    // The stricter of the two limits is what the client sees.
    const QByteArray remaining = headersFor->header("RateLimit-Remaining");
    if (remaining.isEmpty() || decision.remaining < remaining.toInt()) {
        headersFor->headers.clear();
        headersFor->withHeader("RateLimit-Limit", QByteArray::number(decision.limit))
            .withHeader("RateLimit-Remaining", QByteArray::number(decision.remaining))
            .withHeader("RateLimit-Reset", QByteArray::number(decision.resetSeconds));
    }
    if (decision.allowed)
        return std::nullopt;

    ApiResponse limited = problem(
        ErrorCode::RateLimited,
        QStringLiteral("Too many requests; retry after %1 s.").arg(decision.resetSeconds));
    limited.withHeader("Retry-After", QByteArray::number(decision.resetSeconds))
        .withHeader("RateLimit-Limit", QByteArray::number(decision.limit))
        .withHeader("RateLimit-Remaining", "0")
        .withHeader("RateLimit-Reset", QByteArray::number(decision.resetSeconds));
    return limited;
}

std::optional<ApiResponse> ApiDispatcher::authenticate(ApiRequest &request, const Route &route)
{
    if (route.auth == AuthMode::None || route.auth == AuthMode::Signed)
        return std::nullopt;

    const QByteArray authorization = request.header("authorization");
    if (authorization.isEmpty()) {
        if (route.auth == AuthMode::OptionalBearer)
            return std::nullopt;
        return problem(ErrorCode::Unauthorized,
                       QStringLiteral("This needs an Authorization: Bearer token."))
            .withHeader("WWW-Authenticate", "Bearer realm=\"quorum\", error=\"invalid_token\"");
    }

    const QByteArray trimmed = authorization.trimmed();
    const qsizetype space = trimmed.indexOf(' ');
    const QByteArray scheme = space < 0 ? trimmed : trimmed.left(space);
    if (scheme.compare("Bearer", Qt::CaseInsensitive) != 0)
        return problem(ErrorCode::Unauthorized,
                       QStringLiteral("Only the Bearer authorization scheme is supported."))
            .withHeader("WWW-Authenticate", "Bearer realm=\"quorum\", error=\"invalid_request\"");
    // An empty token is simply an invalid one.
    auto credential = m_services.tokens.authenticate(space < 0 ? QByteArray()
                                                               : trimmed.mid(space + 1).trimmed());
    if (!credential)
        return problems::response(credential.error())
            .withHeader("WWW-Authenticate", "Bearer realm=\"quorum\", error=\"invalid_token\"");
    request.credential = *credential;

    if (route.firstPartyOnly && !credential->firstParty)
        return problem(ErrorCode::FirstPartyOnly,
                       QStringLiteral("Third-party apps may not use this endpoint."));
    if (!route.scope.isEmpty() && !credential->hasScope(route.scope))
        return problem(ErrorCode::InsufficientScope,
                       QStringLiteral("The token lacks the %1 scope.").arg(route.scope))
            .withHeader("WWW-Authenticate",
                        "Bearer realm=\"quorum\", error=\"insufficient_scope\", "
                        "scope=\""
                            + route.scope.toLatin1() + '"');
    return std::nullopt;
}

std::optional<ApiResponse> ApiDispatcher::readBody(ApiRequest &request, const Route &route)
{
    if (request.body.isEmpty())
        return std::nullopt;
    if (route.body != BodyKind::Json) {
        const std::optional<Error> refused = readForm(request);
        if (!refused)
            return std::nullopt;
        if (route.body == BodyKind::OAuthForm) {
            const QJsonObject error{{u"error"_s, u"invalid_request"_s},
                                    {u"error_description"_s, refused->detail}};
            return ApiResponse::json(400, error).withHeader("Cache-Control", "no-store");
        }
        return problems::response(*refused);
    }
    if (request.method == "GET" || request.method == "HEAD" || request.method == "DELETE") {
        if (request.body.trimmed() == "{}")
            return std::nullopt;
        return problem(ErrorCode::InvalidRequest, QStringLiteral("This request takes no body."));
    }
    if (!isJsonContentType(request.header("content-type"), request.method == "PATCH"))
        return problem(ErrorCode::UnsupportedMediaType,
                       request.method == "PATCH"
                           ? QStringLiteral("Send application/json or application/merge-patch+json "
                                            "(UTF-8).")
                           : QStringLiteral("Send application/json (UTF-8)."));

    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8.decode(request.body);
    if (utf8.hasError())
        return problem(ErrorCode::InvalidRequest, QStringLiteral("The body is not valid UTF-8."));

    if (jsontext::hasLoneSurrogateEscape(request.body))
        return problem(ErrorCode::InvalidRequest,
                       QStringLiteral("The body has a \\u escape of a lone UTF-16 surrogate."));

    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return problem(ErrorCode::InvalidRequest,
                       QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                           .arg(error.errorString())
                           .arg(error.offset));
    if (!document.isObject())
        return problem(ErrorCode::InvalidRequest,
                       QStringLiteral("The body must be a JSON object."));
    request.json = document.object();
    return std::nullopt;
}

std::optional<Error> ApiDispatcher::readForm(ApiRequest &request)
{
    const QByteArray type = request.header("content-type").split(';').constFirst().trimmed();
    if (type.compare("application/x-www-form-urlencoded", Qt::CaseInsensitive) != 0)
        return Error{ErrorCode::UnsupportedMediaType,
                     QStringLiteral("Send application/x-www-form-urlencoded.")};

    // HTML forms write a space as '+', which percent-decoding alone would keep.
    for (const QByteArray &pair : request.body.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        QByteArray name = equals < 0 ? pair : pair.first(equals);
        QByteArray value = equals < 0 ? QByteArray() : pair.sliced(equals + 1);
        name = QByteArray::fromPercentEncoding(name.replace('+', ' '));
        value = QByteArray::fromPercentEncoding(value.replace('+', ' '));

        QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString decodedName = utf8.decode(name);
        const QString decodedValue = utf8.decode(value);
        if (utf8.hasError())
            return Error{ErrorCode::InvalidRequest, QStringLiteral("The form is not UTF-8.")};
        // RFC 6749 section 3.1: parameters must not be included more than once.
        if (request.form.contains(decodedName))
            return Error{ErrorCode::InvalidRequest,
                         QStringLiteral("The field %1 is sent more than once.").arg(decodedName),
                         {{decodedName, QStringLiteral("sent more than once")}}};
        request.form.insert(decodedName, decodedValue);
    }
    return std::nullopt;
}

ApiResponse ApiDispatcher::runWithIdempotency(ApiRequest &request, const Route &route)
{
    const QByteArray key = request.header("idempotency-key");
    if (request.method != "POST" || !request.headers.contains("idempotency-key")
        || !request.path.startsWith(u"/v1/") || !route.replayable)
        return runHandler(route, request);
    if (!isValidIdempotencyKey(key))
        return problems::response({ErrorCode::InvalidRequest,
                                   QStringLiteral("Idempotency-Key must be 1 to 255 printable "
                                                  "ASCII characters."),
                                   {{QStringLiteral("Idempotency-Key"),
                                     QStringLiteral("1 to 255 printable ASCII characters")}}});

    const QString scope = request.callerKey();
    const QString idempotencyKey = QString::fromLatin1(key);
    const QString requestHash = QString::fromLatin1(
        crypto::sha256(request.method + ' ' + request.path.toUtf8() + '\n' + request.body).toHex());
    const QDateTime now = m_services.clock.now();

    std::optional<IdempotencyRecord> existing;
    {
        Database::WriteTransaction transaction(m_services.database);
        auto claimed = IdempotencyRepository(transaction.db())
                           .claim(scope, idempotencyKey, requestHash, now,
                                  now.addSecs(-m_services.settings.idempotencyTtlSeconds));
        if (!claimed)
            return problems::response(claimed.error());
        if (const Status committed = transaction.commit(); !committed)
            return problems::response(committed.error());
        existing = *claimed;
    }

    if (existing) {
        if (existing->requestHash != requestHash)
            return problem(ErrorCode::IdempotencyKeyReused,
                           QStringLiteral("This Idempotency-Key was used with another request."));
        if (!existing->completed)
            return problem(ErrorCode::IdempotencyInProgress,
                           QStringLiteral("The first request with this Idempotency-Key is still "
                                          "running; retry shortly."));
        // Answers are kept sealed: a meeting's answer carries its passcode.
        const QByteArray context = "idempotency:" + scope.toUtf8() + '|' + key;
        const auto body = m_services.box.open(QByteArray::fromBase64(existing->body), context);
        const auto headerJson
            = m_services.box.open(QByteArray::fromBase64(existing->headers), context);
        if (!body || !headerJson)
            return problem(ErrorCode::Internal, QStringLiteral("The stored answer is unreadable."));
        ApiResponse replay;
        replay.status = existing->status;
        replay.body = *body;
        const QJsonObject headers = QJsonDocument::fromJson(*headerJson).object();
        for (auto it = headers.constBegin(); it != headers.constEnd(); ++it) {
            if (it.key() == u"Content-Type")
                replay.contentType = it.value().toString().toLatin1();
            else
                replay.withHeader(it.key().toLatin1(), it.value().toString().toLatin1());
        }
        return replay.withHeader("Idempotent-Replayed", "true");
    }

    // A deferred answer is sealed when it comes; until then a repeat is "in progress".
    ApiResponse response = runHandler(route, request);
    then(response, [this, scope, idempotencyKey, key](ApiResponse &answer) {
        seal(scope, idempotencyKey, key, answer);
    });
    return response;
}

void ApiDispatcher::seal(const QString &scope, const QString &idempotencyKey, const QByteArray &key,
                         const ApiResponse &response)
{
    Database::WriteTransaction transaction(m_services.database);
    IdempotencyRepository repository(transaction.db());
    if (response.status >= 500 || response.status == 429) {
        // Nothing was done; let the client retry with the same key.
        (void)repository.release(scope, idempotencyKey);
    } else {
        QJsonObject headers{
            {QStringLiteral("Content-Type"), QString::fromLatin1(response.contentType)}};
        for (const auto &[name, value] : std::as_const(response.headers))
            headers.insert(QString::fromLatin1(name), QString::fromLatin1(value));
        const QByteArray context = "idempotency:" + scope.toUtf8() + '|' + key;
        const QByteArray headerJson = QJsonDocument(headers).toJson(QJsonDocument::Compact);
        (void)repository.complete(scope, idempotencyKey, response.status,
                                  m_services.box.seal(headerJson, context).toBase64(),
                                  m_services.box.seal(response.body, context).toBase64());
    }
    (void)transaction.commit();
}

} // namespace quorum
