#pragma once

namespace quorum {

class Router;
struct Services;

// Cloud recordings (DESIGN.md *Recordings*): /v1/meetings/{id}/recordings:start and :stop (host
// actions, through the signalling hub), the meeting's list, and /v1/recordings/{id} (read with
// fresh file links, delete). The files themselves: RecordingFileHandlers.
namespace RecordingHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
