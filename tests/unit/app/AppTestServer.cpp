#include "AppTestServer.h"

#include "ApiClient.h"
#include "LiveScenario.h"
#include "PagedListModel.h"
#include "QuorumdProcess.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum::testing {

QStringList AppTestServer::usualFlags()
{
    return {u"--rate-limits"_s, u"off"_s};
}

AppTestServer::AppTestServer(const QStringList &flags, Kind kind)
{
    if (kind == Kind::Live)
        m_live = std::make_unique<LiveScenario>(flags);
    else
        m_server = std::make_unique<QuorumdProcess>(flags);
}

AppTestServer::~AppTestServer() = default;

bool AppTestServer::start()
{
    const bool started = m_live ? m_live->start() : m_server->start();
    if (!started)
        return false;

    // A live scenario made its admin token already; a plain server makes one now.
    m_client = clientOf(QUrl(server().baseUrl()), m_live ? m_live->bearer() : m_server->token());
    return true;
}

QuorumdProcess &AppTestServer::server()
{
    return m_live ? m_live->server() : *m_server;
}

QByteArray AppTestServer::standardError()
{
    return server().standardError();
}

std::unique_ptr<quorum::ApiClient> AppTestServer::clientWith(const QString &token)
{
    return clientOf(QUrl(server().baseUrl()), token);
}

std::unique_ptr<quorum::ApiClient> AppTestServer::clientOf(const QUrl &baseUrl,
                                                           const QString &token)
{
    auto client = std::make_unique<quorum::ApiClient>();
    client->setBaseUrl(baseUrl);
    client->setToken(token);
    return client;
}

QJsonObject AppTestServer::meetingInput(const QString &topic, int minutes)
{
    return {{u"topic"_s, topic},
            {u"start_time"_s, u"2030-05-04T09:00:00Z"_s},
            {u"duration_minutes"_s, minutes}};
}

void AppTestServer::watch(QAbstractItemModel &model)
{
    new QAbstractItemModelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest,
                                 &model);
}

void AppTestServer::attach(PagedListModel &model) const
{
    watch(model);
    model.setClient(m_client.get());
}

bool AppTestServer::refreshedUntil(PagedListModel &model, const std::function<bool()> &done)
{
    model.refresh();

    if (!QTest::qWaitFor([&model] { return !model.isBusy(); }, 5000))
        return false;
    return done();
}

bool AppTestServer::pagedToTheEnd(PagedListModel &model)
{
    if (model.canFetchMore({}))
        model.fetchMore({});
    return !model.hasMore();
}

} // namespace quorum::testing
