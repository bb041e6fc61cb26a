// SecretStore: secrets survive a round trip whether the keychain works or not; without one
// (this machine class has no Secret Service) they go to a 0600 file and a warning says so.

#include "SecretStore.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_SecretStore : public QObject
{
    Q_OBJECT

private:
    QString readBack(SecretStore &store, const QString &key)
    {
        QString value;
        bool done = false;
        store.read(key, this, [&](const QString &read) {
            value = read;
            done = true;
        });
        if (!QTest::qWaitFor([&] { return done; }, 30000))
            return u"<no answer>"_s;
        return value;
    }

    bool writeAndWait(SecretStore &store, const QString &key, const QString &value)
    {
        bool done = false;
        bool ok = false;
        store.write(key, value, this, [&](bool written) {
            ok = written;
            done = true;
        });
        return QTest::qWaitFor([&] { return done; }, 30000) && ok;
    }

private Q_SLOTS:
    void theFallbackFileKeepsSecretsPrivate()
    {
        QTemporaryDir dir;
        SecretStore store(dir.filePath(u"app"_s));
        QSignalSpy warned(&store, &SecretStore::warningChanged);
        store.useFallbackOnly();
        QCOMPARE(warned.size(), 1);
        QVERIFY(store.usingFallback());
        QVERIFY(!store.warning().isEmpty());

        QVERIFY(writeAndWait(store, u"access"_s, u"qpat_secret"_s));

        QCOMPARE(readBack(store, u"access"_s), u"qpat_secret"_s);
        QCOMPARE(readBack(store, u"missing"_s), QString());
        const QFile::Permissions permissions = QFile::permissions(store.fallbackFile());
        QCOMPARE(permissions
                     & ~(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser),
                 QFile::Permissions());

        bool removed = false;
        store.remove(u"access"_s, this, [&] { removed = true; });
        QTRY_VERIFY(removed);
        QCOMPARE(readBack(store, u"access"_s), QString());
    }

    void aRoundTripWorksWithOrWithoutAKeychain()
    {
        QTemporaryDir dir;
        SecretStore store(dir.filePath(u"app"_s));
        const QString key = u"test-%1"_s.arg(QCoreApplication::applicationPid());

        QVERIFY(writeAndWait(store, key, u"value"_s));

        QCOMPARE(readBack(store, key), u"value"_s);
        // Where the keychain failed, the file took the secret and the warning says where.
        QCOMPARE(store.usingFallback(), QFile::exists(store.fallbackFile()));
        if (store.usingFallback())
            QVERIFY(store.warning().contains(store.fallbackFile()));
        bool removed = false;
        store.remove(key, this, [&] { removed = true; });
        QTRY_VERIFY_WITH_TIMEOUT(removed, 30000);
    }
};

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secret_store.moc"
