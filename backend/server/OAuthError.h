#pragma once

#include <QString>

#include <utility>
#include <variant>

namespace quorum {

// An OAuth 2 error as RFC 6749 spells it (section 5.2 for the token endpoint, 4.1.2.1 for the
// authorization endpoint): a registered code, a sentence for the developer, and the status the
// token endpoint answers with (400, or 401 for invalid_client).
struct OAuthError
{
    QString error; // "invalid_request", "invalid_grant", ...
    QString description;
    int status = 400;
};

// A value or the OAuthError that prevented it. The OAuth endpoints answer in RFC 6749's shape
// rather than problem+json, so their errors do not travel as our ErrorCodes.
template<typename T>
class [[nodiscard]] OAuthResult
{
public:
    OAuthResult(T value)
        : m_data(std::move(value))
    { }
    OAuthResult(OAuthError error)
        : m_data(std::move(error))
    { }

    explicit operator bool() const { return std::holds_alternative<T>(m_data); }
    T &operator*() { return std::get<T>(m_data); }
    const T &operator*() const { return std::get<T>(m_data); }
    T *operator->() { return &std::get<T>(m_data); }
    const T *operator->() const { return &std::get<T>(m_data); }
    const OAuthError &error() const { return std::get<OAuthError>(m_data); }

private:
    std::variant<T, OAuthError> m_data;
};

} // namespace quorum
