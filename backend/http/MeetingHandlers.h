#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/meetings and /v1/meetings/{id}/joinToken.
namespace MeetingHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
