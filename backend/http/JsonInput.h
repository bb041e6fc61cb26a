#pragma once

#include "core/Error.h"

#include <QJsonObject>
#include <QStringList>

#include <optional>

namespace quorum {

// Reads the fields of a JSON body, collecting every problem instead of stopping at the
// first, so a client sees all of them at once. Field names in errors are JSON paths
// ("settings.auto_recording").
class JsonInput final
{
public:
    JsonInput(const QJsonObject &object, QString prefix = {})
        : m_object(object)
        , m_prefix(std::move(prefix))
    { }

    // Records an unknown_field error for each member not in `allowed`.
    void allowOnly(const QStringList &allowed);

    bool has(const QString &name) const { return m_object.contains(name); }
    bool isNull(const QString &name) const { return m_object.value(name).isNull(); }

    std::optional<QString> string(const QString &name, bool required = false);
    std::optional<qint64> integer(const QString &name, bool required = false);
    std::optional<bool> boolean(const QString &name, bool required = false);
    std::optional<QStringList> stringList(const QString &name, bool required = false);
    std::optional<QJsonObject> object(const QString &name, bool required = false);

    void fail(const QString &name, const QString &message);
    QString path(const QString &name) const;

    bool ok() const { return m_errors.isEmpty() && m_unknown.isEmpty(); }
    // Merges the errors of a nested reader into this one.
    void absorb(const JsonInput &nested);
    Error error() const;

private:
    QJsonObject m_object;
    QString m_prefix;
    QList<FieldError> m_errors;
    QList<FieldError> m_unknown;
};

} // namespace quorum
