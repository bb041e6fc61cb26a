#pragma once

#include "JanusNode.h"
#include "MediaPlane.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QObject>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace quorum::media {

class JanusConnection;

// The Janus WebRTC server's VideoRoom as the SFU. Each live meeting is a VideoRoom (named by
// the meeting id) on one Janus node of the server's region; each participant publishes
// through one handle and receives each other participant through a handle of its own. The
// gateway speaks Janus's API on the participant's behalf: offers, answers and candidates
// arrive and leave as signalling frames (`to`/`from: "sfu"`, `feed` naming whose media a
// receiving connection carries), and no Janus credential reaches a client. A server-side mute
// is VideoRoom moderation of the participant's audio stream; capture is the room's recording
// into the recording's directory, one .mjr file per participant and kind.
//
// Requests to Janus are asynchronous: calls return at once and their outcome comes back
// through the sink (an answer to a participant, a finished or failed capture). Created in any
// thread, used only from the hub's thread from start() to stop().
class JanusMediaPlane final : public MediaPlane
{
public:
    // `nodes`: the Janus nodes this server may use; `region`: the server's own, preferred.
    JanusMediaPlane(QList<JanusNode> nodes, QString region);
    ~JanusMediaPlane() override;
    Q_DISABLE_COPY_MOVE(JanusMediaPlane)

    QString name() const override { return QStringLiteral("janus"); }
    bool negotiatesMedia() const override { return true; }
    bool canCapture() const override { return true; }

    void start() override;
    void stop() override;
    QJsonArray serverStatus() const override;

    Status prepareRoom(const QString &meetingId) override;
    void closeRoom(const QString &meetingId) override;
    Status admit(const QString &meetingId, const QString &participantId) override;
    void remove(const QString &meetingId, const QString &participantId) override;
    void setAudioMuted(const QString &meetingId, const QString &participantId, bool muted) override;
    Status signal(const QString &meetingId, const QString &participantId, const QString &type,
                  const QJsonObject &payload) override;
    Status startCapture(const QString &meetingId, const QString &recordingId,
                        const QString &directory) override;
    Status stopCapture(const QString &meetingId, const QString &recordingId) override;

    // The capture's files in the payload of CaptureFinished: Janus names each recorder file
    // videoroom-<room>-user-<participant>-<time>-<audio|video>-<n>.mjr.
    static QJsonArray capturedFiles(const QString &directory);

private:
    struct Member
    {
        quint64 generation = 0; // tells a member apart from a namesake admitted later
        qint64 publisher = 0; // the handle that publishes this member's media
        bool joined = false; // joined the room as a publisher (media may follow)
        bool published = false; // an offer was answered: its streams are known
        bool mediaUp = false; // Janus has its media (webrtcup): others may receive it now
        QString audioMid; // the published audio stream, for moderation
        bool audioMuted = false;
        QHash<QString, qint64> subscriptions; // feed (participant id) -> receiving handle
        QList<std::function<void()>> whenJoined;
    };
    struct Capture
    {
        QString recordingId;
        QString directory;
        qint64 startedAtMs = 0;
        bool stopping = false;
    };
    struct Room
    {
        JanusConnection *node = nullptr;
        QString secret; // the VideoRoom's own secret, for moderation, recording and destroy
        qint64 control = 0; // the handle that created the room and runs its moderation
        bool ready = false;
        QList<std::function<void()>> whenReady;
        QHash<QString, Member> members;
        std::optional<Capture> capture;
    };
    struct HandleOwner
    {
        QString meetingId;
        QString participantId;
        QString feed; // empty for a publishing handle
    };
    using HandleKey = std::pair<const JanusConnection *, qint64>;

    JanusConnection *pickNode() const;
    void createRoom(const QString &meetingId);
    void whenReady(const QString &meetingId, std::function<void()> step);
    void whenJoined(const QString &meetingId, const QString &participantId,
                    std::function<void()> step);
    void joinAsPublisher(const QString &meetingId, const QString &participantId);
    void publish(const QString &meetingId, const QString &participantId, const QString &sdp,
                 const QString &requestId);
    void subscribe(const QString &meetingId, const QString &participantId, const QString &feed);
    void closeSubscription(Room &room, const QString &meetingId, const QString &participantId,
                           const QString &feed, bool tell);
    void publisherMediaChanged(const QString &meetingId, const QString &participantId, bool up);
    void applyModeration(const QString &meetingId, const QString &participantId);
    void finishCapture(const QString &meetingId, std::function<void()> then);
    void destroyRoom(JanusConnection *node, const QString &meetingId, const Room &room);

    void onHandleEvent(JanusConnection *node, qint64 handle, const QJsonObject &message);
    void onNodeReady(JanusConnection *node);
    void onNodeLost(JanusConnection *node);

    Member *member(const QString &meetingId, const QString &participantId);
    void forgetHandle(const JanusConnection *node, qint64 handle);
    void deliver(const QString &meetingId, const QString &participantId, const QString &type,
                 const QJsonObject &payload) const;
    void refuse(const QString &meetingId, const QString &participantId, const QString &requestId,
                const QString &message) const;
    void reportCaptureFailed(const QString &meetingId, const QString &recordingId,
                             const QString &code, const QString &message) const;

    QList<JanusNode> m_nodes;
    mutable std::mutex m_statusMutex; // guards m_connected, read by serving threads
    QHash<QString, bool> m_connected; // node name -> session open
    QString m_region;
    std::unique_ptr<QObject> m_context; // lives in the hub's thread; parent of the connections
    std::vector<JanusConnection *> m_connections;
    QHash<QString, Room> m_rooms;
    std::map<HandleKey, HandleOwner> m_handles;
    quint64 m_nextGeneration = 0;
};

} // namespace quorum::media
