#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace quorum {

// What a GET with a `Range` header gets from a representation of `size` bytes (RFC 9110 §14):
// the whole of it (200), one part of it (206), or nothing (416). One byte range is served; a
// request for several is answered with the whole representation, which the RFC allows (a server
// MAY ignore Range) and which spares us multipart/byteranges. A header that does not parse, or
// names another unit, is ignored as the RFC asks: the whole representation again.
class ByteRange final
{
public:
    enum class Kind { Whole, Partial, Unsatisfiable };

    // `header` is the field value as received; an empty one asks for the whole representation.
    static ByteRange parse(QByteArrayView header, qint64 size);

    Kind kind() const { return m_kind; }
    qint64 offset() const { return m_offset; }
    qint64 length() const { return m_length; }
    qint64 size() const { return m_size; }

    // The status to answer with: 200, 206 or 416.
    int status() const;
    // The Content-Range value: "bytes 0-99/5000" for a part, "bytes */5000" when unsatisfiable,
    // empty for the whole representation.
    QByteArray contentRange() const;

private:
    ByteRange(Kind kind, qint64 offset, qint64 length, qint64 size)
        : m_kind(kind)
        , m_offset(offset)
        , m_length(length)
        , m_size(size)
    { }

    Kind m_kind = Kind::Whole;
    qint64 m_offset = 0;
    qint64 m_length = 0;
    qint64 m_size = 0;
};

} // namespace quorum
