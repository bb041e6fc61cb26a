#pragma once

namespace quorum {

class Router;
struct Services;

// The downloads of recording files: GET /v1/recordings/{id}/files/{fid} with a signed,
// expiring link (DESIGN.md *Recordings*) instead of a bearer token, served from disk in chunks,
// with single byte ranges.
namespace RecordingFileHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
