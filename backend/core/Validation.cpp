#include "Validation.h"

#include "TimeRules.h"

#include <algorithm>

namespace quorum::validation {

namespace {

bool isPasscodeCharacter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'0' && u <= u'9') || (u >= u'A' && u <= u'Z') || (u >= u'a' && u <= u'z')
        || u == u'@' || u == u'_' || u == u'*' || u == u'-';
}

// Control characters, and the separators that break a line, would let a name forge lines in a
// participant list or a log.
bool isForbiddenInName(uint codePoint)
{
    switch (QChar::category(codePoint)) {
    case QChar::Other_Control:
    case QChar::Other_Surrogate:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return true;
    default:
        return false;
    }
}

} // namespace

int codePointCount(const QString &text)
{
    return static_cast<int>(text.toUcs4().size());
}

std::optional<QString> checkTopic(const QString &topic)
{
    const QList<uint> codePoints = topic.toUcs4();
    if (codePoints.isEmpty())
        return QStringLiteral("topic must not be empty");

    if (codePoints.size() > kTopicMaxCodePoints) {
        return QStringLiteral("topic must be at most %1 characters; it has %2")
            .arg(kTopicMaxCodePoints)
            .arg(codePoints.size());
    }

    // A topic is shown in lists, invitations and webhook payloads: one line of text.
    if (std::any_of(codePoints.cbegin(), codePoints.cend(), isForbiddenInName))
        return QStringLiteral("topic must not contain control or line break characters");

    // Blank, it would show as an empty line wherever meetings are listed.
    if (std::all_of(codePoints.cbegin(), codePoints.cend(),
                    [](uint c) { return QChar::isSpace(c); })) {
        return QStringLiteral("topic must contain more than white space");
    }
    return std::nullopt;
}

std::optional<QString> checkPasscode(const QString &passcode)
{
    // Every refusal repeats the whole rule, so the client learns it from any one of them. The
    // passcode itself is never echoed: messages may end up in logs.
    const QString rule = QStringLiteral("passcode must be 1 to %1 characters from "
                                        "A-Z a-z 0-9 @ _ * -")
                             .arg(kPasscodeMaxLength);

    if (!std::all_of(passcode.begin(), passcode.end(), isPasscodeCharacter))
        return rule + QStringLiteral("; it contains other characters");

    if (passcode.isEmpty())
        return rule + QStringLiteral("; it is empty (send null to remove the passcode)");

    if (passcode.size() > kPasscodeMaxLength)
        return rule + QStringLiteral("; it has %1").arg(passcode.size());
    return std::nullopt;
}

std::optional<QString> checkDisplayName(const QString &name)
{
    const QList<uint> codePoints = name.toUcs4();
    if (codePoints.isEmpty())
        return QStringLiteral("display_name must not be empty");

    if (codePoints.size() > kDisplayNameMaxCodePoints) {
        return QStringLiteral("display_name must be at most %1 characters; it has %2")
            .arg(kDisplayNameMaxCodePoints)
            .arg(codePoints.size());
    }

    if (std::any_of(codePoints.cbegin(), codePoints.cend(), isForbiddenInName))
        return QStringLiteral("display_name must not contain control or line break characters");

    if (std::all_of(codePoints.cbegin(), codePoints.cend(),
                    [](uint c) { return QChar::isSpace(c); })) {
        return QStringLiteral("display_name must contain more than white space");
    }
    return std::nullopt;
}

std::optional<QString> checkDurationMinutes(qint64 minutes)
{
    if (minutes < 1 || minutes > kDurationMaxMinutes) {
        return QStringLiteral("duration_minutes must be from 1 to %1 (24 hours)")
            .arg(kDurationMaxMinutes);
    }
    return std::nullopt;
}

std::optional<QString> checkPageSize(qint64 size)
{
    if (size < 1 || size > kPageSizeMax)
        return QStringLiteral("page_size must be from 1 to %1").arg(kPageSizeMax);
    return std::nullopt;
}

std::optional<QString> checkTimeZone(const QString &ianaName)
{
    if (!timerules::isKnownTimeZone(ianaName)) {
        return QStringLiteral("timezone must be an IANA time zone name such as "
                              "\"Europe/Berlin\" or \"UTC\"");
    }
    return std::nullopt;
}

} // namespace quorum::validation
