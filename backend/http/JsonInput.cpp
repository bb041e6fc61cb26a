#include "JsonInput.h"

#include <QJsonArray>

#include <cmath>

namespace quorum {

QString JsonInput::path(const QString &name) const
{
    return m_prefix.isEmpty() ? name : m_prefix + u'.' + name;
}

void JsonInput::fail(const QString &name, const QString &message)
{
    m_errors << FieldError{path(name), message};
}

void JsonInput::allowOnly(const QStringList &allowed)
{
    for (auto it = m_object.constBegin(); it != m_object.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            m_unknown << FieldError{path(it.key()), QStringLiteral("unknown field")};
    }
}

std::optional<QString> JsonInput::string(const QString &name, bool required)
{
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            fail(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    if (!value.isString()) {
        fail(name, QStringLiteral("must be a string"));
        return std::nullopt;
    }
    return value.toString();
}

std::optional<qint64> JsonInput::integer(const QString &name, bool required)
{
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            fail(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    const double number = value.toDouble(std::nan(""));
    if (!value.isDouble() || std::isnan(number) || std::floor(number) != number
        || std::abs(number) > 9007199254740991.0) {
        fail(name, QStringLiteral("must be an integer"));
        return std::nullopt;
    }
    return qint64(number);
}

std::optional<bool> JsonInput::boolean(const QString &name, bool required)
{
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            fail(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    if (!value.isBool()) {
        fail(name, QStringLiteral("must be true or false"));
        return std::nullopt;
    }
    return value.toBool();
}

std::optional<QStringList> JsonInput::stringList(const QString &name, bool required)
{
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            fail(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    if (!value.isArray()) {
        fail(name, QStringLiteral("must be an array of strings"));
        return std::nullopt;
    }
    QStringList list;
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString()) {
            fail(name, QStringLiteral("must be an array of strings"));
            return std::nullopt;
        }
        list << item.toString();
    }
    return list;
}

std::optional<QJsonObject> JsonInput::object(const QString &name, bool required)
{
    const QJsonValue value = m_object.value(name);
    if (value.isUndefined() || value.isNull()) {
        if (required)
            fail(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    if (!value.isObject()) {
        fail(name, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    return value.toObject();
}

void JsonInput::absorb(const JsonInput &nested)
{
    m_errors << nested.m_errors;
    m_unknown << nested.m_unknown;
}

Error JsonInput::error() const
{
    if (!m_unknown.isEmpty()) {
        QStringList names;
        for (const FieldError &field : m_unknown)
            names << field.field;
        return {ErrorCode::UnknownField,
                QStringLiteral("Unknown field(s): %1.").arg(names.join(u", ")),
                m_unknown + m_errors};
    }
    QStringList messages;
    for (const FieldError &field : m_errors) {
        // The shared validators name their field already ("topic must be ..."); ours do not.
        const QString name = field.field.section(u'.', -1);
        messages << (field.message.startsWith(name) ? field.message
                                                    : field.field + u' ' + field.message);
    }
    return {ErrorCode::ValidationFailed, messages.join(u"; "), m_errors};
}

} // namespace quorum
