#include "ClusterBus.h"

#include "store/Database.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTimer>
#include <QUuid>

Q_LOGGING_CATEGORY(lcBus, "quorum.bus")

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

const QString kChannel = u"quorum_bus"_s;
// How often the listening connection is checked: a broken one hears nothing and says nothing.
constexpr int kListenerCheckMs = 2000;
// A long message's parts: characters of its text per part (three bytes each at most in UTF-8,
// so a part stays under the limit), and how long the first part waits for the rest.
constexpr int kPartChars = 2000;
constexpr qint64 kPartialLifetimeMs = 10000;

} // namespace

ClusterBus::ClusterBus(Database &database, QString nodeName)
    : m_database(database)
    , m_nodeName(std::move(nodeName))
    , m_connectionName(u"bus-"_s + QUuid::createUuid().toString(QUuid::Id128))
{
    m_thread.setObjectName(u"cluster-bus"_s);
}

ClusterBus::~ClusterBus()
{
    stop();
}

void ClusterBus::subscribe(const QString &kind, Handler handler)
{
    m_handlers.insert(kind, std::move(handler));
}

Status ClusterBus::start()
{
    if (m_database.options().engine != Database::Engine::Postgres)
        return success();

    m_thread.start();
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);
    bool listening = false;
    QMetaObject::invokeMethod(
        m_anchor,
        [this, &listening] {
            listening = listen();
            auto *check = new QTimer(m_anchor);
            check->setInterval(kListenerCheckMs);
            connect(check, &QTimer::timeout, m_anchor, [this] { checkListener(); });
            check->start();
        },
        Qt::BlockingQueuedConnection);
    if (!listening) {
        stop();
        return Error{
            ErrorCode::Unavailable,
            u"Cannot listen for other nodes on the database %1."_s.arg(m_database.location())};
    }
    m_active = true;
    return success();
}

void ClusterBus::stop()
{
    if (!m_thread.isRunning())
        return;
    m_active = false;
    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            delete m_anchor; // with the check timer
            m_anchor = nullptr;
            {
                QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
                if (db.isValid())
                    db.close();
            }
            QSqlDatabase::removeDatabase(m_connectionName);
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool ClusterBus::listen()
{
    if (QSqlDatabase::contains(m_connectionName)) {
        {
            QSqlDatabase old = QSqlDatabase::database(m_connectionName, false);
            old.close();
        }
        QSqlDatabase::removeDatabase(m_connectionName);
    }
    QSqlDatabase db = m_database.openDedicatedConnection(m_connectionName);
    if (!db.isOpen())
        return false;
    QSqlDriver *driver = db.driver();
    if (!driver->subscribeToNotification(kChannel)) {
        qCWarning(lcBus) << "cannot listen on" << kChannel << driver->lastError().text();
        return false;
    }
    connect(driver, &QSqlDriver::notification, m_anchor,
            [this](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                if (name == kChannel)
                    dispatch(payload.toString());
            });
    return true;
}

void ClusterBus::checkListener()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        QSqlQuery ping(db);
        if (db.isOpen() && ping.exec(u"SELECT 1"_s))
            return;
    }
    qCWarning(lcBus) << "lost the listening connection; reconnecting";
    if (!listen())
        return; // the next check tries again
    qCInfo(lcBus) << "listening again; messages sent meanwhile may be lost";
    if (m_resync)
        m_resync();
}

void ClusterBus::dispatch(const QString &payload)
{
    const QJsonObject message = QJsonDocument::fromJson(payload.toUtf8()).object();
    if (message.value(u"node"_s).toString() == m_nodeName)
        return;
    if (message.value(u"kind"_s).toString() == u"part") {
        // One node's notifications arrive in the order it sent them: parts come in order.
        const QString key
            = message.value(u"node"_s).toString() + u'/' + message.value(u"id"_s).toString();
        const int seq = message.value(u"seq"_s).toInt();
        const int of = message.value(u"of"_s).toInt();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        m_partials.removeIf([now](const auto &entry) {
            return now - entry.value().startedMs > kPartialLifetimeMs;
        });
        Partial &partial = m_partials[key];
        if (seq != partial.next) {
            qCWarning(lcBus) << "a message in parts lost part" << partial.next;
            m_partials.remove(key);
            return;
        }
        if (seq == 0)
            partial.startedMs = now;
        partial.text += message.value(u"data"_s).toString();
        partial.next = seq + 1;
        if (partial.next < of)
            return;
        const QString whole = partial.text;
        m_partials.remove(key);
        dispatch(whole);
        return;
    }
    const auto handler = m_handlers.constFind(message.value(u"kind"_s).toString());
    if (handler == m_handlers.constEnd()) {
        qCDebug(lcBus) << "no handler for" << payload.left(200);
        return;
    }
    (*handler)(message);
}

Status ClusterBus::publish(const QString &kind, QJsonObject message)
{
    if (!m_active)
        return success();
    return publish(m_database.connection(), kind, std::move(message));
}

Status ClusterBus::publish(QSqlDatabase db, const QString &kind, QJsonObject message)
{
    if (!m_active)
        return success();
    message.insert(u"kind"_s, kind);
    message.insert(u"node"_s, m_nodeName);
    const QByteArray payload = QJsonDocument(message).toJson(QJsonDocument::Compact);
    if (payload.size() <= kMaxPayloadBytes)
        return notify(db, payload);

    // In parts of kPartChars characters, each under the limit once escaped in JSON.
    const QString text = QString::fromUtf8(payload);
    const QString id = QUuid::createUuid().toString(QUuid::Id128);
    const int count = int((text.size() + kPartChars - 1) / kPartChars);
    for (int seq = 0; seq < count; ++seq) {
        const QJsonObject part{
            {u"kind"_s, u"part"_s}, {u"node"_s, m_nodeName},
            {u"id"_s, id},          {u"seq"_s, seq},
            {u"of"_s, count},       {u"data"_s, text.mid(qsizetype(seq) * kPartChars, kPartChars)}};
        if (const Status sent = notify(db, QJsonDocument(part).toJson(QJsonDocument::Compact));
            !sent)
            return sent;
    }
    return success();
}

Status ClusterBus::notify(QSqlDatabase &db, const QByteArray &payload)
{
    if (payload.size() > kMaxPayloadBytes) {
        qCWarning(lcBus) << "a message of" << payload.size() << "bytes is too long for the bus";
        return Error{ErrorCode::Internal, u"A message for the other nodes is too long."_s};
    }
    CachedStatement notify(db, u"SELECT pg_notify(?, ?)"_s);
    notify->bindValue(0, kChannel);
    notify->bindValue(1, QString::fromUtf8(payload));
    if (!notify->exec())
        return sqlError(*notify, "telling the other nodes");
    return success();
}

} // namespace quorum
