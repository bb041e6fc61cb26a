#pragma once

namespace quorum {

class Router;
struct Services;

// The participants of a meeting and the host actions of a live one:
// /v1/meetings/{id}/participants (list, stream, mute, admit, role, remove, muteAll) and
// /v1/meetings/{id}:end. Actions go through the signalling hub and are answered when it is done.
namespace ParticipantHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
