#pragma once

#include "ApiRequest.h"
#include "ApiResponse.h"

#include <QList>
#include <QString>

#include <functional>

namespace quorum {

// How a route authenticates its caller.
enum class AuthMode {
    None, // public
    Signed, // public, but the URL carries its own credential (a recording file's signed link)
    Bearer, // a valid bearer token is required
    OptionalBearer, // a bearer token is checked if present (joinToken for guests)
};

// What a route's request body holds: JSON (the /v1 API), an HTML form (the browser pages and
// /oauth/authorize), or an RFC 6749 form, whose refusals answer in RFC 6749's error shape
// (/oauth/token, /revoke, /introspect). Both forms are `application/x-www-form-urlencoded`.
enum class BodyKind { Json, Form, OAuthForm };

struct Route
{
    QByteArray method;
    QString pattern; // "/v1/meetings/{id}:end"
    AuthMode auth = AuthMode::Bearer;
    QString scope; // required scope, empty for none
    bool firstPartyOnly = false;
    std::function<ApiResponse(ApiRequest &)> handler;
    // Whether an Idempotency-Key replays the first answer. Off where replaying would hand out
    // a stale credential (a join token expires in minutes); such a request is simply run again.
    bool replayable = true;
    BodyKind body = BodyKind::Json;
};

// The one route table. Patterns are matched segment by segment on the encoded path; a
// placeholder matches one segment of [A-Za-z0-9_-] and may be followed by a literal suffix
// (":end"), so "/v1/meetings/{id}:end" and "/v1/meetings/{id}" never shadow each other.
class Router final
{
public:
    void add(Route route);

    struct Match
    {
        const Route *route = nullptr;
        QHash<QString, QString> params;
        bool pathMatched = false; // the path matched but not the method: 405
        QByteArrayList allowedMethods;
    };
    Match match(const QByteArray &method, const QString &path) const;
    const QList<Route> &routes() const { return m_routes; }

private:
    struct Segment
    {
        QString literal; // a literal segment, or the suffix after a placeholder
        QString placeholder; // empty for a literal segment
    };
    struct CompiledRoute
    {
        QList<Segment> segments;
        qsizetype literals = 0; // segments without a placeholder: the more, the more specific
    };
    static CompiledRoute compile(const QString &pattern);
    static bool matchPath(const CompiledRoute &compiled, const QList<QStringView> &parts,
                          QHash<QString, QString> *params);

    QList<Route> m_routes;
    QList<CompiledRoute> m_compiled;
};

} // namespace quorum
