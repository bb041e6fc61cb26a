#include "Ids.h"

#include <QRandomGenerator>

#include <algorithm>
#include <array>

namespace quorum::ids {

namespace {

constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr int kRandomBytes = 16;

bool isBase62Digit(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z');
}

} // namespace

QString generate(QStringView prefix)
{
    std::array<quint32, kRandomBytes / sizeof(quint32)> words;
    QRandomGenerator::system()->fillRange(words.data(), words.size());

    const QByteArray bytes(reinterpret_cast<const char *>(words.data()), kRandomBytes);
    return prefix.toString() + QLatin1Char('_') + base62(bytes, kRandomWidth);
}

bool isWellFormed(QStringView id, QStringView prefix)
{
    if (id.size() != prefix.size() + 1 + kRandomWidth || !id.startsWith(prefix)
        || id.at(prefix.size()) != QLatin1Char('_')) {
        return false;
    }

    const QStringView digits = id.sliced(prefix.size() + 1);
    return std::all_of(digits.begin(), digits.end(), isBase62Digit);
}

QString base62(const QByteArray &bytes, int width)
{
    // Up to 128 bits (every id) fit one native number: a division per digit.
    if (bytes.size() <= 16) {
        unsigned __int128 number = 0;
        for (const char byte : bytes)
            number = (number << 8) | static_cast<quint8>(byte);
        char digits[32];
        int count = 0;
        while (number != 0) {
            digits[count++] = kAlphabet[int(number % 62)];
            number /= 62;
        }
        while (count < width && count < int(sizeof digits))
            digits[count++] = '0';
        std::reverse(digits, digits + count);
        return QString::fromLatin1(digits, count);
    }

    // Long division of the big-endian number by 62, one digit per pass, least significant first.
    QByteArray number = bytes;
    QString digits;
    while (std::any_of(number.cbegin(), number.cend(), [](char b) { return b != 0; })) {
        int remainder = 0;
        for (char &byte : number) {
            const int accumulator = remainder * 256 + static_cast<quint8>(byte);
            byte = static_cast<char>(accumulator / 62);
            remainder = accumulator % 62;
        }
        digits.append(QLatin1Char(kAlphabet[remainder]));
    }

    while (digits.size() < width)
        digits.append(QLatin1Char('0'));
    std::reverse(digits.begin(), digits.end());
    return digits;
}

} // namespace quorum::ids
