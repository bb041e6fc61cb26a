#pragma once

namespace quorum {

class Router;
struct Services;

// The server-rendered pages: /, /signin, /signout and /set-password. Public routes that take
// HTML forms; CSRF-checked on every POST.
namespace PageHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
