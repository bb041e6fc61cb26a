#include "WebhookSignatureCheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryFile>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum::testing::WebhookSignatureCheck {

QString verifierScript()
{
    const QString sourceDir = qEnvironmentVariable("QUORUM_SOURCE_DIR");
    if (!sourceDir.isEmpty())
        return sourceDir + u"/tests/integration/verify_webhook.py"_s;
    return QFINDTESTDATA("verify_webhook.py");
}

Verification verify(const QByteArray &body, const QByteArray &signatureHeader,
                    const QStringList &secrets)
{
    Verification result;
    QTemporaryFile bodyFile;
    if (!bodyFile.open())
        return result;
    bodyFile.write(body);
    bodyFile.flush();

    QProcess python;
    python.start(
        u"python3"_s,
        QStringList{verifierScript(), bodyFile.fileName(), QString::fromLatin1(signatureHeader)}
            + secrets);
    if (!python.waitForFinished(10000) || python.exitCode() != 0) {
        python.kill();
        python.waitForFinished(2000);
        qWarning() << "verify_webhook.py:" << python.readAllStandardError();
        return result;
    }

    const QJsonObject answer = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
    result.ran = true;
    result.t = answer.value(u"t"_s).toInteger();
    result.v1Count = answer.value(u"v1_count"_s).toInt();
    for (const QJsonValue &value : answer.value(u"verified"_s).toArray())
        result.verified << value.toBool();
    return result;
}

bool signatureVerifies(const QByteArray &body, const QByteArray &signatureHeader,
                       const QString &secret)
{
    const Verification check = verify(body, signatureHeader, {secret});
    return check.ran && check.verified == QList<bool>{true};
}

} // namespace quorum::testing::WebhookSignatureCheck
