#pragma once

#include <QByteArrayView>

// Checks on JSON text that Qt's parser does not make.
namespace quorum::jsontext {

// Whether the text holds a \uD800-\uDBFF escape not followed by a \uDC00-\uDFFF one, or a
// low one alone. Qt 6.4's parser pairs a lone high surrogate with whatever character follows
// ("a\ud800b" reads as "a" + U+10062), silently changing the text, so such text is refused
// wherever clients send JSON.
bool hasLoneSurrogateEscape(QByteArrayView json);

} // namespace quorum::jsontext
