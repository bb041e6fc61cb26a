#include "JsonText.h"

#include <QByteArray>

namespace quorum::jsontext {

// Escapes only occur inside strings, so a plain scan over the backslashes suffices.
bool hasLoneSurrogateEscape(QByteArrayView json)
{
    auto unitAt = [json](qsizetype at) -> int {
        if (at + 6 > json.size() || json[at] != '\\' || json[at + 1] != 'u')
            return -1;
        bool ok = false;
        const int unit = QByteArray(json.data() + at + 2, 4).toInt(&ok, 16);
        return ok ? unit : -1;
    };
    // Most bodies hold no escape at all: memchr finds each backslash.
    for (qsizetype i = json.indexOf('\\'); i >= 0 && i < json.size();
         i = json.indexOf('\\', i + 1)) {
        const int unit = unitAt(i);
        if (unit < 0) {
            ++i; // a two-character escape such as \\ or \"
            continue;
        }
        if (unit >= 0xDC00 && unit <= 0xDFFF)
            return true;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            const int next = unitAt(i + 6);
            if (next < 0xDC00 || next > 0xDFFF)
                return true;
            i += 11;
            continue;
        }
        i += 5;
    }
    return false;
}

} // namespace quorum::jsontext
