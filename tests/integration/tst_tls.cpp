// quorumd serving HTTPS directly with --tls-cert and --tls-key.

#include "QuorumdProcess.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace quorum::testing;

class tst_Tls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_pki;

    QNetworkReply *sendAndWait(QNetworkAccessManager &network, const QNetworkRequest &request,
                               const QByteArray &method, const QByteArray &body = {})
    {
        QNetworkReply *reply = network.sendCustomRequest(request, method, body);
        QObject::connect(reply, &QNetworkReply::sslErrors, reply,
                         [reply](const QList<QSslError> &) { reply->ignoreSslErrors(); });
        QEventLoop loop;
        QTimer::singleShot(10000, &loop, &QEventLoop::quit);
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        return reply;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_pki.isValid());
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                       QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                       QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                       QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                       QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-keyout"),
                       m_pki.filePath(QStringLiteral("key.pem")), QStringLiteral("-out"),
                       m_pki.filePath(QStringLiteral("cert.pem"))});
        QVERIFY(openssl.waitForFinished(30000));
        QCOMPARE(openssl.exitCode(), 0);
    }

    void servesHttpsAndAdvertisesSecureSignalling()
    {
        QuorumdProcess server(
            {QStringLiteral("--tls-cert"), m_pki.filePath(QStringLiteral("cert.pem")),
             QStringLiteral("--tls-key"), m_pki.filePath(QStringLiteral("key.pem"))});
        QVERIFY2(server.start(), server.standardError().constData());
        QVERIFY(server.standardOutput().contains("https://127.0.0.1:"));
        const QString token = server.token();
        const QString base = QStringLiteral("https://127.0.0.1:%1").arg(server.port());

        QNetworkAccessManager network;
        QNetworkRequest create(QUrl(base + QStringLiteral("/v1/meetings")));
        create.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        create.setRawHeader("Content-Type", "application/json");
        QNetworkReply *created = sendAndWait(
            network, create, "POST",
            R"({"topic":"Over TLS","start_time":"2030-01-01T10:00:00Z","duration_minutes":15})");
        QCOMPARE(created->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
        const QJsonObject meeting = QJsonDocument::fromJson(created->readAll()).object();
        QVERIFY(meeting.value(QStringLiteral("join_url")).toString().startsWith(base));

        QNetworkRequest join(QUrl(base + QStringLiteral("/v1/meetings/")
                                  + meeting.value(QStringLiteral("id")).toString()
                                  + QStringLiteral("/joinToken")));
        join.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        QNetworkReply *joined = sendAndWait(network, join, "POST");
        QCOMPARE(joined->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QString sfuUrl = QJsonDocument::fromJson(joined->readAll())
                                   .object()
                                   .value(QStringLiteral("sfu_url"))
                                   .toString();
        QCOMPARE(sfuUrl, QStringLiteral("wss://127.0.0.1:%1/v1/signal").arg(server.port()));
    }

    void refusesAMissingKeyFile()
    {
        QuorumdProcess server(
            {QStringLiteral("--tls-cert"), m_pki.filePath(QStringLiteral("cert.pem")),
             QStringLiteral("--tls-key"), m_pki.filePath(QStringLiteral("nope.pem"))});
        QVERIFY(!server.start(5000));
    }
};

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
