#pragma once

#include <QByteArray>
#include <QString>
#include <QStringView>

// Public identifiers: 128 random bits written in base62 after a type prefix ("mtg_", "rec_", ...).
// They are unguessable, so holding an id is a capability and ids cannot be enumerated.
namespace quorum::ids {

// Digits of a 128-bit value in base62: 62^22 > 2^128, so every id has the same length.
inline constexpr int kRandomWidth = 22;

// A fresh id: generate(u"mtg") gives "mtg_" followed by 22 base62 characters.
QString generate(QStringView prefix);

// True when id is prefix + "_" + exactly 22 characters of [0-9A-Za-z].
bool isWellFormed(QStringView id, QStringView prefix);

// The big-endian unsigned number in bytes, in base62 ([0-9A-Za-z]), left-padded with '0' to
// width. A number that needs more digits than width keeps all of them.
QString base62(const QByteArray &bytes, int width);

} // namespace quorum::ids
