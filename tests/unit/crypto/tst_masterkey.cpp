#include "crypto/MasterKey.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace quorum;
using namespace quorum::crypto;

namespace {

// The mode bits of a file, as stat reports them.
int modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 07777);
}

bool writeFile(const QString &path, const QByteArray &contents, int mode)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) != contents.size())
        return false;
    file.close();
    return ::chmod(QFile::encodeName(path).constData(), mode_t(mode)) == 0;
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Sets the process umask for one scope.
class UmaskScope
{
public:
    explicit UmaskScope(mode_t mask)
        : m_previous(::umask(mask))
    { }
    ~UmaskScope() { ::umask(m_previous); }

private:
    mode_t m_previous;
};

const QByteArray HexKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

} // namespace

class tst_MasterKey : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createMakesAnOwnerOnlyFile();
    void createDoesNotOverwrite();
    void loadOrCreateCreatesOnceThenLoads();
    void loadOrCreateDoesNotReplaceARefusedFile();
    void loadAccepts_data();
    void loadAccepts();
    void loadRefusesModes_data();
    void loadRefusesModes();
    void loadRefusesContents_data();
    void loadRefusesContents();
    void loadRefusesWhatIsNotAFile();
};

void tst_MasterKey::createMakesAnOwnerOnlyFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("master.key");
    // With no umask at all, only the mode given at creation keeps others out.
    const UmaskScope noMask(0);

    const Status created = masterkey::create(path);

    QVERIFY2(created.ok(), created.ok() ? "" : qPrintable(created.error().detail));
    QCOMPARE(modeOf(path), 0600);
    QCOMPARE(QFile(path).size(), 32);
    const Result<QByteArray> loaded = masterkey::load(path);
    QVERIFY(loaded.ok());
    QCOMPARE(*loaded, readFile(path));
}

void tst_MasterKey::createDoesNotOverwrite()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");
    QVERIFY(masterkey::create(path).ok());
    const QByteArray before = readFile(path);

    const Status again = masterkey::create(path);

    QVERIFY(!again.ok());
    QVERIFY2(again.error().detail.contains(path), qPrintable(again.error().detail));
    QCOMPARE(readFile(path), before);
}

void tst_MasterKey::loadOrCreateCreatesOnceThenLoads()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");

    const Result<QByteArray> first = masterkey::loadOrCreate(path);
    const Result<QByteArray> second = masterkey::loadOrCreate(path);

    QVERIFY(first.ok());
    QVERIFY(second.ok());
    QCOMPARE(first->size(), 32);
    QCOMPARE(*second, *first);
    QCOMPARE(modeOf(path), 0600);
}

void tst_MasterKey::loadOrCreateDoesNotReplaceARefusedFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");
    QVERIFY(writeFile(path, HexKey, 0644));

    const Result<QByteArray> loaded = masterkey::loadOrCreate(path);

    QVERIFY(!loaded.ok());
    QCOMPARE(readFile(path), HexKey);
    QCOMPARE(modeOf(path), 0644);
}

void tst_MasterKey::loadAccepts_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<int>("mode");

    const QByteArray raw = QByteArray::fromHex(HexKey);
    QTest::newRow("32 raw bytes") << raw << 0600;
    QTest::newRow("32 raw bytes, read-only for the owner") << raw << 0400;
    QTest::newRow("64 lowercase hex characters") << HexKey << 0600;
    QTest::newRow("64 uppercase hex characters") << HexKey.toUpper() << 0600;
    QTest::newRow("hex with the line break a shell adds") << HexKey + '\n' << 0600;
    QTest::newRow("hex with a Windows line break") << HexKey + "\r\n" << 0600;
}

void tst_MasterKey::loadAccepts()
{
    QFETCH(QByteArray, contents);
    QFETCH(int, mode);
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");
    QVERIFY(writeFile(path, contents, mode));

    const Result<QByteArray> loaded = masterkey::load(path);

    QVERIFY2(loaded.ok(), loaded.ok() ? "" : qPrintable(loaded.error().detail));
    QCOMPARE(*loaded, QByteArray::fromHex(HexKey));
}

void tst_MasterKey::loadRefusesModes_data()
{
    QTest::addColumn<int>("mode");

    QTest::newRow("readable by everyone (0644)") << 0644;
    QTest::newRow("readable by the group (0640)") << 0640;
    QTest::newRow("readable by others (0604)") << 0604;
    QTest::newRow("writable by the group (0620)") << 0620;
    QTest::newRow("open to all (0666)") << 0666;
}

void tst_MasterKey::loadRefusesModes()
{
    QFETCH(int, mode);
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");
    QVERIFY(writeFile(path, HexKey, mode));

    const Result<QByteArray> loaded = masterkey::load(path);

    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().detail.contains(path), qPrintable(loaded.error().detail));
    QVERIFY2(loaded.error().detail.contains("chmod 600"), qPrintable(loaded.error().detail));
}

void tst_MasterKey::loadRefusesContents_data()
{
    QTest::addColumn<QByteArray>("contents");

    QTest::newRow("an empty file") << QByteArray();
    QTest::newRow("31 raw bytes") << QByteArray(31, 'k');
    QTest::newRow("33 raw bytes") << QByteArray(33, 'k');
    QTest::newRow("63 hex characters") << HexKey.chopped(1);
    QTest::newRow("65 hex characters") << HexKey + 'a';
    QTest::newRow("64 characters that are not all hex") << HexKey.chopped(1) + 'g';
    QTest::newRow("hex with two line breaks") << HexKey + "\n\n";
    QTest::newRow("a much larger file") << QByteArray(4096, 'a');
}

void tst_MasterKey::loadRefusesContents()
{
    QFETCH(QByteArray, contents);
    QTemporaryDir dir;
    const QString path = dir.filePath("master.key");
    QVERIFY(writeFile(path, contents, 0600));

    const Result<QByteArray> loaded = masterkey::load(path);
    const Result<QByteArray> loadedOrCreated = masterkey::loadOrCreate(path);

    QVERIFY(!loaded.ok());
    QVERIFY2(loaded.error().detail.contains("32 raw bytes"), qPrintable(loaded.error().detail));
    QVERIFY(!loadedOrCreated.ok());
    QCOMPARE(readFile(path), contents);
}

void tst_MasterKey::loadRefusesWhatIsNotAFile()
{
    QTemporaryDir dir;

    QVERIFY(!masterkey::load(dir.filePath("missing.key")).ok());
    QVERIFY(!QFile::exists(dir.filePath("missing.key")));
    QVERIFY(!masterkey::load(dir.path()).ok());
    QVERIFY(!masterkey::loadOrCreate(dir.filePath("no/such/dir/master.key")).ok());
}

QTEST_GUILESS_MAIN(tst_MasterKey)
#include "tst_masterkey.moc"
