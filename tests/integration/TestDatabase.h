#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QUrl>

namespace quorum::testing {

// A database of its own on the test run's PostgreSQL server (the one tests/support/
// test-postgres.sh started; QUORUM_TEST_POSTGRES_FILE names its connection.env). Created empty
// on construction, dropped with whatever is still connected to it on destruction.
class TestDatabase final
{
public:
    // Whether this run is a PostgreSQL one (QUORUM_TEST_POSTGRES_FILE is set).
    static bool isConfigured();

    TestDatabase();
    ~TestDatabase();
    Q_DISABLE_COPY_MOVE(TestDatabase)

    // Empty when the database exists; else why it does not.
    QString errorString() const { return m_error; }
    QString name() const { return m_name; }
    // postgresql://USER@HOST:PORT/NAME, as quorumd's --database takes it (no password).
    QString url() const;
    QString password() const { return m_password; }

    // A QPSQL connection to this database (or, with `database`, to another on the server),
    // registered under connectionName, set up but not opened.
    QSqlDatabase addConnection(const QString &connectionName, bool readOnly,
                               const QString &database = {}) const;

private:
    // Runs one statement on the server's maintenance database.
    bool administer(const QString &statement, QString *error) const;

    QUrl m_server;
    QString m_password;
    QString m_name;
    QString m_error;
};

} // namespace quorum::testing
