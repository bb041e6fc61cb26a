#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>

#include <memory>

class QWebSocket;

namespace quorum::testing {

// A signalling client for tests: a real QWebSocket on ws://127.0.0.1:port/v1/signal that
// offers the quorum.v1 subprotocol, sends JSON frames and hands back the frames it received
// by type. Frames of other types wait in a buffer until someone asks for them, so a test can
// take them in the order it cares about. Every wait has a timeout.
class SignalClient final : public QObject
{
    Q_OBJECT

public:
    explicit SignalClient(QObject *parent = nullptr);
    ~SignalClient() override;

    // Opens the socket and waits for the upgrade; false when it did not open in time.
    bool open(quint16 port, int timeoutMs = 5000,
              const QStringList &subprotocols = {QStringLiteral("quorum.v1")});
    QString subprotocol() const;
    bool isOpen() const;

    void send(const QJsonObject &frame);
    void sendText(const QString &text);

    // The next frame of this type (from the buffer, or the socket within the timeout); an
    // empty object when none came.
    QJsonObject waitFor(const QString &type, int timeoutMs = 3000);
    // The next frame whose type is one of `types`.
    QJsonObject waitForAny(const QStringList &types, int timeoutMs = 3000);
    // Whether a frame of this type is buffered now, after handling what the socket has.
    bool has(const QString &type);
    // Every frame received so far, taken or not, in arrival order.
    const QList<QJsonObject> &history() const { return m_history; }

    // Sends `join` (id "j") and returns the answer: joined, waiting or error.
    QJsonObject join(const QString &token, const QString &meetingId = {});
    // Sends `resume` (id "r") and returns resumed or error.
    QJsonObject resume(const QString &resumeToken);
    // Sends `observe` (id "o") and returns observing or error.
    QJsonObject observe(const QString &accessToken, const QString &meetingId);

    // Answers every mute_request with an ack after this many milliseconds; negative: never
    // (the default).
    void ackMuteRequestsAfter(int delayMs) { m_ackDelayMs = delayMs; }

    // Waits until the server closed the socket (or it dropped).
    bool waitForClosed(int timeoutMs = 5000);
    bool isClosed() const { return m_closed; }
    // The close code the server sent; -1 while the socket is open.
    int closeCode() const;
    QString closeReason() const;

    // A normal close (1000) from the client, or any other code.
    void close(int code = 1000);
    // Drops the TCP connection without a close frame, as a killed client would.
    void abort();

private:
    void received(const QString &message);

    std::unique_ptr<QWebSocket> m_socket;
    QList<QJsonObject> m_buffer;
    QList<QJsonObject> m_history;
    bool m_closed = false;
    int m_ackDelayMs = -1;
};

} // namespace quorum::testing
