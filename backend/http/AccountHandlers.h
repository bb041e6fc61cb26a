#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/me, /v1/tokens and /v1/audit: the caller's own account, first-party only where
// DESIGN.md says so.
namespace AccountHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
