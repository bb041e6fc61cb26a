#pragma once

namespace quorum {

class Router;
struct Services;

// The OAuth 2 endpoints: /oauth/authorize (the consent page and its decision), /oauth/token,
// /oauth/revoke, /oauth/introspect and /.well-known/oauth-authorization-server. They take
// forms and answer in RFC 6749's shapes, not problem+json.
namespace OAuthHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
