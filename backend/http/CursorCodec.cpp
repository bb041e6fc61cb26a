#include "CursorCodec.h"

#include "crypto/Hashing.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace quorum {

namespace {

constexpr int kMacBytes = 16;

QByteArray mac(const QByteArray &key, const QString &scope, const QByteArray &payload)
{
    return crypto::hmacSha256(key, scope.toUtf8() + '\n' + payload).left(kMacBytes);
}

Error invalidCursor()
{
    return {ErrorCode::InvalidCursor,
            QStringLiteral("The cursor was not issued for this list; start again without one."),
            {{QStringLiteral("cursor"), QStringLiteral("not a cursor of this list")}}};
}

} // namespace

QString CursorCodec::encode(const QString &listScope, const KeysetPosition &position) const
{
    const QByteArray payload
        = QJsonDocument(QJsonArray{QString::number(position.sortKey), position.id})
              .toJson(QJsonDocument::Compact);
    return QString::fromLatin1(crypto::base64UrlEncode(mac(m_key, listScope, payload) + payload));
}

Result<KeysetPosition> CursorCodec::decode(const QString &listScope, const QString &cursor) const
{
    if (cursor.size() > 512)
        return invalidCursor();
    const auto raw = crypto::base64UrlDecode(cursor.toLatin1());
    if (!raw || raw->size() <= kMacBytes)
        return invalidCursor();

    const QByteArray payload = raw->mid(kMacBytes);
    if (!crypto::constantTimeEquals(raw->left(kMacBytes), mac(m_key, listScope, payload)))
        return invalidCursor();

    const QJsonArray values = QJsonDocument::fromJson(payload).array();
    bool ok = false;
    const qint64 sortKey = values.at(0).toString().toLongLong(&ok);
    if (values.size() != 2 || !ok)
        return invalidCursor();
    return KeysetPosition{sortKey, values.at(1).toString()};
}

} // namespace quorum
