#pragma once

namespace quorum {

class Router;
struct Services;

// Health, readiness, metrics, the JWKS and the OpenAPI description: public routes.
namespace SystemHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
