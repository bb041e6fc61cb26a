#include "TestDatabase.h"

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>

using namespace Qt::StringLiterals;

namespace quorum::testing {

namespace {

constexpr auto kEnvironmentVariable = "QUORUM_TEST_POSTGRES_FILE";

QAtomicInteger<int> g_counter;

// connection.env's key=value lines.
QHash<QString, QString> readConnectionFile(const QString &path, QString *error)
{
    QHash<QString, QString> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        *error = u"cannot read %1: %2"_s.arg(path, file.errorString());
        return values;
    }
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).trimmed();
        const qsizetype equals = line.indexOf(u'=');
        if (equals > 0)
            values.insert(line.left(equals), line.mid(equals + 1));
    }
    return values;
}

} // namespace

bool TestDatabase::isConfigured()
{
    return qEnvironmentVariableIsSet(kEnvironmentVariable);
}

TestDatabase::TestDatabase()
{
    const QString path = qEnvironmentVariable(kEnvironmentVariable);
    const QHash<QString, QString> values = readConnectionFile(path, &m_error);
    if (!m_error.isEmpty())
        return;
    m_server = QUrl(values.value(u"url"_s));
    m_password = values.value(u"password"_s);
    if (!m_server.isValid() || m_server.host().isEmpty() || m_server.port() <= 0) {
        m_error = u"%1 has no usable url= line"_s.arg(path);
        return;
    }

    // Unique across the tests that run at once (process id) and within one (counter); the
    // random part keeps a database that a crashed run left behind from being taken over.
    m_name = u"quorum_test_%1_%2_%3"_s.arg(QCoreApplication::applicationPid())
                 .arg(g_counter.fetchAndAddRelaxed(1))
                 .arg(QRandomGenerator::global()->generate(), 8, 16, QChar(u'0'));
    QString error;
    if (!administer(u"CREATE DATABASE %1"_s.arg(m_name), &error))
        m_error = u"cannot create the test database on %1: %2"_s.arg(m_server.toString(), error);
}

TestDatabase::~TestDatabase()
{
    if (!m_error.isEmpty())
        return;
    QString error;
    // FORCE: a server that was killed may leave a session behind for a moment.
    if (!administer(u"DROP DATABASE IF EXISTS %1 WITH (FORCE)"_s.arg(m_name), &error))
        qWarning("cannot drop the test database %s: %s", qPrintable(m_name), qPrintable(error));
}

QString TestDatabase::url() const
{
    QUrl url = m_server;
    url.setPath(u'/' + m_name);
    return url.toString();
}

QSqlDatabase TestDatabase::addConnection(const QString &connectionName, bool readOnly,
                                         const QString &database) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QPSQL"_s, connectionName);
    db.setHostName(m_server.host());
    db.setPort(m_server.port());
    db.setUserName(m_server.userName());
    db.setPassword(m_password);
    db.setDatabaseName(database.isEmpty() ? m_name : database);
    QString options = u"connect_timeout=10"_s;
    // A reader that writes by mistake fails, as it does on SQLite's read-only file.
    if (readOnly)
        options += u";options='-c default_transaction_read_only=on'"_s;
    db.setConnectOptions(options);
    return db;
}

bool TestDatabase::administer(const QString &statement, QString *error) const
{
    const QString connectionName = u"quorum-test-admin-%1"_s.arg(g_counter.fetchAndAddRelaxed(1));
    bool done = false;
    {
        QSqlDatabase db = addConnection(connectionName, false, u"postgres"_s);
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            done = query.exec(statement);
            if (!done)
                *error = query.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connectionName);
    return done;
}

} // namespace quorum::testing
