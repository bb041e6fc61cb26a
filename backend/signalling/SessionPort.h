#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace quorum {

// One thing the gateway sends to a client: a text frame, a close, or both (the frame first).
struct Outgoing
{
    QByteArray text; // a JSON frame; empty for a bare close
    int closeCode = 0; // set: close the socket with this code after the frame
    QString closeReason;
};

// Where the hub's answers to one kind of client go: the SignalEndpoint of a serving thread
// (WebSocket sessions and server-sent-event streams of that thread). Both calls are
// thread-safe and return at once; the work runs in the port's thread, in call order. A port
// outlives the hub's use of it: the hub stops before the HTTP front's threads do.
class SessionPort
{
public:
    virtual ~SessionPort() = default;

    // Hands the frames to the session or stream `sessionId` of this port, in order; a session
    // that is gone by then is skipped.
    virtual void deliver(quint64 sessionId, QList<Outgoing> frames) = 0;
    // Runs `task` in the port's thread.
    virtual void post(std::function<void()> task) = 0;
};

// A client of the hub: a socket session or an event stream, named by its port and an id that
// is unique for the server's life.
struct SessionRef
{
    SessionPort *port = nullptr;
    quint64 id = 0;

    bool isValid() const { return port && id; }
    bool operator==(const SessionRef &) const = default;
};

inline size_t qHash(const SessionRef &ref, size_t seed = 0)
{
    return ::qHash(ref.id, seed);
}

} // namespace quorum
