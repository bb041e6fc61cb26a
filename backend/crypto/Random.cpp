#include "Random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <QtGlobal>

#include <algorithm>
#include <utility>

namespace quorum::crypto {

namespace {

constexpr char Base62Alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

// Digits needed for `bytes` bytes: ceil(bytes * 8 / log2(62)). Every token of one size has
// the same length, so a shorter one is visibly malformed.
int base62Length(int bytes)
{
    return static_cast<int>((static_cast<qint64>(bytes) * 8 * 1000 + 5953) / 5954);
}

// The bytes read as one big-endian number, written in base 62 by long division.
QByteArray toBase62(QByteArray number)
{
    QByteArray digits;
    digits.reserve(base62Length(number.size()));

    while (!number.isEmpty()) {
        QByteArray quotient;
        quotient.reserve(number.size());
        int remainder = 0;
        for (const char byte : std::as_const(number)) {
            const int value = remainder * 256 + static_cast<unsigned char>(byte);
            const int digit = value / 62;
            remainder = value % 62;
            if (!quotient.isEmpty() || digit != 0)
                quotient.append(static_cast<char>(digit));
        }
        digits.append(Base62Alphabet[remainder]);
        number = quotient;
    }

    OPENSSL_cleanse(number.data(), number.size());
    std::reverse(digits.begin(), digits.end());
    return digits;
}

} // namespace

QByteArray randomBytes(int count)
{
    Q_ASSERT(count >= 0);
    if (count <= 0)
        return {};

    QByteArray bytes(count, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), count) != 1)
        qFatal("The OpenSSL random number generator failed; refusing to go on without it");
    return bytes;
}

QString randomToken(QStringView prefix, int bytes)
{
    QByteArray random = randomBytes(bytes);
    QByteArray digits = toBase62(random);
    OPENSSL_cleanse(random.data(), random.size());

    // Leading zero bytes shorten the number; pad back to the fixed length.
    const int length = base62Length(bytes);
    if (digits.size() < length)
        digits.prepend(QByteArray(length - digits.size(), Base62Alphabet[0]));

    return prefix.toString() + QString::fromLatin1(digits);
}

} // namespace quorum::crypto
