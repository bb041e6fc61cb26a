#pragma once

#include <QString>

#include <optional>

// One validator per field, shared by create, PATCH and joinToken so that a value accepted in one
// place is never refused in another (case C08). Each returns nullopt when the value is fine, or a
// sentence for the client; the caller names the field (Error::validation("passcode", ...)).
namespace quorum::validation {

inline constexpr int kTopicMaxCodePoints = 200;
inline constexpr int kPasscodeMaxLength = 10;
inline constexpr int kDisplayNameMaxCodePoints = 64;
inline constexpr qint64 kDurationMaxMinutes = 1440;
inline constexpr qint64 kPageSizeMax = 300;

// Unicode code points, not UTF-16 units: an emoji counts once.
int codePointCount(const QString &text);

// 1 to 200 code points, no control or line-separator characters, not only white space.
std::optional<QString> checkTopic(const QString &topic);

// 1 to 10 characters of [A-Za-z0-9@_*-]; the message names the allowed set.
std::optional<QString> checkPasscode(const QString &passcode);

// 1 to 64 code points, no control or line-separator characters, not only white space.
std::optional<QString> checkDisplayName(const QString &name);

// 1 to 1440.
std::optional<QString> checkDurationMinutes(qint64 minutes);

// 1 to 300.
std::optional<QString> checkPageSize(qint64 size);

// An IANA zone name known to the tz database, or "UTC".
std::optional<QString> checkTimeZone(const QString &ianaName);

} // namespace quorum::validation
