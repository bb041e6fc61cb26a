#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace quorum {

// The system clipboard for the pages (QML has no clipboard object of its own): a join link, a
// webhook secret, a set-password link.
class Clipboard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Clipboard)
    QML_ELEMENT
    QML_SINGLETON

public:
    explicit Clipboard(QObject *parent = nullptr);

    Q_INVOKABLE void setText(const QString &text);
    Q_INVOKABLE QString text() const;
};

} // namespace quorum
