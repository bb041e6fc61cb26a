#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/apps, /v1/marketplace and /v1/apps/{id}/installation: registering OAuth apps,
// browsing the marketplace and installing apps. First-party credentials and admins only.
namespace AppHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
