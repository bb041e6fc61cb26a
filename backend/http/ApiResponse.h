#pragma once

#include "core/Error.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace quorum {

// What a handler answers: a value, turned into bytes on the wire by the dispatcher.
struct ApiResponse
{
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;
    int delayMs = 0; // answer later (a slowed-down failure), without blocking the thread

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
