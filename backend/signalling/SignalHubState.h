#pragma once

#include "LiveRoom.h"
#include "SessionPort.h"
#include "SignalHub.h"

#include <QByteArray>
#include <QHash>
#include <QPair>
#include <QString>
#include <QTimer>

#include <memory>
#include <unordered_map>

namespace quorum {

// The hub's bookkeeping, touched only in the hub's thread (shared by SignalHub and LiveRoom).
struct SignalHub::State
{
    std::unordered_map<QString, std::unique_ptr<LiveRoom>> rooms; // by meeting id
    QHash<SessionRef, QString> sessionRooms; // attached session -> meeting id
    QHash<QByteArray, QPair<QString, QString>> resumeTokens; // SHA-256 -> (meeting, participant)

    // Host actions relayed to the node hosting their meeting, by request id, until the outcome
    // comes back or the timer gives up.
    struct Relay
    {
        SessionPort *replyPort = nullptr;
        HostActionDone done;
        QTimer *timer = nullptr;
    };
    QHash<QString, Relay> relays;
    // Where relayed actions that run here answer: the hub's own thread.
    std::unique_ptr<SessionPort> hubPort;

    // This node's sessions that watch a meeting hosted elsewhere, by session id (unique for
    // the server's life), with the node hosting it.
    struct RemoteWatch
    {
        SessionRef session;
        QString meetingId;
        QString node;
        bool answered = false; // the hosting node has sent something
    };
    QHash<quint64, RemoteWatch> remoteWatches;
    // On the hosting node: the port that sends frames over the bus to another node's watchers.
    std::unordered_map<QString, std::unique_ptr<SessionPort>> busPorts; // by node

    LiveRoom *room(const QString &meetingId) const
    {
        const auto it = rooms.find(meetingId);
        return it == rooms.end() ? nullptr : it->second.get();
    }
};

} // namespace quorum
