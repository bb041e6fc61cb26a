#include "JanusNode.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

using namespace Qt::StringLiterals;

namespace quorum::media {

namespace {

Result<QString> readSecret(const QString &path, const QString &where)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::InvalidRequest,
                     u"%1: cannot read %2: %3"_s.arg(where, path, file.errorString())};
    // Like the master key: a secret others can read is refused rather than trusted.
    if (file.permissions()
        & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
           | QFileDevice::WriteOther))
        return Error{ErrorCode::InvalidRequest,
                     u"%1: %2 is readable by others (chmod 600 it)"_s.arg(where, path)};
    const QString secret = QString::fromUtf8(file.readAll()).trimmed();
    if (secret.isEmpty())
        return Error{ErrorCode::InvalidRequest, u"%1: %2 is empty"_s.arg(where, path)};
    return secret;
}

} // namespace

Result<QList<JanusNode>> readJanusNodes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{ErrorCode::InvalidRequest,
                     u"--janus-nodes: cannot read %1: %2"_s.arg(path, file.errorString())};
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray()
        || document.array().isEmpty())
        return Error{ErrorCode::InvalidRequest,
                     u"--janus-nodes: %1 must hold a non-empty JSON array of nodes"_s.arg(path)};

    QList<JanusNode> nodes;
    const QString base = QFileInfo(path).absolutePath();
    const QJsonArray entries = document.array();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        const QString where = u"--janus-nodes entry %1"_s.arg(i);
        static const QStringList known{u"name"_s, u"region"_s, u"url"_s, u"api_secret_file"_s,
                                       u"admin_key_file"_s};
        for (const QString &key : entry.keys())
            if (!known.contains(key))
                return Error{
                    ErrorCode::InvalidRequest,
                    where + u": unknown field `%1` (known: %2)"_s.arg(key, known.join(u", "_s))};
        JanusNode node;
        node.name = entry.value(u"name"_s).toString();
        node.region = entry.value(u"region"_s).toString();
        node.url = QUrl(entry.value(u"url"_s).toString());
        if (node.name.isEmpty())
            return Error{ErrorCode::InvalidRequest, where + u": `name` is required"_s};
        if (node.region.isEmpty())
            return Error{ErrorCode::InvalidRequest, where + u": `region` is required"_s};
        if (!node.url.isValid() || (node.url.scheme() != u"ws" && node.url.scheme() != u"wss")
            || node.url.host().isEmpty())
            return Error{ErrorCode::InvalidRequest,
                         where + u": `url` must be ws://HOST:PORT or wss://HOST:PORT"_s};
        for (const JanusNode &earlier : std::as_const(nodes))
            if (earlier.name == node.name)
                return Error{ErrorCode::InvalidRequest,
                             where + u": the name %1 is taken"_s.arg(node.name)};

        for (const auto &[field, target] : {std::pair{u"api_secret_file"_s, &node.apiSecret},
                                            std::pair{u"admin_key_file"_s, &node.adminKey}}) {
            const QString secretPath = entry.value(field).toString();
            if (secretPath.isEmpty())
                continue;
            auto secret = readSecret(QDir(base).filePath(secretPath), where + u": "_s + field);
            if (!secret)
                return secret.error();
            *target = *secret;
        }
        nodes.append(node);
    }
    return nodes;
}

QString newJanusSecret()
{
    quint32 words[6];
    QRandomGenerator::system()->fillRange(words);
    QString secret;
    for (quint32 word : words)
        secret += QString::number(word, 16).rightJustified(8, u'0');
    return secret;
}

} // namespace quorum::media
