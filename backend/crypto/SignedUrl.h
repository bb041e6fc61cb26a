#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

namespace quorum::crypto {

// The signed, expiring links of recording files (DESIGN.md *Recordings*): anyone holding one may
// download the file until it expires, with no other credential. The query carries `expires`
// (Unix seconds) and `sig`, base64url without padding of
//     HMAC-SHA256(key, "v1:" + path + ":" + expires)
// where `path` is the URL path (/v1/recordings/{rec}/files/{fil}) and `key` is the master key's
// derived key for "recording-file-url" (SecretBox::deriveKey).
class SignedUrl final
{
public:
    explicit SignedUrl(QByteArray key)
        : m_key(std::move(key))
    { }

    enum class Check { Valid, Expired, BadSignature };

    // `base` + path + "?expires=...&sig=...".
    QString sign(const QString &base, const QString &path, const QDateTime &expiresAt) const;
    // The query of a request for `path`: `expires` and `sig` as they came.
    Check verify(const QString &path, const QString &expires, const QString &signature,
                 const QDateTime &now) const;

private:
    QByteArray mac(const QString &path, qint64 expiresUnix) const;

    QByteArray m_key;
};

} // namespace quorum::crypto
