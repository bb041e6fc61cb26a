#include "JanusMediaPlane.h"

#include "JanusConnection.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace quorum::media {

Q_LOGGING_CATEGORY(lcJanus, "quorum.media.janus")

namespace {

// Enough for any meeting this server admits (--max-sockets-per-meeting caps the room first).
constexpr int kMaxPublishers = 500;
// Janus asks publishers for a keyframe this often, so that a recording or a late receiver
// never waits long for a picture.
constexpr int kKeyframeSeconds = 10;
// Janus closes its recorders within the request that stops them; the files are listed only
// after this pause, in case a write is still on its way to the disk.
constexpr int kCaptureSettleMs = 300;
// VideoRoom's answer to a room that already exists (left by an earlier run of ours).
constexpr int kRoomExists = 427;

// SDP and candidate lines are text; Janus does not answer some control characters at all.
bool hasControlCharacters(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return (c.unicode() < 0x20 && c != u'\r' && c != u'\n' && c != u'\t')
            || c.unicode() == 0x7f;
    });
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

int videoRoomErrorCode(const QString &error)
{
    static const QRegularExpression code(u"^VideoRoom error (\\d+)"_s);
    const auto match = code.match(error);
    return match.hasMatch() ? match.captured(1).toInt() : 0;
}

QString audioMidOf(const QJsonObject &data)
{
    for (const QJsonValue &stream : data.value(u"streams"_s).toArray()) {
        const QJsonObject object = stream.toObject();
        if (object.value(u"type"_s).toString() == u"audio" && !object.value(u"disabled"_s).toBool())
            return object.value(u"mid"_s).toString();
    }
    return {};
}

} // namespace

JanusMediaPlane::JanusMediaPlane(QList<JanusNode> nodes, QString region)
    : m_nodes(std::move(nodes))
    , m_region(std::move(region))
{ }

JanusMediaPlane::~JanusMediaPlane() = default;

void JanusMediaPlane::start()
{
    m_context = std::make_unique<QObject>();
    for (const JanusNode &node : std::as_const(m_nodes)) {
        auto *connection = new JanusConnection(node, m_context.get());
        QObject::connect(connection, &JanusConnection::ready, m_context.get(),
                         [this, connection] { onNodeReady(connection); });
        QObject::connect(connection, &JanusConnection::lost, m_context.get(),
                         [this, connection] { onNodeLost(connection); });
        QObject::connect(connection, &JanusConnection::handleEvent, m_context.get(),
                         [this, connection](qint64 handle, const QJsonObject &message) {
                             onHandleEvent(connection, handle, message);
                         });
        m_connections.push_back(connection);
        connection->open();
    }
}

QJsonArray JanusMediaPlane::serverStatus() const
{
    const std::lock_guard lock(m_statusMutex);
    QJsonArray nodes;
    for (const JanusNode &node : m_nodes)
        nodes.append(QJsonObject{{u"name"_s, node.name},
                                 {u"region"_s, node.region},
                                 {u"url"_s, node.url.toString()},
                                 {u"connected"_s, m_connected.value(node.name)}});
    return nodes;
}

void JanusMediaPlane::stop()
{
    // The rooms stay on an external node until the next run finds and replaces them; a
    // managed Janus stops with the server.
    m_rooms.clear();
    m_handles.clear();
    m_connections.clear();
    m_context.reset();
}

JanusConnection *JanusMediaPlane::pickNode() const
{
    QHash<const JanusConnection *, int> load;
    for (const Room &room : m_rooms)
        ++load[room.node];

    // The least-loaded node of the server's region, preferring one that is connected; any
    // node when the region has none.
    JanusConnection *best = nullptr;
    auto better = [&](JanusConnection *candidate) {
        if (!best)
            return true;
        const bool sameRegion = candidate->node().region == m_region;
        const bool bestSameRegion = best->node().region == m_region;
        if (sameRegion != bestSameRegion)
            return sameRegion;
        if (candidate->isReady() != best->isReady())
            return candidate->isReady();
        return load.value(candidate) < load.value(best);
    };
    for (JanusConnection *connection : m_connections)
        if (better(connection))
            best = connection;
    return best;
}

Status JanusMediaPlane::prepareRoom(const QString &meetingId)
{
    if (m_rooms.contains(meetingId))
        return success();
    JanusConnection *node = pickNode();
    if (!node)
        return Error{ErrorCode::Unavailable, u"No Janus node is configured."_s};

    Room room;
    room.node = node;
    room.secret = newJanusSecret();
    m_rooms.insert(meetingId, room);
    if (node->isReady())
        createRoom(meetingId);
    return success();
}

void JanusMediaPlane::createRoom(const QString &meetingId)
{
    const auto it = m_rooms.constFind(meetingId);
    if (it == m_rooms.constEnd())
        return;
    JanusConnection *node = it->node;

    node->attach([this, node, meetingId](const QJsonObject &answer, const QString &error) {
        const auto room = m_rooms.find(meetingId);
        const qint64 handle = answer.value(u"data"_s).toObject().value(u"id"_s).toInteger();
        if (room == m_rooms.end() || room->node != node) {
            node->detach(handle);
            return;
        }
        if (!error.isEmpty()) {
            qCWarning(lcJanus) << "no room for" << meetingId << ":" << error;
            return;
        }
        room->control = handle;

        QJsonObject create{
            {u"request"_s, u"create"_s},
            {u"room"_s, meetingId},
            {u"description"_s, meetingId},
            {u"secret"_s, room->secret},
            {u"is_private"_s, true},
            {u"permanent"_s, false},
            {u"publishers"_s, kMaxPublishers},
            {u"fir_freq"_s, kKeyframeSeconds},
            {u"audiocodec"_s, u"opus"_s},
            {u"videocodec"_s, u"vp8"_s},
            {u"record"_s, false},
            {u"notify_joining"_s, false},
        };
        if (!node->node().adminKey.isEmpty())
            create.insert(u"admin_key"_s, node->node().adminKey);

        auto created = std::make_shared<JanusConnection::Reply>();
        *created = [this, node, meetingId, handle, create, created](const QJsonObject &,
                                                                    const QString &error) {
            const auto room = m_rooms.find(meetingId);
            if (room == m_rooms.end() || room->control != handle)
                return;
            if (videoRoomErrorCode(error) == kRoomExists) {
                // Left over from an earlier run: nobody can be in it any more.
                qCInfo(lcJanus) << "replacing a room an earlier run left:" << meetingId;
                QJsonObject destroy{{u"request"_s, u"destroy"_s}, {u"room"_s, meetingId}};
                if (!node->node().adminKey.isEmpty())
                    destroy.insert(u"admin_key"_s, node->node().adminKey);
                node->message(
                    handle, destroy, {},
                    [node, handle, create, created](const QJsonObject &, const QString &) {
                        node->message(handle, create, {}, *created);
                    });
                return;
            }
            if (!error.isEmpty()) {
                qCWarning(lcJanus) << "could not create the room of" << meetingId << ":" << error;
                return;
            }
            room->ready = true;
            qCDebug(lcJanus) << "room ready:" << meetingId << "on" << node->node().name;
            const auto steps = std::exchange(room->whenReady, {});
            for (const auto &step : steps)
                step();
        };
        node->message(handle, create, {}, *created);
    });
}

void JanusMediaPlane::whenReady(const QString &meetingId, std::function<void()> step)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end())
        return;
    if (room->ready)
        step();
    else
        room->whenReady.append(std::move(step));
}

void JanusMediaPlane::whenJoined(const QString &meetingId, const QString &participantId,
                                 std::function<void()> step)
{
    Member *joining = member(meetingId, participantId);
    if (!joining)
        return;
    if (joining->joined)
        step();
    else
        joining->whenJoined.append(std::move(step));
}

JanusMediaPlane::Member *JanusMediaPlane::member(const QString &meetingId,
                                                 const QString &participantId)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end())
        return nullptr;
    const auto it = room->members.find(participantId);
    return it == room->members.end() ? nullptr : &*it;
}

void JanusMediaPlane::closeRoom(const QString &meetingId)
{
    const auto it = m_rooms.find(meetingId);
    if (it == m_rooms.end())
        return;

    if (it->capture && !it->capture->stopping) {
        // The end of a meeting stops its recording first; this is the last chance to keep what
        // was captured.
        finishCapture(meetingId, [this, meetingId] {
            if (const auto room = m_rooms.find(meetingId); room != m_rooms.end()) {
                const Room closing = *room;
                m_rooms.erase(room);
                destroyRoom(closing.node, meetingId, closing);
            }
        });
        return;
    }
    const Room closing = *it;
    m_rooms.erase(it);
    destroyRoom(closing.node, meetingId, closing);
}

void JanusMediaPlane::destroyRoom(JanusConnection *node, const QString &meetingId, const Room &room)
{
    for (const Member &gone : room.members) {
        for (const qint64 handle : gone.subscriptions) {
            forgetHandle(node, handle);
            node->detach(handle);
        }
        forgetHandle(node, gone.publisher);
        node->detach(gone.publisher);
    }
    if (room.control == 0)
        return;

    const qint64 control = room.control;
    const QJsonObject destroy{
        {u"request"_s, u"destroy"_s}, {u"room"_s, meetingId}, {u"secret"_s, room.secret}};
    node->message(control, destroy, {},
                  [node, control, meetingId](const QJsonObject &, const QString &error) {
                      if (!error.isEmpty())
                          qCWarning(lcJanus)
                              << "could not destroy the room of" << meetingId << ":" << error;
                      else
                          qCDebug(lcJanus) << "room destroyed:" << meetingId;
                      node->detach(control);
                  });
}

Status JanusMediaPlane::admit(const QString &meetingId, const QString &participantId)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end())
        return Error{ErrorCode::Conflict, u"The meeting's room is not open."_s};

    Member joining;
    joining.generation = ++m_nextGeneration;
    room->members.insert(participantId, joining);
    whenReady(meetingId, [this, meetingId, participantId] {
        joinAsPublisher(meetingId, participantId);
        // Everyone already publishing is offered to the newcomer.
        const Room &ready = m_rooms[meetingId];
        QStringList feeds;
        for (auto it = ready.members.cbegin(); it != ready.members.cend(); ++it)
            if (it.key() != participantId && it->mediaUp)
                feeds << it.key();
        for (const QString &feed : std::as_const(feeds))
            subscribe(meetingId, participantId, feed);
    });
    return success();
}

void JanusMediaPlane::joinAsPublisher(const QString &meetingId, const QString &participantId)
{
    const Member *joining = member(meetingId, participantId);
    if (!joining)
        return;
    const quint64 generation = joining->generation;
    JanusConnection *node = m_rooms[meetingId].node;

    node->attach([this, node, meetingId, participantId, generation](const QJsonObject &answer,
                                                                    const QString &error) {
        const qint64 handle = answer.value(u"data"_s).toObject().value(u"id"_s).toInteger();
        Member *joining = member(meetingId, participantId);
        if (!joining || joining->generation != generation) {
            node->detach(handle);
            return;
        }
        if (!error.isEmpty()) {
            qCWarning(lcJanus) << "no handle for" << participantId << ":" << error;
            return;
        }
        joining->publisher = handle;
        m_handles[{node, handle}] = HandleOwner{meetingId, participantId, {}};

        const QJsonObject join{{u"request"_s, u"join"_s},
                               {u"ptype"_s, u"publisher"_s},
                               {u"room"_s, meetingId},
                               {u"id"_s, participantId},
                               {u"display"_s, participantId}};
        node->message(handle, join, {},
                      [this, meetingId, participantId, generation](const QJsonObject &,
                                                                   const QString &error) {
                          Member *joined = member(meetingId, participantId);
                          if (!joined || joined->generation != generation)
                              return;
                          if (!error.isEmpty()) {
                              qCWarning(lcJanus) << participantId << "could not join the room of"
                                                 << meetingId << ":" << error;
                              return;
                          }
                          joined->joined = true;
                          const auto steps = std::exchange(joined->whenJoined, {});
                          for (const auto &step : steps)
                              step();
                      });
    });
}

void JanusMediaPlane::remove(const QString &meetingId, const QString &participantId)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end())
        return;
    const auto it = room->members.find(participantId);
    if (it == room->members.end())
        return;
    const Member gone = *it;
    room->members.erase(it);
    JanusConnection *node = room->node;

    // Kicking first ends the participant's PeerConnection in Janus at once, whatever state its
    // handle is in; detaching then frees the handles.
    if (gone.joined && room->control != 0)
        node->message(room->control,
                      {{u"request"_s, u"kick"_s},
                       {u"room"_s, meetingId},
                       {u"secret"_s, room->secret},
                       {u"id"_s, participantId}},
                      {}, [](const QJsonObject &, const QString &) {});
    for (const qint64 handle : gone.subscriptions) {
        forgetHandle(node, handle);
        node->detach(handle);
    }
    forgetHandle(node, gone.publisher);
    node->detach(gone.publisher);

    const QStringList others = room->members.keys();
    for (const QString &other : others)
        closeSubscription(*room, meetingId, other, participantId, true);

    MediaEvent event;
    event.kind = MediaEvent::Kind::Disconnected;
    event.meetingId = meetingId;
    event.participantId = participantId;
    report(event);
}

void JanusMediaPlane::closeSubscription(Room &room, const QString &meetingId,
                                        const QString &participantId, const QString &feed,
                                        bool tell)
{
    const auto it = room.members.find(participantId);
    if (it == room.members.end())
        return;
    const qint64 handle = it->subscriptions.take(feed);
    if (handle == 0)
        return;
    forgetHandle(room.node, handle);
    room.node->detach(handle);
    if (tell)
        deliver(meetingId, participantId, u"feed_closed"_s, {{u"feed"_s, feed}});
}

void JanusMediaPlane::setAudioMuted(const QString &meetingId, const QString &participantId,
                                    bool muted)
{
    Member *target = member(meetingId, participantId);
    if (!target)
        return;
    target->audioMuted = muted;
    applyModeration(meetingId, participantId);
}

void JanusMediaPlane::applyModeration(const QString &meetingId, const QString &participantId)
{
    const Member *target = member(meetingId, participantId);
    const Room &room = m_rooms[meetingId];
    // Before the first publication there is no stream to moderate; publish() applies the flag.
    if (!target || !target->published || target->audioMid.isEmpty() || room.control == 0)
        return;

    const bool muted = target->audioMuted;
    room.node->message(room.control,
                       {{u"request"_s, u"moderate"_s},
                        {u"room"_s, meetingId},
                        {u"secret"_s, room.secret},
                        {u"id"_s, participantId},
                        {u"mid"_s, target->audioMid},
                        {u"mute"_s, muted}},
                       {}, [participantId, muted](const QJsonObject &, const QString &error) {
                           if (!error.isEmpty())
                               qCWarning(lcJanus) << "could not" << (muted ? "mute" : "unmute")
                                                  << participantId << ":" << error;
                       });
}

Status JanusMediaPlane::signal(const QString &meetingId, const QString &participantId,
                               const QString &type, const QJsonObject &payload)
{
    Member *sender = member(meetingId, participantId);
    if (!sender)
        return Error{ErrorCode::Conflict, u"You are not in the meeting's media room."_s};
    if (!m_rooms[meetingId].node->isReady())
        return Error{ErrorCode::Unavailable,
                     u"The media server cannot be reached just now; try again shortly."_s};
    const QString feed = payload.value(u"feed"_s).toString();
    const QString requestId = payload.value(u"id"_s).toString();
    if (!payload.value(u"feed"_s).isUndefined() && !payload.value(u"feed"_s).isString())
        return Error{ErrorCode::InvalidRequest, u"`feed` must be a participant id."_s};

    if (type == u"offer" || type == u"answer") {
        const QJsonValue sdp = payload.value(u"sdp"_s);
        if (!sdp.isString() || sdp.toString().isEmpty())
            return Error{ErrorCode::InvalidRequest, u"`sdp` must be a non-empty string."_s};
        if (hasControlCharacters(sdp.toString()))
            return Error{ErrorCode::InvalidRequest,
                         u"`sdp` holds control characters; SDP is lines of text."_s};
        if (type == u"offer") {
            if (!feed.isEmpty())
                return Error{ErrorCode::InvalidRequest,
                             u"Receiving connections are offered by the SFU; answer them. An "
                             "offer without `feed` publishes your own media."_s};
            whenJoined(meetingId, participantId,
                       [this, meetingId, participantId, sdp = sdp.toString(), requestId] {
                           publish(meetingId, participantId, sdp, requestId);
                       });
            return success();
        }
        if (feed.isEmpty())
            return Error{ErrorCode::InvalidRequest,
                         u"An answer names the `feed` whose offer it answers."_s};
        const qint64 handle = sender->subscriptions.value(feed);
        if (handle == 0)
            return Error{ErrorCode::InvalidRequest, u"No offer for that `feed` is open."_s};
        JanusConnection *node = m_rooms[meetingId].node;
        node->message(
            handle, {{u"request"_s, u"start"_s}},
            {{u"type"_s, u"answer"_s}, {u"sdp"_s, sdp.toString()}},
            [this, meetingId, participantId, requestId](const QJsonObject &, const QString &error) {
                if (!error.isEmpty())
                    refuse(meetingId, participantId, requestId, error);
            });
        return success();
    }

    if (type == u"candidate") {
        const QJsonValue candidate = payload.value(u"candidate"_s);
        const QJsonValue line = candidate.toObject().value(u"candidate"_s);
        if ((!candidate.isObject() && !candidate.isNull())
            || (candidate.isObject()
                && (!line.isString() || hasControlCharacters(line.toString()))))
            return Error{ErrorCode::InvalidRequest,
                         u"`candidate` must be an RTCIceCandidate object with its `candidate` "
                         "line, or null for the end of candidates."_s};
        JanusConnection *node = m_rooms[meetingId].node;
        if (feed.isEmpty()) {
            whenJoined(meetingId, participantId, [this, node, meetingId, participantId, candidate] {
                if (const Member *joined = member(meetingId, participantId))
                    node->trickle(joined->publisher, candidate);
            });
            return success();
        }
        const qint64 handle = sender->subscriptions.value(feed);
        if (handle == 0)
            return Error{ErrorCode::InvalidRequest, u"No connection for that `feed` is open."_s};
        node->trickle(handle, candidate);
        return success();
    }
    return Error{ErrorCode::InvalidRequest, u"The SFU takes offers, answers and candidates."_s};
}

void JanusMediaPlane::publish(const QString &meetingId, const QString &participantId,
                              const QString &sdp, const QString &requestId)
{
    const Member *publisher = member(meetingId, participantId);
    if (!publisher)
        return;
    const quint64 generation = publisher->generation;
    const bool first = !publisher->published;
    JanusConnection *node = m_rooms[meetingId].node;

    // A first offer publishes; a later one (an ICE restart, another track) renegotiates.
    const QJsonObject body{{u"request"_s, first ? u"publish"_s : u"configure"_s}};
    node->message(publisher->publisher, body, {{u"type"_s, u"offer"_s}, {u"sdp"_s, sdp}},
                  [this, meetingId, participantId, requestId, generation](const QJsonObject &answer,
                                                                          const QString &error) {
                      Member *published = member(meetingId, participantId);
                      if (!published || published->generation != generation)
                          return;
                      const QJsonObject jsep = answer.value(u"jsep"_s).toObject();
                      if (!error.isEmpty() || jsep.value(u"sdp"_s).toString().isEmpty()) {
                          refuse(meetingId, participantId, requestId,
                                 error.isEmpty() ? u"Janus gave no answer to the offer."_s : error);
                          return;
                      }
                      published->published = true;
                      if (const QString mid = audioMidOf(JanusConnection::pluginData(answer));
                          !mid.isEmpty())
                          published->audioMid = mid;
                      const bool muted = published->audioMuted;
                      deliver(meetingId, participantId, u"answer"_s,
                              {{u"sdp"_s, jsep.value(u"sdp"_s).toString()}});

                      if (muted)
                          applyModeration(meetingId, participantId);
                      // The others receive this feed once Janus has its media (webrtcup): VideoRoom
                      // refuses to subscribe to a publisher before that.
                  });
}

void JanusMediaPlane::subscribe(const QString &meetingId, const QString &participantId,
                                const QString &feed)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end() || !room->members.contains(participantId))
        return;
    closeSubscription(*room, meetingId, participantId, feed, false);
    const quint64 generation = room->members[participantId].generation;
    JanusConnection *node = room->node;

    node->attach([this, node, meetingId, participantId, feed, generation](const QJsonObject &answer,
                                                                          const QString &error) {
        const qint64 handle = answer.value(u"data"_s).toObject().value(u"id"_s).toInteger();
        Member *receiver = member(meetingId, participantId);
        if (!receiver || receiver->generation != generation || !error.isEmpty()) {
            node->detach(handle);
            return;
        }
        if (const qint64 earlier = receiver->subscriptions.value(feed)) {
            forgetHandle(node, earlier);
            node->detach(earlier);
        }
        receiver->subscriptions.insert(feed, handle);
        m_handles[{node, handle}] = HandleOwner{meetingId, participantId, feed};

        const QJsonObject join{{u"request"_s, u"join"_s},
                               {u"ptype"_s, u"subscriber"_s},
                               {u"room"_s, meetingId},
                               {u"streams"_s, QJsonArray{QJsonObject{{u"feed"_s, feed}}}}};
        node->message(
            handle, join, {},
            [this, meetingId, participantId, feed, handle](const QJsonObject &answer,
                                                           const QString &error) {
                Member *receiver = member(meetingId, participantId);
                if (!receiver || receiver->subscriptions.value(feed) != handle)
                    return;
                const QString sdp = answer.value(u"jsep"_s).toObject().value(u"sdp"_s).toString();
                if (!error.isEmpty() || sdp.isEmpty()) {
                    // The feed left meanwhile, most likely; its participant_left
                    // tells the receiver.
                    qCDebug(lcJanus) << participantId << "cannot receive" << feed << ":" << error;
                    closeSubscription(m_rooms[meetingId], meetingId, participantId, feed, false);
                    return;
                }
                deliver(meetingId, participantId, u"offer"_s, {{u"feed"_s, feed}, {u"sdp"_s, sdp}});
            });
    });
}

Status JanusMediaPlane::startCapture(const QString &meetingId, const QString &recordingId,
                                     const QString &directory)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end())
        return Error{ErrorCode::Conflict, u"The meeting's room is not open."_s};
    if (room->capture)
        return Error{ErrorCode::RecordingActive, u"The room is already recording."_s};
    if (!room->node->isReady())
        return Error{ErrorCode::Unavailable, u"The media server cannot be reached just now."_s};

    room->capture = Capture{recordingId, directory, nowMs(), false};
    whenReady(meetingId, [this, meetingId, recordingId, directory] {
        const Room &ready = m_rooms[meetingId];
        JanusConnection *node = ready.node;
        const qint64 control = ready.control;
        const QString secret = ready.secret;
        auto failed = [this, meetingId, recordingId](const QString &error) {
            const auto room = m_rooms.find(meetingId);
            if (room == m_rooms.end() || !room->capture
                || room->capture->recordingId != recordingId)
                return;
            room->capture.reset();
            qCWarning(lcJanus) << "recording" << recordingId << "did not start:" << error;
            reportCaptureFailed(meetingId, recordingId, u"capture_failed"_s,
                                u"The media server could not start recording."_s);
        };
        // The room records into the recording's own directory, then every publisher's
        // recorder starts (and those who publish later are recorded from their start).
        node->message(control,
                      {{u"request"_s, u"edit"_s},
                       {u"room"_s, meetingId},
                       {u"secret"_s, secret},
                       {u"new_rec_dir"_s, directory}},
                      {},
                      [this, node, control, secret, meetingId, recordingId,
                       failed](const QJsonObject &, const QString &error) {
                          if (!error.isEmpty()) {
                              failed(error);
                              return;
                          }
                          node->message(
                              control,
                              {{u"request"_s, u"enable_recording"_s},
                               {u"room"_s, meetingId},
                               {u"secret"_s, secret},
                               {u"record"_s, true}},
                              {}, [failed, recordingId](const QJsonObject &, const QString &error) {
                                  if (!error.isEmpty())
                                      failed(error);
                                  else
                                      qCInfo(lcJanus) << "recording" << recordingId;
                              });
                      });
    });
    return success();
}

Status JanusMediaPlane::stopCapture(const QString &meetingId, const QString &recordingId)
{
    const auto room = m_rooms.find(meetingId);
    if (room == m_rooms.end() || !room->capture || room->capture->recordingId != recordingId)
        return Error{ErrorCode::NotRecording, u"The room is not recording that."_s};
    if (room->capture->stopping)
        return success();
    finishCapture(meetingId, {});
    return success();
}

void JanusMediaPlane::finishCapture(const QString &meetingId, std::function<void()> then)
{
    Room &room = m_rooms[meetingId];
    room.capture->stopping = true;
    const Capture capture = *room.capture;

    auto collect = [this, meetingId, capture, then](const QString &error) {
        if (!error.isEmpty())
            qCWarning(lcJanus) << "stopping recording" << capture.recordingId << ":" << error;
        const qint64 stoppedAtMs = nowMs();
        QTimer::singleShot(
            kCaptureSettleMs, m_context.get(), [this, meetingId, capture, then, stoppedAtMs] {
                if (const auto room = m_rooms.find(meetingId); room != m_rooms.end()
                    && room->capture && room->capture->recordingId == capture.recordingId)
                    room->capture.reset();

                const QJsonArray files = capturedFiles(capture.directory);
                if (files.isEmpty()) {
                    reportCaptureFailed(meetingId, capture.recordingId, u"capture_empty"_s,
                                        u"Nobody sent audio or video while the recording ran."_s);
                } else {
                    MediaEvent event;
                    event.kind = MediaEvent::Kind::CaptureFinished;
                    event.meetingId = meetingId;
                    event.recordingId = capture.recordingId;
                    event.payload = {{u"files"_s, files},
                                     {u"duration_ms"_s, stoppedAtMs - capture.startedAtMs},
                                     {u"started_at_ms"_s, capture.startedAtMs}};
                    report(event);
                }
                if (then)
                    then();
            });
    };
    if (!room.ready) {
        collect(u"the room was never ready"_s);
        return;
    }
    room.node->message(room.control,
                       {{u"request"_s, u"enable_recording"_s},
                        {u"room"_s, meetingId},
                        {u"secret"_s, room.secret},
                        {u"record"_s, false}},
                       {},
                       [collect](const QJsonObject &, const QString &error) { collect(error); });
}

QJsonArray JanusMediaPlane::capturedFiles(const QString &directory)
{
    static const QRegularExpression name(
        u"^videoroom-.+-user-(.+)-\\d+-(audio|video)-\\d+\\.mjr$"_s);
    QJsonArray files;
    const QStringList entries
        = QDir(directory).entryList({u"*.mjr"_s}, QDir::Files | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &entry : entries) {
        const auto match = name.match(entry);
        // A recorder that never got a packet leaves a file with a header at most.
        if (!match.hasMatch() || QFileInfo(QDir(directory).filePath(entry)).size() < 64)
            continue;
        files.append(QJsonObject{{u"kind"_s, match.captured(2)},
                                 {u"path"_s, entry},
                                 {u"format"_s, u"mjr"_s},
                                 {u"participant_id"_s, match.captured(1)}});
    }
    return files;
}

void JanusMediaPlane::onHandleEvent(JanusConnection *node, qint64 handle,
                                    const QJsonObject &message)
{
    const auto owner = m_handles.find({node, handle});
    if (owner == m_handles.end())
        return;
    const HandleOwner who = owner->second;
    const QString kind = message.value(u"janus"_s).toString();

    if (kind == u"detached") {
        m_handles.erase(owner);
        return;
    }
    if (who.feed.isEmpty() && (kind == u"webrtcup" || kind == u"hangup")) {
        publisherMediaChanged(who.meetingId, who.participantId, kind == u"webrtcup");
        MediaEvent event;
        event.kind
            = kind == u"webrtcup" ? MediaEvent::Kind::Connected : MediaEvent::Kind::Disconnected;
        event.meetingId = who.meetingId;
        event.participantId = who.participantId;
        report(event);
        if (kind == u"hangup")
            qCInfo(lcJanus) << who.participantId
                            << "hung up:" << message.value(u"reason"_s).toString();
        return;
    }
    if (kind == u"slowlink") {
        qCInfo(lcJanus) << "slow link:" << who.participantId
                        << (who.feed.isEmpty() ? "publishing" : "receiving") << who.feed
                        << (message.value(u"uplink"_s).toBool() ? "from the client" : "to it")
                        << "lost" << message.value(u"lost"_s).toInt();
        return;
    }
    if (kind == u"event" && !who.feed.isEmpty()) {
        // A receiving handle whose feed stopped: the receiver closes that connection.
        const QJsonObject data = JanusConnection::pluginData(message);
        if (data.value(u"left"_s).toString() == u"ok" || data.contains(u"unpublished"_s)) {
            closeSubscription(m_rooms[who.meetingId], who.meetingId, who.participantId, who.feed,
                              true);
        }
    }
}

void JanusMediaPlane::publisherMediaChanged(const QString &meetingId, const QString &participantId,
                                            bool up)
{
    Member *publisher = member(meetingId, participantId);
    if (!publisher || publisher->mediaUp == up)
        return;
    publisher->mediaUp = up;
    if (!up) {
        // A PeerConnection that failed publishes nothing: the next offer publishes anew, and
        // the receivers close their connections to it until then.
        publisher->published = false;
        publisher->audioMid.clear();
    }

    Room &room = m_rooms[meetingId];
    const QStringList others = room.members.keys();
    for (const QString &other : others) {
        if (other == participantId)
            continue;
        if (up)
            subscribe(meetingId, other, participantId);
        else
            closeSubscription(room, meetingId, other, participantId, true);
    }
}

void JanusMediaPlane::onNodeReady(JanusConnection *node)
{
    {
        const std::lock_guard lock(m_statusMutex);
        m_connected.insert(node->node().name, true);
    }

    const QStringList meetings = m_rooms.keys();
    for (const QString &meetingId : meetings) {
        Room &room = m_rooms[meetingId];
        if (room.node != node || room.ready)
            continue;
        createRoom(meetingId);
        // Members admitted while the node was away join as soon as the room stands.
        const QStringList members = room.members.keys();
        for (const QString &participantId : members)
            whenReady(meetingId, [this, meetingId, participantId] {
                joinAsPublisher(meetingId, participantId);
            });
    }
}

void JanusMediaPlane::onNodeLost(JanusConnection *node)
{
    {
        const std::lock_guard lock(m_statusMutex);
        m_connected.insert(node->node().name, false);
    }

    // Everything on that node is gone: its rooms stand again once it is back, but media that
    // flowed through it must be negotiated anew, and a recording there is lost.
    for (auto it = m_handles.begin(); it != m_handles.end();) {
        if (it->first.first == node)
            it = m_handles.erase(it);
        else
            ++it;
    }
    for (auto room = m_rooms.begin(); room != m_rooms.end(); ++room) {
        if (room->node != node)
            continue;
        room->ready = false;
        room->control = 0;
        // onNodeReady joins every member again; steps queued for the old room would join them
        // twice.
        room->whenReady.clear();
        for (Member &member : room->members) {
            member.publisher = 0;
            member.joined = false;
            member.published = false;
            member.mediaUp = false;
            member.audioMid.clear();
            member.subscriptions.clear();
            member.whenJoined.clear();
        }
        if (room->capture) {
            const QString recordingId = room->capture->recordingId;
            room->capture.reset();
            reportCaptureFailed(room.key(), recordingId, u"capture_lost"_s,
                                u"The media server went away during the recording."_s);
        }
    }
}

void JanusMediaPlane::forgetHandle(const JanusConnection *node, qint64 handle)
{
    if (handle != 0)
        m_handles.erase({node, handle});
}

void JanusMediaPlane::deliver(const QString &meetingId, const QString &participantId,
                              const QString &type, const QJsonObject &payload) const
{
    MediaEvent event;
    event.kind = MediaEvent::Kind::Signal;
    event.meetingId = meetingId;
    event.participantId = participantId;
    event.signalType = type;
    event.payload = payload;
    report(event);
}

void JanusMediaPlane::refuse(const QString &meetingId, const QString &participantId,
                             const QString &requestId, const QString &message) const
{
    qCWarning(lcJanus) << "media negotiation failed for" << participantId << ":" << message;
    QJsonObject payload{{u"code"_s, u"media_failed"_s},
                        {u"message"_s, u"The media server refused the negotiation."_s}};
    if (!requestId.isEmpty())
        payload.insert(u"id"_s, requestId);
    deliver(meetingId, participantId, u"error"_s, payload);
}

void JanusMediaPlane::reportCaptureFailed(const QString &meetingId, const QString &recordingId,
                                          const QString &code, const QString &message) const
{
    MediaEvent event;
    event.kind = MediaEvent::Kind::CaptureFailed;
    event.meetingId = meetingId;
    event.recordingId = recordingId;
    event.payload = {{u"error_code"_s, code}, {u"message"_s, message}};
    report(event);
}

} // namespace quorum::media
