#pragma once

#include <QObject>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

namespace quorum {

// What the pages need of time zones that QML's JavaScript lacks: the IANA zone names, the
// system's zone, and a meeting's start shown and edited as wall time in its own zone.
class TimeZones final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimeZones)
    QML_ELEMENT
    QML_SINGLETON
    Q_PROPERTY(QStringList names READ names CONSTANT)
    Q_PROPERTY(QString systemZone READ systemZone CONSTANT)

public:
    explicit TimeZones(QObject *parent = nullptr);

    QStringList names() const;
    QString systemZone() const;

    // "2030-05-04" and "09:00" of an RFC 3339 instant in `zone`.
    Q_INVOKABLE QString wallDate(const QString &instant, const QString &zone) const;
    Q_INVOKABLE QString wallTime(const QString &instant, const QString &zone) const;
    // A readable start, e.g. "Sat 4 May 2030, 09:00 (Europe/Berlin)".
    Q_INVOKABLE QString describe(const QString &instant, const QString &zone) const;
    // An instant in the computer's own zone, e.g. "4 May 2030, 09:00 CEST".
    Q_INVOKABLE QString local(const QString &instant) const;
    // Whether "yyyy-MM-dd" and "HH:mm" form a real moment.
    Q_INVOKABLE bool isValidWallTime(const QString &date, const QString &time) const;
};

} // namespace quorum
