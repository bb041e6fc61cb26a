#include "Clipboard.h"

#include <QClipboard>
#include <QGuiApplication>

namespace quorum {

Clipboard::Clipboard(QObject *parent)
    : QObject(parent)
{ }

void Clipboard::setText(const QString &text)
{
    QGuiApplication::clipboard()->setText(text);
}

QString Clipboard::text() const
{
    return QGuiApplication::clipboard()->text();
}

} // namespace quorum
