// The harness itself, on whichever engine the run uses: every QuorumdProcess stores its data
// apart from the others and its database goes with it; a second node shares the first one's
// database and master key; openDatabase() looks at what the server wrote.

#include "ApiClient.h"
#include "QuorumdProcess.h"

#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QtTest>

#include <memory>

using namespace quorum::testing;
using namespace Qt::StringLiterals;

namespace {

// Runs one query on the server's database and returns its first column's values.
QStringList column(const QuorumdProcess &server, const QString &sql, const QVariantList &values)
{
    const QString connection = u"harness-check"_s;
    QStringList result;
    {
        QSqlDatabase db = server.openDatabase(connection);
        QSqlQuery query(db);
        query.prepare(sql);
        for (const QVariant &value : values)
            query.addBindValue(value);
        if (!query.exec())
            result << u"error: "_s + query.lastError().text() + db.lastError().text();
        while (query.next())
            result << query.value(0).toString();
    }
    QSqlDatabase::removeDatabase(connection);
    return result;
}

QString createMeeting(const QuorumdProcess &server, const QString &token, const QString &topic)
{
    ApiClient client(server.baseUrl(), token);
    const ApiReply created = client.post(u"/v1/meetings"_s,
                                         {{u"topic"_s, topic},
                                          {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
                                          {u"duration_minutes"_s, 30}});
    return created.status == 201 ? created.json().value(u"id").toString() : QString();
}

} // namespace

class tst_QuorumdProcess : public QObject
{
    Q_OBJECT

private:
    // Whether a database (a file on SQLite) exists, asked through a server that is running.
    bool databaseExists(const QuorumdProcess &observer, const QString &name) const
    {
        if (observer.databaseEngine() == u"sqlite")
            return QFile::exists(name);
        return column(observer, u"SELECT datname FROM pg_database WHERE datname = ?"_s, {name})
            == QStringList{name};
    }

    // The name of the server's database, or its file on SQLite.
    QString databaseName(const QuorumdProcess &server) const
    {
        if (server.databaseEngine() == u"sqlite")
            return server.dataDir() + u"/quorum.db"_s;
        return column(server, u"SELECT current_database()"_s, {}).value(0);
    }

private Q_SLOTS:
    void theEngineIsTheOneOfTheRun()
    {
        QuorumdProcess server;
        const QString expected = qEnvironmentVariableIsSet("QUORUM_TEST_POSTGRES_FILE")
            ? u"postgresql"_s
            : u"sqlite"_s;
        QCOMPARE(server.databaseEngine(), expected);
        QVERIFY2(server.start(), server.standardError().constData());

        ApiClient admin(server.baseUrl(), server.token());
        const ApiReply status = admin.get(u"/v1/admin/status"_s);
        QCOMPARE(status.status, 200);
        QCOMPARE(status.json()[u"database"_s][u"engine"_s].toString(), expected);
    }

    void eachServerHasADatabaseOfItsOwnThatGoesWithIt()
    {
        QuorumdProcess observer;
        QVERIFY2(observer.start(), observer.standardError().constData());
        auto server = std::make_unique<QuorumdProcess>();
        QVERIFY2(server->start(), server->standardError().constData());
        const QString name = databaseName(*server);
        QVERIFY(!name.isEmpty() && !name.startsWith(u"error"));
        QVERIFY(name != databaseName(observer));

        // What the server wrote is in its database, and not in the other one.
        const QString token = server->token();
        const QString id = createMeeting(*server, token, u"Mine"_s);
        QVERIFY(!id.isEmpty());
        const QString sql = u"SELECT topic FROM meetings WHERE id = ?"_s;
        QCOMPARE(column(*server, sql, {id}), QStringList{u"Mine"_s});
        QCOMPARE(column(observer, sql, {id}), QStringList());
        QVERIFY(databaseExists(observer, name));

        server.reset();

        QVERIFY(!databaseExists(observer, name));
    }

    void aReaderCannotWrite()
    {
        QuorumdProcess server;
        QVERIFY2(server.start(), server.standardError().constData());
        const QString connection = u"reader"_s;
        {
            QSqlDatabase db = server.openDatabase(connection);
            QVERIFY2(db.isOpen(), qPrintable(db.lastError().text()));
            QSqlQuery query(db);
            QVERIFY(!query.exec(u"DELETE FROM meetings"_s));
        }
        QSqlDatabase::removeDatabase(connection);
    }

    void aSecondNodeSharesTheDatabaseAndTheMasterKey()
    {
        QuorumdProcess observer;
        QVERIFY2(observer.start(), observer.standardError().constData());
        QuorumdProcess first({u"--node-name"_s, u"node-a"_s});
        QVERIFY2(first.start(), first.standardError().constData());
        const QString name = databaseName(first);
        const QString id = createMeeting(first, first.token(), u"Shared"_s);
        QVERIFY(!id.isEmpty());

        {
            QuorumdProcess second(first, u"node-b"_s);
            QCOMPARE(second.databaseEngine(), first.databaseEngine());
            QCOMPARE(second.masterKeyFile(), first.masterKeyFile());
            QVERIFY(second.dataDir() != first.dataDir());
            QVERIFY2(second.start(), second.standardError().constData());
            QVERIFY(second.port() != first.port());

            // A token made through the second node works on the first and the other way round:
            // one database.
            const QString secondToken = second.token();
            ApiClient throughSecond(second.baseUrl(), secondToken);
            const ApiReply read = throughSecond.get(u"/v1/meetings/"_s + id);
            QCOMPARE(read.status, 200);
            QCOMPARE(read.json().value(u"topic"_s).toString(), u"Shared"_s);
            ApiClient throughFirst(first.baseUrl(), secondToken);
            QCOMPARE(throughFirst.get(u"/v1/meetings/"_s + id).status, 200);
        }

        // The second node's end leaves the first one's database alone.
        QVERIFY(databaseExists(observer, name));
        ApiClient stillThere(first.baseUrl(), first.token());
        QCOMPARE(stillThere.get(u"/v1/meetings/"_s + id).status, 200);
    }
};

QTEST_MAIN(tst_QuorumdProcess)
#include "tst_quorumd_process.moc"
