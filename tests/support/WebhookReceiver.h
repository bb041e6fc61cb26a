#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>

class QTcpSocket;

namespace quorum::test {

// A webhook endpoint for tests: an HTTP/1.1 server of our own on 127.0.0.1, port 0, that
// records each request's raw bytes and answers as the test programs it (a status, after a
// delay, never, or by dropping the connection). It parses only what a webhook sender sends: a
// request line, headers and a Content-Length body, several per connection.
class WebhookReceiver final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookReceiver)

public:
    struct Request
    {
        QByteArray raw; // head and body, exactly as received
        QByteArray method;
        QByteArray target;
        QHash<QByteArray, QByteArray> headers; // names in lower case
        QByteArray body;
        qint64 receivedAtMs = 0; // wall clock, when the whole request had arrived

        QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    };

    // How to answer one request; status 0 never answers (the socket stays open, silent).
    // A 3xx carries `location`, or this receiver's own /redirected when it is empty.
    struct Answer
    {
        Answer(int status = 200, int delayMs = 0)
            : status(status)
            , delayMs(delayMs)
        { }
        static Answer dropped()
        {
            Answer answer;
            answer.drop = true;
            return answer;
        }
        static Answer redirect(const QByteArray &location)
        {
            Answer answer(302);
            answer.location = location;
            return answer;
        }

        int status = 200;
        int delayMs = 0;
        bool drop = false; // close the connection without an answer
        QByteArray location;
    };

    explicit WebhookReceiver(QObject *parent = nullptr);
    ~WebhookReceiver() override;

    bool listen(quint16 port = 0); // 127.0.0.1, a free port unless one is given
    // Stops accepting, so connections to the port are refused, and drops open ones.
    void close();
    quint16 port() const { return m_port; }
    QByteArray url(const QByteArray &path = "/hook") const;

    // Answers for the next requests, in order; afterwards every request gets the default.
    void queueAnswers(const QList<Answer> &answers) { m_answers << answers; }
    void setDefaultAnswer(Answer answer) { m_default = answer; }

    const QList<Request> &requests() const { return m_requests; }
    void clearRequests() { m_requests.clear(); }
    // Requests with this header value (e.g. one X-Quorum-Event-Id), in arrival order.
    QList<Request> requestsWith(const QByteArray &header, const QByteArray &value) const;

Q_SIGNALS:
    void requestReceived();

private:
    void accept();
    void read(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const Answer &answer);

    QTcpServer m_server;
    quint16 m_port = 0;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Answer> m_answers;
    Answer m_default;
    QList<Request> m_requests;
};

} // namespace quorum::test
