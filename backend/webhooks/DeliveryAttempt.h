#pragma once

#include "store/DeliveryQueue.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace quorum {

class Clock;
class UrlGuard;

// One attempt at one delivery: resolves the host itself, checks every address with the URL
// guard, then POSTs the stored body to the checked address with the host name kept for the
// Host header and TLS (DESIGN.md *Webhooks*, QT64.md *QNetworkAccessManager*), so a name
// that changes its answer between check and connect cannot reach a forbidden address.
// finished() is always emitted once, from the event loop, never from inside start().
class DeliveryAttempt final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryAttempt)

public:
    struct Setup
    {
        ClaimedDelivery delivery;
        QList<QByteArray> secrets; // newest first
        int timeoutMs = 10000;
        const UrlGuard *guard = nullptr;
        QNetworkAccessManager *manager = nullptr;
        const Clock *clock = nullptr;
    };

    explicit DeliveryAttempt(Setup setup, QObject *parent = nullptr);
    ~DeliveryAttempt() override;

    void start();

    const ClaimedDelivery &delivery() const { return m_setup.delivery; }
    const AttemptOutcome &outcome() const { return m_outcome; }

Q_SIGNALS:
    void finished();

private:
    void resolved(const QHostInfo &info);
    void post(const QHostAddress &address);
    void replyFinished();
    void finish(int statusCode, const QString &error);

    Setup m_setup;
    QUrl m_url;
    AttemptOutcome m_outcome;
    QTimer m_deadline;
    int m_lookupId = -1;
    QPointer<QNetworkReply> m_reply;
    bool m_done = false;
};

} // namespace quorum
