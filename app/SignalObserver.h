#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QObject>
#include <QUrl>
#include <QtQml/qqmlregistration.h>

class QTimer;
class QWebSocket;

namespace quorum {

// Watches one meeting over the signalling socket in `observe` mode (subprotocol quorum.v1):
// the roster and every roster event, without being a participant. A dropped socket is opened
// again after a growing pause (1 s doubling up to 30 s); a refusal, the meeting's end or stop()
// end the watch for good.
class SignalObserver : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalObserver)
    QML_ELEMENT
    QML_UNCREATABLE("Made by ParticipantListModel")
    Q_PROPERTY(bool observing READ isObserving NOTIFY observingChanged)
    Q_PROPERTY(bool mayAct READ mayAct NOTIFY observingChanged)
    Q_PROPERTY(bool mayRecord READ mayRecord NOTIFY observingChanged)
    Q_PROPERTY(QString meetingState READ meetingState NOTIFY meetingStateChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit SignalObserver(QObject *parent = nullptr);
    ~SignalObserver() override;

    // Opens ws(s)://…/v1/signal and observes the meeting with the access token.
    void start(const QUrl &signalUrl, const QString &accessToken, const QString &meetingId);
    void stop();

    bool isObserving() const { return m_observing; }
    bool mayAct() const { return m_mayAct; }
    bool mayRecord() const { return m_mayRecord; }
    QString meetingState() const { return m_meetingState; }
    QString error() const { return m_error; }

    // A host command (mute, admit, ...) with its fields; false when not observing.
    bool sendCommand(const QString &type, const QJsonObject &fields = {});

Q_SIGNALS:
    void observingChanged();
    void meetingStateChanged();
    void errorChanged();
    // The whole roster, on every (re)connection.
    void roster(const QJsonArray &participants);
    void participantJoined(const QJsonObject &participant);
    void participantUpdated(const QJsonObject &participant);
    void participantLeft(const QString &participantId, const QString &reason);
    void meetingEnded(const QString &reason);
    void recordingStarted(const QString &recordingId);
    void recordingStopped(const QString &recordingId, const QString &reason);
    // An `error` frame answering a command (or refusing the observation).
    void commandFailed(const QString &code, const QString &message);

private:
    void open();
    void received(const QString &text);
    void closed();
    void setObserving(bool observing);
    void setError(const QString &error);

    QWebSocket *m_socket = nullptr;
    QTimer *m_retry;
    QUrl m_url;
    QString m_token;
    QString m_meetingId;
    QString m_meetingState;
    QString m_error;
    int m_retryDelayMs = 1000;
    int m_nextId = 1;
    bool m_wanted = false;
    bool m_observing = false;
    bool m_mayAct = false;
    bool m_mayRecord = false;
};

} // namespace quorum
