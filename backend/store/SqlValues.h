#pragma once

#include <QDateTime>
#include <QSqlQuery>
#include <QTimeZone>
#include <QVariant>

#include <optional>

// Small conversions between our value types and column values, shared by the repositories:
// times are stored as milliseconds since the epoch, booleans as 0/1, absent values as NULL.
namespace quorum::sqlvalues {

inline QVariant fromTime(const QDateTime &time)
{
    return time.isValid() ? QVariant(time.toMSecsSinceEpoch())
                          : QVariant(QMetaType::fromType<qint64>());
}

inline QDateTime toTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

inline QVariant fromText(const QString &text)
{
    return text.isNull() ? QVariant(QMetaType::fromType<QString>()) : QVariant(text);
}

} // namespace quorum::sqlvalues
