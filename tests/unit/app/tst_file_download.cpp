// FileDownload against a real quorumd: a file is saved whole, byte for byte; a refused link,
// an unwritable path and a cancel each end with words for the host and leave no file behind.

#include "FileDownload.h"
#include "QuorumdProcess.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace quorum::testing;
using namespace Qt::StringLiterals;

class tst_FileDownload : public QObject
{
    Q_OBJECT

private:
    // The body of a GET, read independently of the class under test.
    QByteArray fetched(const QUrl &url)
    {
        QNetworkAccessManager network;
        QNetworkReply *reply = network.get(QNetworkRequest(url));
        if (!QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000))
            return {};
        reply->deleteLater();
        return reply->readAll();
    }

    // Runs the download to its end; whether it succeeded.
    static bool runToTheEnd(FileDownload &download, const QUrl &url, const QVariant &target)
    {
        QSignalSpy finished(&download, &FileDownload::finished);
        download.start(url, target);
        if (finished.isEmpty() && !finished.wait(15000))
            return false;
        return finished.first().first().toBool();
    }

    std::unique_ptr<QuorumdProcess> m_server;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_server = std::make_unique<QuorumdProcess>();
        QVERIFY2(m_server->start(), m_server->standardError().constData());
    }

    void cleanupTestCase() { m_server.reset(); }

    void savesTheFileWholeToAFileUrl()
    {
        const QUrl url(m_server->baseUrl() + u"/v1/openapi.yaml"_s);
        const QString target = m_dir.filePath(u"openapi.yaml"_s);
        FileDownload download;
        QSignalSpy progress(&download, &FileDownload::progressChanged);

        QVERIFY2(runToTheEnd(download, url, QUrl::fromLocalFile(target)),
                 qPrintable(download.error()));

        QVERIFY(!download.isBusy());
        QCOMPARE(download.progress(), 1.0);
        QVERIFY(!progress.isEmpty());
        QCOMPARE(download.savedFile(), target);
        QFile saved(target);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const QByteArray expected = fetched(url);
        QVERIFY(expected.size() > 1000);
        QCOMPARE(saved.readAll(), expected);
    }

    void aMissingFileSaysSoAndLeavesNothing()
    {
        const QString target = m_dir.filePath(u"missing.mp4"_s);
        FileDownload download;

        QVERIFY(!runToTheEnd(download, QUrl(m_server->baseUrl() + u"/v1/no-such-file"_s), target));

        QCOMPARE(download.error(), u"This file no longer exists."_s);
        QVERIFY(download.savedFile().isEmpty());
        QVERIFY(!QFile::exists(target));
    }

    void anUnwritablePlaceIsNamed()
    {
        const QString target = m_dir.filePath(u"no-such-dir/file.yaml"_s);
        FileDownload download;

        QVERIFY(!runToTheEnd(download, QUrl(m_server->baseUrl() + u"/v1/openapi.yaml"_s), target));

        QVERIFY2(download.error().contains(target), qPrintable(download.error()));
        QVERIFY(!download.isBusy());
    }

    void aCancelLeavesNoFile()
    {
        const QString target = m_dir.filePath(u"cancelled.yaml"_s);
        FileDownload download;
        QSignalSpy finished(&download, &FileDownload::finished);
        download.start(QUrl(m_server->baseUrl() + u"/v1/openapi.yaml"_s), target);
        QVERIFY(download.isBusy());

        download.cancel();

        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.first().first().toBool(), false);
        QVERIFY(!download.isBusy());
        QTest::qWait(200);
        QVERIFY(!QFile::exists(target));
        QCOMPARE(finished.size(), 1);
    }
};

QTEST_GUILESS_MAIN(tst_FileDownload)
#include "tst_file_download.moc"
