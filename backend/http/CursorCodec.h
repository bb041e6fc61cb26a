#pragma once

#include "core/Result.h"
#include "store/Keyset.h"

#include <QByteArray>

namespace quorum {

// Opaque pagination cursors. A cursor carries the last position of a page and a MAC over
// that position and the list it belongs to (the resource, the caller's workspace and the
// filters), so a tampered cursor, or one taken from another list, is refused instead of
// silently restarting at page one. Cursors use only [A-Za-z0-9_-].
class CursorCodec final
{
public:
    explicit CursorCodec(QByteArray key)
        : m_key(std::move(key))
    { }

    QString encode(const QString &listScope, const KeysetPosition &position) const;
    Result<KeysetPosition> decode(const QString &listScope, const QString &cursor) const;

private:
    QByteArray m_key;
};

} // namespace quorum
