#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

#include <functional>
#include <memory>

namespace quorum {

class HeldResponder;

// What a handler answers: a value, turned into bytes on the wire by the dispatcher.
struct ApiResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    int delayMs = 0; // answer later (a slowed-down failure), without blocking the thread

    // Answering later. A handler that cannot answer at once returns a response whose
    // `deferred` is set (its other fields are ignored): the dispatcher calls it with a
    // completion, which must be called once, in the same worker thread, with the real answer.
    // The usual post-processing applies to that answer; it is dropped if the client has gone.
    // Later requests pipelined on the same connection are answered after it, in order.
    using Completion = std::function<void(ApiResponse)>;
    std::function<void(Completion)> deferred;

    // A streamed answer: the head is this response's status, content type and headers,
    // written at once; `stream` then gets the open stream to write to. Without a
    // Content-Length header (server-sent events) the stream lasts until it or the client
    // closes it, and nothing after it on the connection runs. With one (a file download) it
    // ends with HeldResponder::finish() after that many bytes, and the connection goes on.
    std::function<void(std::shared_ptr<HeldResponder>)> stream;

    static ApiResponse later(std::function<void(Completion)> start);

    static ApiResponse json(int status, const QJsonObject &object);
    static ApiResponse noContent();
    static ApiResponse text(int status, const QByteArray &contentType, const QByteArray &body);

    ApiResponse &withHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
        return *this;
    }
    QByteArray header(const QByteArray &name) const;
};

} // namespace quorum
