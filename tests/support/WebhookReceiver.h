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
// delay, or never). It parses only what a webhook sender sends: a request line, headers and
// a Content-Length body, several per connection.
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

        QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    };

    // How to answer one request; status 0 never answers (the socket stays open, silent).
    struct Answer
    {
        int status = 200;
        int delayMs = 0;
    };

    explicit WebhookReceiver(QObject *parent = nullptr);
    ~WebhookReceiver() override;

    bool listen(); // 127.0.0.1, a free port
    quint16 port() const { return m_server.serverPort(); }
    QByteArray url(const QByteArray &path = "/hook") const;

    // Answers for the next requests, in order; afterwards every request gets the default.
    void queueAnswers(const QList<Answer> &answers) { m_answers << answers; }
    void setDefaultAnswer(Answer answer) { m_default = answer; }

    const QList<Request> &requests() const { return m_requests; }

Q_SIGNALS:
    void requestReceived();

private:
    void accept();
    void read(QTcpSocket *socket);
    void answer(QTcpSocket *socket, const Answer &answer);

    QTcpServer m_server;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QList<Answer> m_answers;
    Answer m_default;
    QList<Request> m_requests;
};

} // namespace quorum::test
