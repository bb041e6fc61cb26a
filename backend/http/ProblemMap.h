#pragma once

#include "ApiResponse.h"
#include "core/Error.h"

namespace quorum::problems {

// The one map from an error code to its HTTP status, problem code and title.
int status(ErrorCode code);
QString code(ErrorCode code);
QString title(ErrorCode code);

// An application/problem+json response (RFC 9457) for the error.
ApiResponse response(const Error &error, const QString &requestId = {});
// The problem body with its request_id member set.
QByteArray withRequestId(const QByteArray &problemBody, const QString &requestId);

} // namespace quorum::problems
