#include "HandlerSupport.h"

#include "ProblemMap.h"
#include "core/Validation.h"

namespace quorum::handlers {

Result<PageRequest> readPage(const ApiRequest &request, const CursorCodec &cursors,
                             const QString &listScope)
{
    PageRequest page;
    if (request.query.hasQueryItem(QStringLiteral("page_size"))) {
        bool ok = false;
        const QString text = request.query.queryItemValue(QStringLiteral("page_size"));
        const qint64 size = text.toLongLong(&ok);
        const auto problem = ok ? validation::checkPageSize(size)
                                : std::optional<QString>(QStringLiteral("must be an integer"));
        if (problem)
            return Error{ErrorCode::InvalidParameter,
                         QStringLiteral("page_size must be an integer from 1 to 300."),
                         {{QStringLiteral("page_size"), *problem}}};
        page.size = int(size);
    }
    if (request.query.hasQueryItem(QStringLiteral("cursor"))) {
        const auto position = cursors.decode(
            listScope, request.query.queryItemValue(QStringLiteral("cursor"), QUrl::FullyDecoded));
        if (!position)
            return position.error();
        page.after = *position;
    }
    return page;
}

QJsonValue nextCursor(const std::optional<KeysetPosition> &next, const CursorCodec &cursors,
                      const QString &listScope)
{
    if (!next)
        return QJsonValue(QJsonValue::Null);
    return cursors.encode(listScope, *next);
}

std::optional<qint64> ifMatchVersion(const ApiRequest &request)
{
    const QByteArray value = request.header("if-match").trimmed();
    if (value.isEmpty() || value == "*")
        return std::nullopt;
    if (value.size() < 4 || !value.startsWith("\"v") || !value.endsWith('"'))
        return -1;
    bool ok = false;
    const qint64 version = value.mid(2, value.size() - 3).toLongLong(&ok);
    return ok ? version : -1;
}

Status requireKnownQueryParameters(const ApiRequest &request, const QStringList &allowed)
{
    for (const auto &[name, value] : request.query.queryItems(QUrl::FullyDecoded)) {
        if (name != u"page_size" && name != u"cursor" && !allowed.contains(name))
            return Error{ErrorCode::InvalidParameter,
                         name + QStringLiteral(" is not a parameter of this list."),
                         {{name, QStringLiteral("unknown query parameter")}}};
    }
    return success();
}

Status requireEmptyBody(const ApiRequest &request)
{
    if (!request.json.isEmpty())
        return Error{
            ErrorCode::UnknownField, QStringLiteral("This request takes no body fields."), {}};
    return success();
}

ApiResponse fromError(const Error &error)
{
    return problems::response(error);
}

} // namespace quorum::handlers
