#pragma once

#include "JanusNode.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QWebSocket>

#include <functional>

namespace quorum::media {

// One WebSocket to one Janus node and the Janus session on it: requests matched to their
// answers by transaction, the session kept alive, and everything else Janus says (events of
// a handle with no transaction of ours, ICE and DTLS news, hang-ups) handed on by handle.
// A lost socket or session is reopened after a pause; every handle of the old session is gone
// then, which lost() says. Lives in one thread (the signalling hub's).
class JanusConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JanusConnection)

public:
    // Janus's answer (for plugin requests: the event that carries the plugin's data and any
    // jsep), or an error for people and logs; exactly one of the two is set.
    using Reply = std::function<void(const QJsonObject &answer, const QString &error)>;

    explicit JanusConnection(JanusNode node, QObject *parent = nullptr);
    ~JanusConnection() override;

    const JanusNode &node() const { return m_node; }
    bool isReady() const { return m_sessionId != 0; }

    void open();

    // A new handle on the VideoRoom plugin: its id is answer["data"]["id"].
    void attach(Reply done);
    void detach(qint64 handle);
    // A plugin request, with an offer or answer when `jsep` is not empty.
    void message(qint64 handle, const QJsonObject &body, const QJsonObject &jsep, Reply done);
    // A candidate of the client's for `handle`; a null candidate means there are no more.
    void trickle(qint64 handle, const QJsonValue &candidate);

    // The error a VideoRoom answer carries in its plugin data, or an empty string.
    static QString pluginError(const QJsonObject &answer);
    // The VideoRoom's own data in an answer or event.
    static QJsonObject pluginData(const QJsonObject &answer);

Q_SIGNALS:
    // A session is open (first, or again after a loss).
    void ready();
    // The session went, with every handle on it.
    void lost();
    // What Janus said of a handle outside an answer: "event", "webrtcup", "hangup", "media",
    // "slowlink", "detached".
    void handleEvent(qint64 handle, const QJsonObject &message);

private:
    struct Pending
    {
        Reply done;
        qint64 sentAtMs = 0;
    };

    void send(QJsonObject request, Reply done);
    void onConnected();
    void onDisconnected();
    void onSocketError(QAbstractSocket::SocketError error);
    void onMessage(const QString &text);
    void expireRequests();
    void dropSession(const QString &why);
    void scheduleReopen();

    JanusNode m_node;
    QWebSocket m_socket;
    QTimer m_keepAlive;
    QTimer m_requestTimeouts;
    QTimer m_reopen;
    qint64 m_sessionId = 0;
    quint64 m_nextTransaction = 0;
    QHash<QString, Pending> m_pending;
    bool m_closing = false;
    int m_failedOpens = 0; // in a row, for a log that says so without flooding
};

} // namespace quorum::media
