#include "TimeZones.h"

#include <QDateTime>
#include <QLocale>
#include <QTimeZone>

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

QDateTime inZone(const QString &instant, const QString &zone)
{
    const QDateTime moment = QDateTime::fromString(instant, Qt::ISODateWithMs);
    const QTimeZone timeZone(zone.toUtf8());
    return timeZone.isValid() ? moment.toTimeZone(timeZone) : moment.toUTC();
}

} // namespace

TimeZones::TimeZones(QObject *parent)
    : QObject(parent)
{ }

QStringList TimeZones::names() const
{
    // The zone names the server accepts are IANA ones; Qt's list also has legacy aliases
    // ("US/Eastern"), which a picker only repeats.
    QStringList names;
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds()) {
        if (id.contains('/') && !id.startsWith("Etc/") && !id.startsWith("US/")
            && !id.startsWith("SystemV/"))
            names.append(QString::fromUtf8(id));
    }
    names.append(u"UTC"_s);
    return names;
}

QString TimeZones::systemZone() const
{
    // The server knows UTC by that name only, not by its aliases (Etc/UTC, Universal, ...).
    const QTimeZone zone = QTimeZone::systemTimeZone();
    const QByteArray id = zone.id();
    if (id.isEmpty()
        || (id.startsWith("Etc/") && zone.offsetFromUtc(QDateTime::currentDateTime()) == 0)
        || id == "Universal" || id == "Zulu" || id == "GMT")
        return u"UTC"_s;
    return QString::fromUtf8(id);
}

QString TimeZones::wallDate(const QString &instant, const QString &zone) const
{
    return inZone(instant, zone).toString(u"yyyy-MM-dd"_s);
}

QString TimeZones::wallTime(const QString &instant, const QString &zone) const
{
    return inZone(instant, zone).toString(u"HH:mm"_s);
}

QString TimeZones::describe(const QString &instant, const QString &zone) const
{
    const QDateTime moment = inZone(instant, zone);
    if (!moment.isValid())
        return {};
    return tr("%1 (%2)").arg(QLocale().toString(moment, u"ddd d MMM yyyy, HH:mm"_s), zone);
}

QString TimeZones::local(const QString &instant) const
{
    const QDateTime moment = QDateTime::fromString(instant, Qt::ISODateWithMs).toLocalTime();
    if (!moment.isValid())
        return {};
    return QLocale().toString(moment, u"d MMM yyyy, HH:mm"_s) + u' '
        + moment.timeZoneAbbreviation();
}

bool TimeZones::isValidWallTime(const QString &date, const QString &time) const
{
    return QDate::fromString(date, u"yyyy-MM-dd"_s).isValid()
        && QTime::fromString(time, u"HH:mm"_s).isValid();
}

} // namespace quorum
