#include "QmlTestHarness.h"

#include "LiveScenario.h"
// quorum::ApiClient, the app's; tests/integration has an ApiClient.h of its own.
#include "PagedListModel.h"
#include "RecordingChecks.h"
#include "RemoteSignIn.h"
#include "SecretStore.h"
#include "SignalClient.h"
#include "WebhookReceiver.h"

#include <QAccessible>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QQmlEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace quorum::testing {

namespace {

// The test-capture plane records two seconds of ffmpeg's test pattern, and processing retries
// at once, so that recordings complete within seconds. Webhooks may target the receivers on
// loopback; a failing delivery is retried twice a second apart (three attempts in about two
// seconds), and a subscription counts as degraded after 2 s of failures and is disabled by the
// server after 5 s, so that the page's states show within a test.
const QStringList kServerFlags{u"--media"_s,
                               u"test-capture"_s,
                               u"--rate-limits"_s,
                               u"off"_s,
                               u"--recording-retry-delay"_s,
                               u"0"_s,
                               u"--recording-min-free"_s,
                               u"0"_s,
                               u"--webhooks-allow-private-networks"_s,
                               u"--webhook-retry-schedule"_s,
                               u"1s,1s"_s,
                               u"--webhook-degraded-after"_s,
                               u"2"_s,
                               u"--webhook-disabled-after"_s,
                               u"5"_s};

// What a screen reader announces as a control, by class (and subclasses).
const char *const kControlClasses[] = {"QQuickAbstractButton", "QQuickTextField", "QQuickTextArea",
                                       "QQuickComboBox",       "QQuickSpinBox",   "QQuickSlider"};

QTemporaryDir &scratch()
{
    static QTemporaryDir dir;
    return dir;
}

} // namespace

QmlTestHarness::QmlTestHarness(QObject *parent)
    : QObject(parent)
{
    quorum::testing::RecordingChecks::useCaptureScript(scratch().path());

    m_okReceiver = std::make_unique<quorum::test::WebhookReceiver>();
    m_failingReceiver = std::make_unique<quorum::test::WebhookReceiver>();
    m_failingReceiver->setDefaultAnswer(quorum::test::WebhookReceiver::Answer(500));
    if (!m_okReceiver->listen() || !m_failingReceiver->listen()) {
        m_problem = u"the webhook receivers could not listen on 127.0.0.1"_s;
        return;
    }

    m_live = std::make_unique<LiveScenario>(kServerFlags);
    m_live->server().useTestBuild();
    if (!m_live->start()) {
        m_problem = QString::fromUtf8(m_live->server().standardError());
        return;
    }
    m_client = std::make_unique<quorum::ApiClient>();
    m_client->setBaseUrl(QUrl(m_live->server().baseUrl()));
    m_client->setToken(m_live->bearer());

    m_secrets = std::make_unique<quorum::SecretStore>(scratch().filePath(u"app"_s));
    m_secrets->useFallbackOnly();
    m_remoteSignIn = std::make_unique<quorum::RemoteSignIn>(m_secrets.get());
    m_remoteSignIn->setOpensBrowser(false);
    connect(m_remoteSignIn.get(), &quorum::RemoteSignIn::browserUrl, this,
            [this](const QUrl &url) { m_lastBrowserUrl = url.toString(); });
}

QStringList QmlTestHarness::unnamedControls(QQuickItem *root) const
{
    QStringList unnamed;
    const auto visit = [&unnamed](const auto &self, QQuickItem *item) -> void {
        if (!item || !item->isVisible())
            return;
        const bool isControl
            = std::any_of(std::begin(kControlClasses), std::end(kControlClasses),
                          [item](const char *type) { return item->inherits(type); });
        if (isControl) {
            QAccessibleInterface *accessible = QAccessible::queryAccessibleInterface(item);
            if (!accessible || accessible->text(QAccessible::Name).trimmed().isEmpty())
                unnamed.append(u"%1 '%2'"_s.arg(
                    QString::fromLatin1(item->metaObject()->className()), item->objectName()));
        }
        // A box's text field and buttons are its own parts, announced with it.
        if (item->inherits("QQuickComboBox") || item->inherits("QQuickSpinBox"))
            return;
        const QList<QQuickItem *> children = item->childItems();
        for (QQuickItem *child : children)
            self(self, child);
    };
    visit(visit, root);
    return unnamed;
}

QString QmlTestHarness::scratchPath(const QString &name) const
{
    return scratch().filePath(name);
}

qint64 QmlTestHarness::fileSize(const QString &path) const
{
    const QFileInfo info(path);
    return info.exists() ? info.size() : -1;
}

QObject *QmlTestHarness::remoteSignIn() const
{
    return m_remoteSignIn.get();
}

QmlTestHarness::~QmlTestHarness()
{
    leaveAll();
}

QObject *QmlTestHarness::client() const
{
    return m_client.get();
}

QString QmlTestHarness::scheduleMeeting(const QString &topic, int hoursFromNow, bool waitingRoom)
{
    const QString start = QDateTime::currentDateTimeUtc()
                              .addSecs(qint64(hoursFromNow) * 3600)
                              .toString(Qt::ISODate);
    const QJsonObject body{
        {u"topic"_s, topic},
        {u"start_time"_s, start},
        {u"duration_minutes"_s, 45},
        {u"waiting_room"_s, waitingRoom},
        {u"settings"_s,
         QJsonObject{{u"allow_join_before_host"_s, true}, {u"mute_upon_entry"_s, false}}}};
    return m_live->api().post(u"/v1/meetings"_s, body).json().value(u"id"_s).toString();
}

QString QmlTestHarness::join(const QString &user, const QString &meetingId)
{
    QJsonObject answer;
    std::unique_ptr<SignalClient> client = m_live->join(user, meetingId, &answer);
    if (!client)
        return {};
    m_clients.insert(user, client.release());
    return answer.value(u"participant_id"_s).toString();
}

void QmlTestHarness::acknowledgeMutes(const QString &user)
{
    if (SignalClient *client = m_clients.value(user))
        client->ackMuteRequestsAfter(0);
}

bool QmlTestHarness::received(const QString &user, const QString &type, int timeoutMs)
{
    SignalClient *client = m_clients.value(user);
    return client && !client->waitFor(type, timeoutMs).isEmpty();
}

bool QmlTestHarness::disconnected(const QString &user, int timeoutMs)
{
    SignalClient *client = m_clients.value(user);
    return client && client->waitForClosed(timeoutMs);
}

void QmlTestHarness::leaveAll()
{
    qDeleteAll(m_clients);
    m_clients.clear();
}

int QmlTestHarness::post(const QString &path, const QVariantMap &body)
{
    return m_live->api().post(path, QJsonObject::fromVariantMap(body)).status;
}

QString QmlTestHarness::waitForRecording(const QString &meetingId, const QString &states,
                                         int timeoutMs)
{
    const QStringList wanted = states.split(u',');
    QDeadlineTimer deadline(timeoutMs);
    QString state;
    do {
        const QJsonArray recordings = m_live->api()
                                          .get(u"/v1/meetings/%1/recordings"_s.arg(meetingId))
                                          .json()
                                          .value(u"recordings"_s)
                                          .toArray();
        state = recordings.isEmpty() ? QString()
                                     : recordings.first().toObject().value(u"state"_s).toString();
        if (wanted.contains(state))
            return state;
        QTest::qWait(200);
    } while (!deadline.hasExpired());
    return state;
}

quorum::test::WebhookReceiver *QmlTestHarness::receiver(const QString &name) const
{
    return name == u"failing" ? m_failingReceiver.get() : m_okReceiver.get();
}

QString QmlTestHarness::webhookUrl(const QString &receiverName, const QString &path)
{
    const QString shown = path.isEmpty() ? u"/hook"_s : path;
    return QString::fromLatin1(receiver(receiverName)->url(shown.toUtf8()));
}

int QmlTestHarness::webhookRequestCount(const QString &receiverName) const
{
    return int(receiver(receiverName)->requests().size());
}

void QmlTestHarness::queueWebhookAnswers(const QString &receiverName, const QVariantList &statuses)
{
    QList<quorum::test::WebhookReceiver::Answer> answers;
    for (const QVariant &status : statuses)
        answers << quorum::test::WebhookReceiver::Answer(status.toInt());
    receiver(receiverName)->queueAnswers(answers);
}

QString QmlTestHarness::pingWebhookUntil(const QString &webhookId, const QString &state,
                                         int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QDeadlineTimer nextPing(0);
    QString seen;
    do {
        seen
            = m_live->api().get(u"/v1/webhooks/"_s + webhookId).json().value(u"state"_s).toString();
        if (seen == state)
            return seen;
        if (nextPing.hasExpired()) {
            m_live->api().post(u"/v1/webhooks/%1:test"_s.arg(webhookId), QJsonObject{});
            nextPing.setRemainingTime(1000);
        }
        QTest::qWait(200);
    } while (!deadline.hasExpired());
    return seen;
}

QString QmlTestHarness::screenshot(QQuickItem *item, const QString &name)
{
    if (!item || !item->window())
        return {};
    const QDir dir(QStringLiteral(QUORUM_SCREENSHOT_DIR));
    dir.mkpath(u"."_s);
    const QString path = dir.filePath(name + u".png"_s);
    return item->window()->grabWindow().save(path) ? path : QString();
}

// --- Apps and users (tst_people.qml) ---

QString QmlTestHarness::registerApp(const QString &name, const QString &description,
                                    const QStringList &scopes, bool byVendor)
{
    if (byVendor && m_vendorToken.isEmpty()) {
        m_live->server().createWorkspace(u"vendor"_s);
        m_live->server().createUser(u"vera"_s, u"vendor"_s, u"admin"_s);
        m_vendorToken = m_live->server().token(u"vera"_s, u"vendor"_s);
    }
    const QJsonObject app{{u"name"_s, name},
                          {u"description"_s, description},
                          {u"client_type"_s, u"confidential"_s},
                          {u"redirect_uris"_s, QJsonArray{u"https://apps.example/callback"_s}},
                          {u"scopes"_s, QJsonArray::fromStringList(scopes)},
                          {u"listed"_s, true}};
    testing::ApiClient registrar(m_live->server().baseUrl(),
                                 byVendor ? m_vendorToken : m_live->bearer());
    return registrar.post(u"/v1/apps"_s, app).json().value(u"id"_s).toString();
}

QVariantMap QmlTestHarness::getJson(const QString &path)
{
    const ApiReply reply = m_live->api().get(path);
    return reply.status == 200 ? reply.json().toVariantMap() : QVariantMap();
}

int QmlTestHarness::patch(const QString &path, const QVariantMap &body)
{
    return m_live->api().patch(path, QJsonObject::fromVariantMap(body)).status;
}

QObject *QmlTestHarness::memberClient()
{
    if (!m_memberClient && m_live) {
        m_memberClient = std::make_unique<quorum::ApiClient>();
        m_memberClient->setBaseUrl(QUrl(m_live->server().baseUrl()));
        m_memberClient->setToken(m_live->bearer(u"bob"_s));
        // Returned to QML, which would otherwise take it over and collect it.
        QQmlEngine::setObjectOwnership(m_memberClient.get(), QQmlEngine::CppOwnership);
    }
    return m_memberClient.get();
}

// --- end of apps and users ---

} // namespace quorum::testing
