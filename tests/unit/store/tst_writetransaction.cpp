// Database::WriteTransaction on a real SQLite file: one writer at a time, and the writers' lock
// held for no longer than the transaction itself.

#include "store/Database.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <future>
#include <thread>

using namespace quorum;

class WriteTransactionTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        Database::Options options;
        options.sqlitePath = m_dir->filePath(QStringLiteral("quorum.db"));
        m_database = std::make_unique<Database>(options);
        QVERIFY(m_database->open().ok());
    }

    void cleanup()
    {
        m_database.reset();
        m_dir.reset();
    }

    void aCommittedTransactionLetsTheSameScopeWriteAgain()
    {
        // In a thread of its own, so that a lock still held shows as a timeout here instead
        // of hanging the test.
        std::promise<bool> promise;
        std::future<bool> wroteTwice = promise.get_future();
        std::thread([this, promise = std::move(promise)]() mutable {
            Database::WriteTransaction first(*m_database);
            if (!first.commit().ok()) {
                promise.set_value(false);
                return;
            }
            // `first` is still in scope, committed.
            Database::WriteTransaction second(*m_database);
            promise.set_value(second.isActive() && second.commit().ok());
        }).detach();
        QVERIFY(wroteTwice.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
        QVERIFY(wroteTwice.get());
    }

    void anUncommittedTransactionRollsBack()
    {
        {
            Database::WriteTransaction transaction(*m_database);
            QSqlQuery query(transaction.db());
            QVERIFY(query.exec(
                QStringLiteral("INSERT INTO server_settings (name, value) VALUES ('probe', 'x')")));
        }
        QSqlQuery check(m_database->connection());
        QVERIFY(check.exec(QStringLiteral("SELECT COUNT(*) FROM server_settings WHERE name = "
                                          "'probe'")));
        QVERIFY(check.next());
        QCOMPARE(check.value(0).toInt(), 0);
    }

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Database> m_database;
};

QTEST_GUILESS_MAIN(WriteTransactionTest)
#include "tst_writetransaction.moc"
