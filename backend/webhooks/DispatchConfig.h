#pragma once

#include "RetrySchedule.h"

#include <QList>

namespace quorum {

// How the delivery engine works, from Settings (the webhooks block of SettingsLoader).
struct DispatchConfig
{
    QList<qint64> retryWaitsMs = RetrySchedule::defaultWaits();
    int timeoutMs = 10 * 1000; // a whole attempt: resolving, connecting, the answer
    int maxInFlight = 64;
    int maxInFlightPerSubscription = 4;
    qint64 disabledAfterMs = 7LL * 24 * 3600 * 1000;
    bool allowPrivateNetworks = false;
    // QNetworkAccessManager opens at most 6 connections per host; subscriptions are spread over
    // this many managers so one busy receiver host does not queue the others behind it.
    int managers = 4;
    // Several nodes: with nothing due, look again this often, for deliveries another node
    // queued and could not send (it died) once their claims run out. 0: only when woken.
    int idleLookMs = 0;
};

} // namespace quorum
