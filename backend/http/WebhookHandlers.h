#pragma once

namespace quorum {

class Router;
struct Services;

// /v1/webhooks: subscriptions, their secrets, test pings and deliveries.
namespace WebhookHandlers {
void registerRoutes(Router &router, Services &services);
}

} // namespace quorum
