// The join page of a Quorum meeting: the entry form, then the call over /v1/signal
// (resources/signalling.md). Media goes one of two ways, as `joined` says: "mesh", where each
// pair of participants negotiates through the gateway (the newcomer offers to everyone
// present), or "sfu", where the client publishes on one connection and receives each other
// participant's feed on a connection of its own, all negotiated with the media plane.
'use strict';

(() => {
  const page = document.body.dataset;
  const meetingId = page.meetingId;
  const asHost = page.as === 'host';
  const $ = (id) => document.getElementById(id);

  // ---- state ----

  const state = {
    socket: null,
    requestId: 1,
    me: null, // {id, role, name}
    media: 'mesh',
    iceServers: [],
    participants: new Map(), // id -> participant object from the server
    waitingNotices: new Map(), // waiting participant id -> its "Let in" notice (hosts)
    local: null, // the MediaStream of the camera and microphone
    screen: null, // the screen-sharing track while sharing
    audioMuted: false,
    videoMuted: false,
    mesh: new Map(), // participant id -> Peer (mesh)
    publisher: null, // Peer (sfu)
    feeds: new Map(), // participant id -> Peer (sfu)
    closing: false, // the call is ending on purpose: a close is not a drop
    resumeToken: null,
    resumeGrace: 60000,
    resumeUntil: 0, // while the socket is away: until when it may come back
    lastName: '',
  };

  // ---- small helpers ----

  function show(screen) {
    for (const id of ['entry', 'message', 'waiting', 'call'])
      $(id).hidden = id !== screen;
    document.body.classList.toggle('in-call', screen === 'call' || screen === 'waiting');
    document.body.dataset.screen = screen;
  }

  function initials(name) {
    const parts = (name || '?').trim().split(/\s+/).filter(Boolean);
    const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : parts[0] || '?';
    return letters.slice(0, 2).toUpperCase();
  }

  function nextId() {
    state.requestId += 1;
    return String(state.requestId);
  }

  function send(frame) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN)
      state.socket.send(JSON.stringify(frame));
  }

  function notice(text, kind = 'info', action = null, seconds = 6) {
    const box = document.createElement('div');
    box.className = `notice ${kind}`;
    box.setAttribute('role', kind === 'warn' ? 'alert' : 'status');
    const words = document.createElement('p');
    words.textContent = text;
    box.append(words);
    if (action) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = action.label;
      button.addEventListener('click', () => { box.remove(); action.run(); });
      box.append(button);
    }
    $('notices').append(box);
    if (seconds > 0)
      setTimeout(() => box.remove(), seconds * 1000);
    return box;
  }

  function showMessage(title, text, { icon = 'i', tone = '', again = false } = {}) {
    endCall();
    $('message-icon').textContent = icon;
    $('message-icon').className = `message-icon ${tone}`;
    $('message-title').textContent = title;
    $('message-text').textContent = text;
    $('message-again').hidden = !again;
    show('message');
    document.title = `${title} · Quorum`;
    $('message-title').focus();
  }

  // ---- local media ----

  async function openLocalMedia(constraints = { audio: true, video: true }) {
    if (!navigator.mediaDevices?.getUserMedia)
      return null;
    const attempts = [constraints, { audio: constraints.audio }, { video: constraints.video }];
    for (const attempt of attempts) {
      if (!attempt.audio && !attempt.video)
        continue;
      try {
        return await navigator.mediaDevices.getUserMedia(attempt);
      } catch (error) {
        // Try with less: a missing camera should not keep the microphone out.
      }
    }
    return null;
  }

  function localTrack(kind) {
    return state.local?.getTracks().find((track) => track.kind === kind) || null;
  }

  // The track the video senders carry: the screen while sharing, else the camera.
  function outgoingVideo() {
    return state.screen || localTrack('video');
  }

  function applyLocalState() {
    const audio = localTrack('audio');
    if (audio)
      audio.enabled = !state.audioMuted;
    const video = localTrack('video');
    if (video)
      video.enabled = !state.videoMuted;

    const hasAudio = Boolean(audio);
    const hasVideo = Boolean(video);
    setToggle($('entry-mic'), state.audioMuted || !hasAudio, 'Microphone', 'i-mic');
    setToggle($('entry-cam'), state.videoMuted || !hasVideo, 'Camera', 'i-cam');
    $('entry-video-off').hidden = hasVideo && !state.videoMuted;
    $('entry-video').hidden = !hasVideo || state.videoMuted;
    setControl($('mic-button'), state.audioMuted || !hasAudio, 'Unmute', 'Mute', 'i-mic');
    setControl($('cam-button'), state.videoMuted || !hasVideo, 'Start video', 'Stop video',
               'i-cam');
    $('mic-button').disabled = !hasAudio;
    $('cam-button').disabled = !hasVideo;
    const self = state.me && tileFor(state.me.id);
    if (self) {
      self.classList.toggle('audio-off', state.audioMuted || !hasAudio);
      self.classList.toggle('video-off', !state.screen && (state.videoMuted || !hasVideo));
    }
  }

  function setToggle(button, off, what, icon) {
    button.setAttribute('aria-pressed', String(off));
    const label = `${what} ${off ? 'off' : 'on'}`;
    button.setAttribute('aria-label', label);
    button.title = label;
    button.querySelector('use').setAttribute('href', `#${icon}${off ? '-off' : ''}`);
  }

  function setControl(button, off, offLabel, onLabel, icon) {
    button.setAttribute('aria-pressed', String(off));
    button.querySelector('span').textContent = off ? offLabel : onLabel;
    button.querySelector('use').setAttribute('href', `#${icon}${off ? '-off' : ''}`);
  }

  function describeDevices() {
    const audio = localTrack('audio');
    const video = localTrack('video');
    let text = '';
    if (!audio && !video)
      text = 'No camera or microphone could be opened. You can still join to watch and listen.';
    else if (!video)
      text = 'No camera could be opened; you will join with sound only.';
    else if (!audio)
      text = 'No microphone could be opened; the others will not hear you.';
    $('entry-devices').textContent = text;
  }

  async function fillDeviceLists() {
    if (!navigator.mediaDevices?.enumerateDevices)
      return;
    const devices = await navigator.mediaDevices.enumerateDevices();
    const lists = { videoinput: $('camera-select'), audioinput: $('microphone-select') };
    for (const [kind, select] of Object.entries(lists)) {
      const current = localTrack(kind === 'videoinput' ? 'video' : 'audio');
      const currentId = current?.getSettings().deviceId;
      select.replaceChildren();
      let count = 0;
      for (const device of devices.filter((d) => d.kind === kind)) {
        count += 1;
        const fallback = `${kind === 'videoinput' ? 'Camera' : 'Microphone'} ${count}`;
        const option = new Option(device.label || fallback, device.deviceId);
        option.selected = device.deviceId === currentId;
        select.append(option);
      }
      if (count === 0)
        select.append(new Option('None found', ''));
      select.disabled = count < 2;
    }
  }

  // Another camera or microphone: the new track replaces the old one in every connection.
  async function switchDevice(kind, deviceId) {
    if (!deviceId)
      return;
    const constraints = kind === 'video' ? { video: { deviceId: { exact: deviceId } } }
                                         : { audio: { deviceId: { exact: deviceId } } };
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      notice(`That ${kind === 'video' ? 'camera' : 'microphone'} could not be opened.`, 'warn');
      return;
    }
    const track = stream.getTracks()[0];
    const old = localTrack(kind);
    if (!state.local)
      state.local = new MediaStream();
    if (old) {
      state.local.removeTrack(old);
      old.stop();
    }
    state.local.addTrack(track);
    applyLocalState();
    if (kind === 'audio' || !state.screen)
      await replaceOutgoing(kind, track);
    attachSelfVideo();
  }

  async function replaceOutgoing(kind, track) {
    const senders = [];
    for (const peer of peers())
      senders.push(...peer.senders.filter((s) => s.kind === kind));
    await Promise.all(senders.map((s) => s.sender.replaceTrack(track).catch(() => {})));
  }

  function attachSelfVideo() {
    const stream = state.screen ? new MediaStream([state.screen]) : state.local;
    for (const video of [$('entry-video'), $('waiting-video')])
      video.srcObject = state.local;
    const self = state.me && tileFor(state.me.id);
    if (self) {
      const video = self.querySelector('video');
      video.srcObject = stream;
      video.classList.toggle('mirror', !state.screen);
      self.classList.toggle('screen-share', Boolean(state.screen));
    }
  }

  // ---- screen sharing ----

  async function toggleShare() {
    if (state.screen) {
      stopShare();
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch (error) {
      return; // the person changed their mind
    }
    state.screen = stream.getVideoTracks()[0];
    state.screen.addEventListener('ended', stopShare);
    await replaceOutgoing('video', state.screen);
    $('share-button').setAttribute('aria-pressed', 'true');
    $('share-button').setAttribute('aria-label', 'Stop sharing');
    $('share-button').querySelector('span').textContent = 'Stop';
    attachSelfVideo();
    applyLocalState();
    send({ type: 'media_state', video_muted: false });
  }

  function stopShare() {
    if (!state.screen)
      return;
    state.screen.stop();
    state.screen = null;
    replaceOutgoing('video', localTrack('video'));
    $('share-button').setAttribute('aria-pressed', 'false');
    $('share-button').setAttribute('aria-label', 'Share screen');
    $('share-button').querySelector('span').textContent = 'Share';
    attachSelfVideo();
    applyLocalState();
    send({ type: 'media_state', video_muted: state.videoMuted || !localTrack('video') });
  }

  // ---- tiles ----

  function tileFor(id) {
    return document.querySelector(`.tile[data-participant="${CSS.escape(id)}"]`);
  }

  function ensureTile(participant) {
    let tile = tileFor(participant.id);
    const self = state.me && participant.id === state.me.id;
    if (!tile) {
      tile = document.createElement('figure');
      tile.className = 'tile';
      tile.dataset.participant = participant.id;
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      if (self) {
        video.muted = true;
        video.classList.add('mirror');
      }
      const avatar = document.createElement('div');
      avatar.className = 'avatar';
      avatar.append(document.createElement('span'));
      const caption = document.createElement('figcaption');
      const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      icon.setAttribute('aria-hidden', 'true');
      const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
      use.setAttribute('href', '#i-mic-off');
      icon.append(use);
      const name = document.createElement('span');
      name.className = 'name';
      const muted = document.createElement('span');
      muted.className = 'visually-hidden muted-text';
      caption.append(icon, name, muted);
      tile.append(video, avatar, caption);
      if (self)
        $('grid').prepend(tile);
      else
        $('grid').append(tile);
      const peer = !self && (state.mesh.get(participant.id) || state.feeds.get(participant.id));
      if (peer?.received)
        video.srcObject = peer.received;
      else if (!self)
        tile.classList.add('connecting');
    }
    const label = self ? `${participant.display_name} (you)` : participant.display_name;
    tile.querySelector('.name').textContent = label;
    tile.querySelector('.avatar span').textContent = initials(participant.display_name);
    tile.setAttribute('aria-label', label);
    if (!self) {
      tile.classList.toggle('audio-off', Boolean(participant.audio_muted));
      tile.classList.toggle('video-off', Boolean(participant.video_muted)
                                         || !tile.querySelector('video').srcObject);
    }
    tile.querySelector('.muted-text').textContent = tile.classList.contains('audio-off')
      ? ', microphone off' : '';
    layout();
    return tile;
  }

  function removeTile(id) {
    tileFor(id)?.remove();
    layout();
  }

  function layout() {
    const count = $('grid').children.length;
    $('grid').dataset.count = String(Math.min(count, 9));
    $('grid').toggleAttribute('data-many', count > 9);
    $('people-count').textContent = String(count);
  }

  function showRemoteStream(id, stream) {
    const tile = tileFor(id);
    if (!tile)
      return;
    const video = tile.querySelector('video');
    if (video.srcObject !== stream)
      video.srcObject = stream;
    tile.classList.remove('connecting');
    const participant = state.participants.get(id);
    tile.classList.toggle('video-off', Boolean(participant?.video_muted));
  }

  // ---- peer connections (both modes) ----

  // One RTCPeerConnection and what the page needs to know about it. Signalling for it runs
  // one step at a time, in arrival order: an offer's candidates wait for the offer.
  class Peer {
    constructor(key, { polite, route, sends = true }) {
      this.key = key; // participant id (mesh, sfu feeds) or 'publisher'
      this.polite = polite;
      this.sends = sends; // false for an SFU feed: it only receives
      this.route = route; // the fields that address this connection's frames
      this.pc = new RTCPeerConnection({ iceServers: state.iceServers });
      this.senders = []; // {kind, sender}
      this.makingOffer = false;
      this.ignoreOffer = false;
      this.queue = Promise.resolve();
      this.stream = new MediaStream();
      this.pc.addEventListener('icecandidate', ({ candidate }) => {
        send({ type: 'candidate', ...this.route, candidate: candidate ? candidate.toJSON()
                                                                       : null });
      });
      this.pc.addEventListener('track', ({ track, streams }) => {
        const stream = streams[0] || this.stream;
        if (!streams[0])
          this.stream.addTrack(track);
        this.received = stream;
        this.onStream?.(stream);
      });
      this.pc.addEventListener('negotiationneeded', () => this.step(() => this.offer()));
      this.pc.addEventListener('connectionstatechange', () => {
        if (this.pc.connectionState === 'failed' && !this.polite)
          this.pc.restartIce();
      });
    }

    step(work) {
      this.queue = this.queue.then(work).catch((error) => {
        console.warn(`quorum: negotiation with ${this.key} failed:`, error);
      });
      return this.queue;
    }

    // Our own tracks. In a mesh, a kind we cannot send still gets a receive-only slot, so
    // that the offer always asks for the other side's audio and video; a publisher to the
    // SFU offers only what it sends.
    addLocal(direction) {
      for (const kind of ['audio', 'video']) {
        const track = kind === 'video' ? outgoingVideo() : localTrack('audio');
        if (!track && direction === 'sendonly')
          continue;
        const transceiver = this.pc.addTransceiver(track || kind, {
          direction: track ? direction : 'recvonly',
          streams: state.local ? [state.local] : [],
        });
        this.senders.push({ kind, sender: transceiver.sender });
      }
    }

    // After an offer arrived: our tracks go into the slots it made, kind by kind.
    fillFromOffer() {
      if (!this.sends)
        return;
      for (const transceiver of this.pc.getTransceivers()) {
        const kind = transceiver.receiver.track.kind;
        if (this.senders.some((s) => s.sender === transceiver.sender))
          continue;
        const track = kind === 'video' ? outgoingVideo() : localTrack('audio');
        if (track) {
          transceiver.sender.replaceTrack(track);
          transceiver.sender.setStreams?.(state.local);
          transceiver.direction = 'sendrecv';
        }
        this.senders.push({ kind, sender: transceiver.sender });
      }
    }

    async offer() {
      if (this.pc.signalingState === 'closed')
        return;
      try {
        this.makingOffer = true;
        await this.pc.setLocalDescription();
        send({ type: 'offer', id: nextId(), ...this.route, sdp: this.pc.localDescription.sdp });
      } finally {
        this.makingOffer = false;
      }
    }

    // An offer or answer from the other side ("perfect negotiation": the polite side yields
    // when both offered at once, the impolite one ignores the other's offer).
    async description(type, sdp) {
      const collision = type === 'offer'
        && (this.makingOffer || this.pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer)
        return;
      await this.pc.setRemoteDescription({ type, sdp });
      if (type === 'offer') {
        this.fillFromOffer();
        await this.pc.setLocalDescription();
        send({ type: 'answer', ...this.route, sdp: this.pc.localDescription.sdp });
      }
    }

    async candidate(candidate) {
      try {
        await this.pc.addIceCandidate(candidate || undefined);
      } catch (error) {
        if (!this.ignoreOffer)
          throw error;
      }
    }

    close() {
      this.pc.close();
    }
  }

  function peers() {
    const all = [...state.mesh.values(), ...state.feeds.values()];
    if (state.publisher)
      all.push(state.publisher);
    return all;
  }

  // Mesh: a connection to one other participant. The newcomer offers; the side with the
  // greater id is the polite one if both ever offer at once.
  function meshPeer(id, { offer }) {
    let peer = state.mesh.get(id);
    if (peer)
      return peer;
    peer = new Peer(id, { polite: state.me.id > id, route: { to: id } });
    peer.onStream = (stream) => showRemoteStream(id, stream);
    state.mesh.set(id, peer);
    if (offer)
      peer.addLocal('sendrecv');
    return peer;
  }

  // SFU: our one publishing connection.
  function startPublishing() {
    if (state.publisher || !state.local?.getTracks().length)
      return; // nothing to send: the others are still received
    state.publisher = new Peer('publisher', { polite: false, route: { to: 'sfu' } });
    state.publisher.addLocal('sendonly');
  }

  function feedPeer(id) {
    let peer = state.feeds.get(id);
    if (peer)
      return peer;
    peer = new Peer(id, { polite: true, route: { to: 'sfu', feed: id }, sends: false });
    peer.onStream = (stream) => showRemoteStream(id, stream);
    state.feeds.set(id, peer);
    return peer;
  }

  function closePeer(id) {
    state.mesh.get(id)?.close();
    state.mesh.delete(id);
    state.feeds.get(id)?.close();
    state.feeds.delete(id);
  }

  // Entering the room (joined present, admitted, resumed): start the media.
  function startMedia(participants) {
    for (const participant of participants)
      remember(participant);
    if (state.media === 'sfu') {
      startPublishing();
      return;
    }
    for (const participant of participants) {
      if (participant.id !== state.me.id && participant.state === 'present')
        meshPeer(participant.id, { offer: true });
    }
  }

  function onMediaFrame(frame) {
    const from = frame.from;
    if (state.media === 'sfu') {
      if (from !== 'sfu')
        return;
      const peer = frame.feed ? feedPeer(frame.feed) : state.publisher;
      if (!peer)
        return;
      if (frame.type === 'candidate')
        peer.step(() => peer.candidate(frame.candidate));
      else
        peer.step(() => peer.description(frame.type, frame.sdp));
      return;
    }
    // The relay passes on only what present participants send, even one whose arrival has
    // not reached this page yet: its tile picks the stream up when it comes.
    if (!from || from === 'sfu' || from === state.me?.id)
      return;
    const peer = meshPeer(from, { offer: false });
    if (frame.type === 'candidate')
      peer.step(() => peer.candidate(frame.candidate));
    else
      peer.step(() => peer.description(frame.type, frame.sdp));
  }

  // ---- the roster ----

  function remember(participant) {
    if (participant.state === 'left') {
      forget(participant.id);
      return;
    }
    if (participant.state !== 'waiting')
      dropWaitingNotice(participant.id);
    state.participants.set(participant.id, participant);
    if (participant.state === 'present')
      ensureTile(participant);
    else
      removeTile(participant.id);
  }

  function forget(id) {
    dropWaitingNotice(id);
    state.participants.delete(id);
    closePeer(id);
    removeTile(id);
  }

  // A host's "X is waiting" with its Let in button: one per waiting person, gone once they
  // are in or have left, however that happened.
  function waitingNotice(participant) {
    if (!state.me || !['host', 'co_host'].includes(state.me.role)
        || state.waitingNotices.has(participant.id))
      return;
    const box = notice(`${participant.display_name} is waiting to join.`, 'info', {
      label: 'Let in',
      run: () => {
        state.waitingNotices.delete(participant.id);
        send({ type: 'admit', id: nextId(), participant_id: participant.id });
      },
    }, 0);
    state.waitingNotices.set(participant.id, box);
  }

  function dropWaitingNotice(id) {
    state.waitingNotices.get(id)?.remove();
    state.waitingNotices.delete(id);
  }

  // Those who were waiting before this host arrived (or came back).
  function noticeEveryoneWaiting(participants) {
    for (const participant of participants) {
      if (participant.state === 'waiting')
        waitingNotice(participant);
    }
  }

  // ---- the signalling socket ----

  function connect(url, first) {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = new WebSocket(url, 'quorum.v1');
      } catch (error) {
        reject(error);
        return;
      }
      state.socket = socket;
      let answered = false;
      socket.addEventListener('open', () => socket.send(JSON.stringify(first)));
      socket.addEventListener('message', (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (!answered && frame.id === first.id) {
          answered = true;
          resolve(frame);
        }
        onFrame(frame);
      });
      socket.addEventListener('close', (event) => {
        if (!answered)
          reject(Object.assign(new Error('closed'), { closeCode: event.code }));
        if (socket === state.socket)
          onClose(event.code);
      });
    });
  }

  const joinErrors = {
    removed_from_meeting: ['You cannot rejoin this meeting',
                           'The host removed you from this meeting.', '✕', 'bad'],
    meeting_ended: ['This meeting has ended', 'You can close this page.', '✓', ''],
    meeting_cancelled: ['This meeting was cancelled', 'The host called it off.', '✕', 'bad'],
    not_found: ['This meeting does not exist', 'Check the link in your invitation.', '?', 'bad'],
    meeting_full: ['This meeting is full', 'Try again once someone has left.', '!', 'bad'],
  };

  function onFrame(frame) {
    switch (frame.type) {
    case 'joined':
    case 'waiting':
    case 'resumed':
      enter(frame);
      break;
    case 'admitted':
      if (frame.participant_id !== state.me?.id)
        break;
      state.me.state = 'present';
      showCall();
      startMedia(frame.participants || []);
      setRecording(frame.recording);
      notice('The host let you in.', 'info');
      break;
    case 'participant_joined':
      remember(frame.participant);
      if (frame.participant.state === 'waiting')
        waitingNotice(frame.participant);
      break;
    case 'participant_updated':
      onParticipantUpdated(frame.participant);
      break;
    case 'participant_left':
      forget(frame.participant_id);
      break;
    case 'feed_closed':
      state.feeds.get(frame.feed)?.close();
      state.feeds.delete(frame.feed);
      break;
    case 'offer':
    case 'answer':
    case 'candidate':
      onMediaFrame(frame);
      break;
    case 'mute_request':
      setAudioMuted(true);
      send({ type: 'ack', ref: frame.ref });
      notice('The host muted your microphone.', 'warn');
      break;
    case 'unmute_request':
      askToUnmute();
      break;
    case 'removed':
      state.closing = true;
      showMessage('You were removed from the meeting',
                  'The host removed you. You cannot rejoin this meeting.',
                  { icon: '✕', tone: 'bad' });
      break;
    case 'meeting_ended':
      state.closing = true;
      showMessage('The meeting has ended',
                  frame.reason === 'host_ended' ? 'The host ended the meeting for everyone.'
                                                : 'Everyone has left. You can close this page.',
                  { icon: '✓' });
      break;
    case 'recording_started':
      setRecording(frame);
      notice('This meeting is being recorded.', 'warn');
      break;
    case 'recording_stopped':
      setRecording(null);
      notice('The recording has stopped.', 'info');
      break;
    case 'error':
      onError(frame);
      break;
    default:
      break;
    }
  }

  function onError(frame) {
    if (frame.id === '1' && joinErrors[frame.code])
      return; // the join's refusal: join() says so
    if (frame.code === 'media_failed')
      notice('The media connection failed. Leave and join again if you cannot see or hear '
             + 'the others.', 'warn');
    else if (frame.code === 'forbidden')
      notice('Only the host can do that.', 'warn');
    else
      console.warn('quorum: the server refused a request:', frame.code, frame.message);
  }

  function onParticipantUpdated(participant) {
    const before = state.participants.get(participant.id);
    remember(participant);
    if (participant.id === state.me?.id) {
      if (participant.role !== state.me.role) {
        state.me.role = participant.role;
        notice(participant.role === 'attendee' ? 'You are no longer a co-host.'
                                               : 'You are now a co-host.', 'info');
      }
      return;
    }
    if (before?.state === 'waiting' && participant.state === 'present')
      ensureTile(participant); // the newcomer offers to us
  }

  function setRecording(recording) {
    $('recording-badge').hidden = !recording;
  }

  function askToUnmute() {
    const dialog = $('unmute-dialog');
    if (dialog.open)
      return;
    dialog.returnValue = '';
    dialog.showModal();
    dialog.addEventListener('close', () => {
      if (dialog.returnValue === 'unmute')
        setAudioMuted(false);
    }, { once: true });
  }

  function setAudioMuted(muted) {
    state.audioMuted = muted;
    applyLocalState();
    send({ type: 'media_state', audio_muted: muted });
  }

  function setVideoMuted(muted) {
    state.videoMuted = muted;
    applyLocalState();
    send({ type: 'media_state', video_muted: muted });
  }

  // joined, waiting or resumed.
  function enter(frame) {
    state.me = { id: frame.participant_id, role: frame.role, state: frame.state,
                 name: state.lastName };
    state.media = frame.media === 'sfu' ? 'sfu' : 'mesh';
    document.body.dataset.media = state.media;
    state.iceServers = Array.isArray(frame.ice_servers) ? frame.ice_servers : [];
    if (frame.resume_token) {
      state.resumeToken = frame.resume_token;
      state.resumeGrace = (frame.resume_grace_seconds || 60) * 1000;
    }
    if (frame.type === 'resumed') {
      // Media kept flowing while the socket was away; only the roster needs a fresh look.
      const present = new Set((frame.participants || []).map((p) => p.id));
      for (const id of [...state.participants.keys()]) {
        if (!present.has(id))
          forget(id);
      }
      for (const participant of frame.participants || [])
        remember(participant);
      noticeEveryoneWaiting(frame.participants || []);
      return;
    }
    state.audioMuted = Boolean(frame.audio_muted) || state.audioMuted;
    if (frame.state === 'waiting') {
      $('waiting-text').textContent = `You will join as ${state.lastName} as soon as the host `
                                      + 'lets you in. Keep this page open.';
      show('waiting');
      $('waiting-title').focus();
      return;
    }
    showCall();
    const participants = frame.participants || [];
    startMedia(participants);
    noticeEveryoneWaiting(participants);
    setRecording(frame.recording);
    if (frame.audio_muted)
      notice('You joined muted. Unmute when you want to speak.', 'info');
  }

  // The time since this person entered the call, as in any call app.
  function startClock() {
    clearInterval(state.clock);
    const started = Date.now();
    const tick = () => {
      const seconds = Math.floor((Date.now() - started) / 1000);
      const hours = Math.floor(seconds / 3600);
      const mm = String(Math.floor(seconds / 60) % 60);
      const ss = String(seconds % 60).padStart(2, '0');
      $('call-clock').textContent = hours ? `${hours}:${mm.padStart(2, '0')}:${ss}`
                                          : `${mm}:${ss}`;
    };
    tick();
    state.clock = setInterval(tick, 1000);
  }

  function showCall() {
    show('call');
    startClock();
    document.title = 'In the meeting · Quorum';
    const self = state.participants.get(state.me.id)
      || { id: state.me.id, display_name: state.lastName, state: 'present' };
    ensureTile(self);
    attachSelfVideo();
    applyLocalState();
    send({ type: 'media_state', audio_muted: state.audioMuted,
           video_muted: state.videoMuted || !localTrack('video') });
    $('mic-button').focus();
  }

  function onClose(code) {
    const wasInCall = !state.closing && state.me;
    state.socket = null;
    if (code === 4004) {
      showMessage('You were removed from the meeting',
                  'The host removed you. You cannot rejoin this meeting.',
                  { icon: '✕', tone: 'bad' });
    } else if (code === 4005) {
      showMessage('The meeting has ended', 'You can close this page.', { icon: '✓' });
    } else if (code === 4007 || state.closing) {
      // We left (or the end was already shown).
    } else if (wasInCall && state.resumeToken) {
      state.resumeUntil = Date.now() + state.resumeGrace;
      resume();
    } else if (wasInCall) {
      showMessage('You lost the connection', 'The connection to the meeting broke off.',
                  { icon: '!', tone: 'bad', again: true });
    }
  }

  async function resume() {
    notice('Reconnecting…', 'info', null, 3);
    const deadline = state.resumeUntil;
    while (Date.now() < deadline) {
      try {
        await connect(page.sfuUrl, { type: 'resume', id: '1', resume_token: state.resumeToken });
        return;
      } catch (error) {
        await new Promise((wake) => setTimeout(wake, 1500));
      }
    }
    showMessage('You lost the connection', 'The connection to the meeting broke off.',
                { icon: '!', tone: 'bad', again: true });
  }

  function endCall() {
    state.closing = true;
    clearInterval(state.clock);
    for (const peer of peers())
      peer.close();
    state.mesh.clear();
    state.feeds.clear();
    state.publisher = null;
    for (const id of [...state.waitingNotices.keys()])
      dropWaitingNotice(id);
    if (state.socket) {
      const socket = state.socket;
      state.socket = null;
      if (socket.readyState <= WebSocket.OPEN)
        socket.close(1000);
    }
    if (state.screen) {
      state.screen.stop();
      state.screen = null;
    }
    $('grid').replaceChildren();
    $('notices').replaceChildren();
    state.participants.clear();
    for (const dialog of document.querySelectorAll('dialog[open]'))
      dialog.close();
  }

  function leave() {
    state.closing = true;
    send({ type: 'leave' });
    showMessage('You left the meeting', 'Join again whenever you are ready.',
                { icon: '✓', tone: 'good', again: true });
  }

  // ---- the entry form ----

  function entryError(text, field = null) {
    $('entry-error').textContent = text;
    $('entry-error').hidden = !text;
    for (const input of [$('display-name'), $('passcode')])
      input.removeAttribute('aria-invalid');
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    }
  }

  function minutes(seconds) {
    const count = Math.max(1, Math.ceil(Number(seconds || 60) / 60));
    return count === 1 ? 'a minute' : `${count} minutes`;
  }

  // What a refused token request means for the person, from the problem's code.
  function tokenRefused(status, problem, retryAfter) {
    const code = problem?.code;
    const fields = (problem?.errors || []).map((e) => e.field);
    if (joinErrors[code]) {
      const [title, text, icon, tone] = joinErrors[code];
      showMessage(title, text, { icon, tone });
      return;
    }
    if (code === 'wrong_passcode') {
      $('passcode-field').hidden = false;
      const needed = (problem.errors || []).some((e) => e.message === 'required');
      entryError(needed ? 'This meeting needs a passcode.' : 'That passcode is not right.',
                 $('passcode'));
      return;
    }
    if (code === 'passcode_locked_out') {
      entryError(`Too many wrong passcodes. Try again in ${minutes(retryAfter)}.`, $('passcode'));
      return;
    }
    if (code === 'rate_limited') {
      entryError(`Too many attempts. Try again in ${minutes(retryAfter)}.`);
      return;
    }
    if (code === 'validation_failed' && fields.includes('display_name')) {
      entryError('Enter a name of 1 to 64 characters.', $('display-name'));
      return;
    }
    if (code === 'validation_failed' && fields.includes('passcode')) {
      entryError('A passcode has up to 10 letters, digits or @ _ * -.', $('passcode'));
      return;
    }
    if (code === 'sign_in_required') {
      showSignIn();
      return;
    }
    if (code === 'csrf_failed') {
      entryError('This page has expired. Reload it and try again.');
      return;
    }
    entryError(status >= 500 ? 'The server could not answer. Try again in a moment.'
                             : `The meeting could not be joined (${code || status}).`);
  }

  async function requestToken(name, passcode) {
    let url = `/v1/meetings/${encodeURIComponent(meetingId)}/joinToken`;
    let body = { guest: true, display_name: name };
    if (asHost && page.csrfToken) {
      url = `/j/${encodeURIComponent(meetingId)}/token`;
      body = { csrf_token: page.csrfToken, display_name: name };
    }
    if (passcode)
      body.passcode = passcode;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
    let json = null;
    try {
      json = await response.json();
    } catch (error) {
      // Not JSON: the status says enough.
    }
    return { status: response.status, json, retryAfter: response.headers.get('Retry-After') };
  }

  async function join(event) {
    event.preventDefault();
    const name = $('display-name').value.trim();
    const passcode = $('passcode').value.trim();
    if (!name) {
      entryError('Enter your name so the others know who joined.', $('display-name'));
      return;
    }
    entryError('');
    const button = $('join-button');
    button.disabled = true;
    const label = button.textContent;
    button.textContent = 'Joining…';
    try {
      let answer;
      try {
        answer = await requestToken(name, passcode);
      } catch (error) {
        entryError('The server cannot be reached. Check your connection and try again.');
        return;
      }
      if (answer.status !== 200 || !answer.json?.jwt) {
        tokenRefused(answer.status, answer.json, answer.retryAfter);
        return;
      }
      state.lastName = name;
      state.closing = false;
      page.sfuUrl = answer.json.sfu_url;
      try {
        const reply = await connect(answer.json.sfu_url, {
          type: 'join', id: '1', token: answer.json.jwt, meeting_id: meetingId });
        if (reply.type === 'error') {
          state.closing = true;
          tokenRefused(403, reply);
          return;
        }
      } catch (error) {
        if (!document.body.dataset.screen || document.body.dataset.screen === 'entry')
          entryError('The meeting could not be reached. Try again in a moment.');
      }
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  }

  function showSignIn() {
    $('entry-title').textContent = 'Start your meeting';
    $('entry-lead').textContent = 'Sign in with your Quorum account to start this meeting as '
                                  + 'its host.';
    $('signin-link').href = page.signinUrl || '/signin';
    $('guest-link').href = `/j/${encodeURIComponent(meetingId)}`;
    $('signin-box').hidden = false;
    $('entry-form').hidden = true;
  }

  function setUpEntry() {
    if (asHost && !page.csrfToken) {
      showSignIn();
    } else if (asHost) {
      $('entry-title').textContent = 'Start your meeting';
      $('entry-lead').textContent = 'You join as the host. Others in the waiting room come in '
                                    + 'when you let them.';
      $('signed-in-as').textContent = `Signed in as ${page.user} (workspace ${page.workspace}).`;
      $('signed-in-as').hidden = false;
      $('display-name').value = page.user || '';
      $('passcode-field').hidden = true; // the host needs none; asked for if the server wants
      $('join-button').textContent = 'Start meeting';
      $('entry-form').hidden = false;
    } else {
      $('entry-form').hidden = false;
    }
    show('entry');
    const first = $('entry-form').hidden ? $('signin-link') : $('display-name');
    first.focus();
  }

  // ---- wiring ----

  async function init() {
    setUpEntry();
    $('share-button').hidden = !navigator.mediaDevices?.getDisplayMedia;
    $('entry-form').addEventListener('submit', join);
    $('entry-mic').addEventListener('click', () => {
      state.audioMuted = !state.audioMuted;
      applyLocalState();
    });
    $('entry-cam').addEventListener('click', () => {
      state.videoMuted = !state.videoMuted;
      applyLocalState();
    });
    $('mic-button').addEventListener('click', () => setAudioMuted(!state.audioMuted));
    $('cam-button').addEventListener('click', () => setVideoMuted(!state.videoMuted));
    $('share-button').addEventListener('click', toggleShare);
    $('leave-button').addEventListener('click', leave);
    $('waiting-leave').addEventListener('click', leave);
    $('settings-button').addEventListener('click', async () => {
      await fillDeviceLists();
      $('settings').showModal();
    });
    $('camera-select').addEventListener('change', (e) => switchDevice('video', e.target.value));
    $('microphone-select').addEventListener('change',
                                            (e) => switchDevice('audio', e.target.value));
    $('message-again').addEventListener('click', () => {
      state.closing = false;
      state.me = null;
      $('display-name').value = state.lastName || $('display-name').value;
      setUpEntry();
      applyLocalState();
      attachSelfVideo();
    });
    navigator.mediaDevices?.addEventListener?.('devicechange', () => {
      if ($('settings').open)
        fillDeviceLists();
    });

    state.local = await openLocalMedia();
    describeDevices();
    applyLocalState();
    attachSelfVideo();
  }

  // For tests and diagnostics: what each connection receives, per remote participant.
  window.quorumCall = {
    get media() { return state.media; },
    get participantId() { return state.me?.id || null; },
    get audioMuted() { return state.audioMuted; },
    // The camera's and microphone's tracks, as the page holds them.
    localTracks() { return state.local ? state.local.getTracks() : []; },
    async inbound() {
      const result = {};
      const sources = state.media === 'sfu' ? state.feeds : state.mesh;
      for (const [id, peer] of sources) {
        const entry = { audio: { bytesReceived: 0 }, video: { bytesReceived: 0, framesDecoded: 0 },
                        connectionState: peer.pc.connectionState };
        const stats = await peer.pc.getStats();
        stats.forEach((report) => {
          if (report.type !== 'inbound-rtp')
            return;
          const kind = report.kind || report.mediaType;
          if (kind === 'audio') {
            entry.audio.bytesReceived += report.bytesReceived || 0;
          } else if (kind === 'video') {
            entry.video.bytesReceived += report.bytesReceived || 0;
            entry.video.framesDecoded += report.framesDecoded || 0;
          }
        });
        result[id] = entry;
      }
      return result;
    },
  };

  init();
})();
