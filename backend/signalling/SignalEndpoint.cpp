// STUB: do not merge. A stand-in for the lead's endpoint: one per thread, made on first use.
#include "SignalEndpoint.h"

#include "SignalHub.h"

#include <QHash>
#include <QTcpSocket>

namespace quorum {

extern SignalHub *g_stubHub;

namespace {
thread_local SignalEndpoint *t_endpoint = nullptr;
thread_local QHash<quint64, std::function<void(const Outgoing &)>> t_streams;
std::atomic<quint64> g_nextId{1};
} // namespace

SignalEndpoint::SignalEndpoint(SignalHub &, const Settings &, QObject *parent)
    : QObject(parent)
{ }

SignalEndpoint::~SignalEndpoint() = default;

SignalEndpoint *SignalEndpoint::forCurrentThread()
{
    if (!t_endpoint && g_stubHub)
        t_endpoint = new SignalEndpoint(*g_stubHub, *static_cast<const Settings *>(nullptr));
    return t_endpoint;
}

qint64 SignalEndpoint::openSockets()
{
    return 0;
}

void SignalEndpoint::takeUpgrade(QTcpSocket *socket)
{
    socket->abort();
}

quint64 SignalEndpoint::addStream(std::function<void(const Outgoing &)> writer)
{
    const quint64 id = g_nextId++;
    t_streams.insert(id, std::move(writer));
    return id;
}

void SignalEndpoint::removeStream(quint64 id)
{
    t_streams.remove(id);
}

void SignalEndpoint::deliver(quint64 sessionId, QList<Outgoing> frames)
{
    post([sessionId, frames] {
        const auto writer = t_streams.value(sessionId);
        for (const Outgoing &frame : frames) {
            if (writer)
                writer(frame);
        }
    });
}

void SignalEndpoint::post(std::function<void()> task)
{
    QMetaObject::invokeMethod(this, std::move(task), Qt::QueuedConnection);
}

} // namespace quorum
