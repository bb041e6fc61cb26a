#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/users and /v1/me/password: first-party only; user management is for workspace admins
// and owners.
namespace UserHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
