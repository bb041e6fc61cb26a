#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/admin/status: how this server is doing, for workspace admins and owners (first-party).
namespace AdminHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
