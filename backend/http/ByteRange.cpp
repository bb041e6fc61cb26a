#include "ByteRange.h"

#include <QList>

#include <limits>
#include <optional>

namespace quorum {

namespace {

constexpr qint64 kMax = std::numeric_limits<qint64>::max();

bool isOws(char c)
{
    return c == ' ' || c == '\t';
}

QByteArrayView trimmedOws(QByteArrayView text)
{
    while (!text.isEmpty() && isOws(text.front()))
        text = text.sliced(1);
    while (!text.isEmpty() && isOws(text.back()))
        text.chop(1);
    return text;
}

bool allDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

// A position may have any number of digits (RFC 9110 does not bound it); past qint64 it
// saturates, which changes no answer: no file is that large.
qint64 saturatingValue(QByteArrayView digits)
{
    qint64 value = 0;
    for (const char c : digits) {
        const int digit = c - '0';
        if (value > (kMax - digit) / 10)
            return kMax;
        value = value * 10 + digit;
    }
    return value;
}

// Compares two digit strings as numbers of any size: negative, zero or positive.
int compareDecimal(QByteArrayView a, QByteArrayView b)
{
    while (a.size() > 1 && a.front() == '0')
        a = a.sliced(1);
    while (b.size() > 1 && b.front() == '0')
        b = b.sliced(1);
    if (a.size() != b.size())
        return a.size() < b.size() ? -1 : 1;
    return a.compare(b);
}

// One range-spec: "first-last", "first-" or "-suffix".
struct Spec
{
    bool suffix = false;
    qint64 first = 0; // or the suffix length
    qint64 last = -1; // -1: to the end
};

std::optional<Spec> parseSpec(QByteArrayView text)
{
    const qsizetype dash = text.indexOf('-');
    if (dash < 0)
        return std::nullopt;

    const QByteArrayView before = text.first(dash);
    const QByteArrayView after = text.sliced(dash + 1);
    if (before.isEmpty()) {
        if (!allDigits(after))
            return std::nullopt;
        return Spec{true, saturatingValue(after), -1};
    }

    if (!allDigits(before))
        return std::nullopt;
    if (after.isEmpty())
        return Spec{false, saturatingValue(before), -1};
    // A last position before the first makes the whole header invalid (RFC 9110 §14.1.1).
    if (!allDigits(after) || compareDecimal(after, before) < 0)
        return std::nullopt;
    return Spec{false, saturatingValue(before), saturatingValue(after)};
}

} // namespace

ByteRange ByteRange::parse(QByteArrayView header, qint64 size)
{
    const ByteRange whole(Kind::Whole, 0, size, size);
    const ByteRange unsatisfiable(Kind::Unsatisfiable, 0, 0, size);

    // ranges-specifier = range-unit "=" range-set, with no whitespace around "=".
    const QByteArrayView value = trimmedOws(header);
    const qsizetype equals = value.indexOf('=');
    if (equals <= 0 || qstrnicmp(value.data(), equals, "bytes", 5) != 0)
        return whole;

    // range-set = 1#range-spec: commas with optional whitespace, empty elements allowed.
    QList<Spec> specs;
    QByteArrayView rest = value.sliced(equals + 1);
    while (true) {
        const qsizetype comma = rest.indexOf(',');
        const QByteArrayView element = trimmedOws(comma < 0 ? rest : rest.first(comma));
        if (!element.isEmpty()) {
            const std::optional<Spec> parsed = parseSpec(element);
            if (!parsed)
                return whole;
            specs.append(*parsed);
        }
        if (comma < 0)
            break;
        rest = rest.sliced(comma + 1);
    }
    // Several ranges would need multipart/byteranges: the whole representation instead.
    if (specs.size() != 1)
        return whole;

    const Spec spec = specs.constFirst();
    if (spec.suffix) {
        // An empty representation has no last bytes to name.
        if (spec.first == 0 || size == 0)
            return unsatisfiable;
        const qint64 length = qMin(spec.first, size);
        return ByteRange(Kind::Partial, size - length, length, size);
    }

    if (spec.first >= size)
        return unsatisfiable;
    const qint64 last = spec.last < 0 || spec.last >= size ? size - 1 : spec.last;
    return ByteRange(Kind::Partial, spec.first, last - spec.first + 1, size);
}

int ByteRange::status() const
{
    switch (m_kind) {
    case Kind::Whole:
        return 200;
    case Kind::Partial:
        return 206;
    case Kind::Unsatisfiable:
        return 416;
    }
    return 200;
}

QByteArray ByteRange::contentRange() const
{
    switch (m_kind) {
    case Kind::Whole:
        return {};
    case Kind::Partial:
        return "bytes " + QByteArray::number(m_offset) + '-'
            + QByteArray::number(m_offset + m_length - 1) + '/' + QByteArray::number(m_size);
    case Kind::Unsatisfiable:
        return "bytes */" + QByteArray::number(m_size);
    }
    return {};
}

} // namespace quorum
