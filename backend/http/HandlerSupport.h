#pragma once

#include "ApiRequest.h"
#include "ApiResponse.h"
#include "CursorCodec.h"
#include "core/Result.h"
#include "store/Keyset.h"

#include <QJsonValue>

#include <optional>

namespace quorum::handlers {

// page_size (1-300, default 30) and cursor, the cursor checked against its list.
Result<PageRequest> readPage(const ApiRequest &request, const CursorCodec &cursors,
                             const QString &listScope);
QJsonValue nextCursor(const std::optional<KeysetPosition> &next, const CursorCodec &cursors,
                      const QString &listScope);

// The version named by If-Match: nullopt when absent or "*", -1 when it names no version
// of ours (it then never matches).
std::optional<qint64> ifMatchVersion(const ApiRequest &request);

// A query that may hold only `allowed` parameters (besides page_size and cursor, which every
// list takes): 400 invalid_parameter naming the first other one.
Status requireKnownQueryParameters(const ApiRequest &request, const QStringList &allowed = {});

// A body that must be empty or "{}".
Status requireEmptyBody(const ApiRequest &request);

ApiResponse fromError(const Error &error);

} // namespace quorum::handlers
