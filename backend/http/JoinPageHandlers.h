#pragma once

namespace quorum {

class Router;
struct Services;

// The browser join page: GET /j/{id} (join_url; with ?as=host, start_url), its script and
// style sheet, and POST /j/{id}/token, where a signed-in host's page exchanges the session
// (CSRF-checked) for a join token.
namespace JoinPageHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
