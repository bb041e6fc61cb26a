#pragma once

#include <QJsonObject>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <memory>

class QAbstractItemModel;

namespace quorum {
class ApiClient;
class PagedListModel;
} // namespace quorum

namespace quorum::testing {

class LiveScenario;
class QuorumdProcess;

// What the app's tests start from: a quorumd of their own (plain, or a LiveScenario's with its
// members and sockets) and an app ApiClient signed in to it as the admin, with the steps the
// tests take with their models: hand one the client under a model tester, wait for it to show
// what the server did, read it to the last page.
class AppTestServer final
{
public:
    enum class Kind { Plain, Live };

    // No rate limits: the tests make many calls in a row.
    static QStringList usualFlags();

    explicit AppTestServer(const QStringList &flags = usualFlags(), Kind kind = Kind::Plain);
    ~AppTestServer();

    // Starts quorumd and signs the client in; whether it went (standardError() tells why not).
    bool start();
    QuorumdProcess &server();
    // The LiveScenario of a Kind::Live fixture.
    LiveScenario &live() { return *m_live; }
    QByteArray standardError();
    quorum::ApiClient *client() const { return m_client.get(); }
    // Another client of this server, with `token` as its bearer.
    std::unique_ptr<quorum::ApiClient> clientWith(const QString &token);

    // A client of the server at `baseUrl`, with `token` as its bearer .
    static std::unique_ptr<quorum::ApiClient> clientOf(const QUrl &baseUrl, const QString &token);
    // A meeting the API accepts: `topic`, one start time far ahead, `minutes` long.
    static QJsonObject meetingInput(const QString &topic, int minutes = 30);

    // A QAbstractItemModelTester, a child of `model`, checks every change the model makes.
    static void watch(QAbstractItemModel &model);
    // `model` watched, on the admin's client.
    void attach(PagedListModel &model) const;
    // Refreshes `model`, waits up to 5 s for the answer, and then asks `done`. Made for the
    // QTRY_ macros, which repeat it until what the server does in its own time shows.
    static bool refreshedUntil(PagedListModel &model, const std::function<bool()> &done);
    // Asks for the next page when the model may; whether the cursor has run out. Made for
    // QTRY_VERIFY, which repeats it (the view, here the tester, may ask for pages too).
    static bool pagedToTheEnd(PagedListModel &model);

private:
    std::unique_ptr<QuorumdProcess> m_server;
    std::unique_ptr<LiveScenario> m_live;
    std::unique_ptr<quorum::ApiClient> m_client;
};

} // namespace quorum::testing
