#pragma once

#include "ApiResponse.h"

namespace quorum {

class Router;
struct JoinTokenOutcome;
struct Services;

// /v1/meetings and /v1/meetings/{id}/joinToken.
namespace MeetingHandlers {
void registerRoutes(Router &router, Services &services);

// The answer of a join-token request, {jwt, sfu_url, expires_in, participant_role} or its
// problem, shared by joinToken and the join page's POST /j/{id}/token.
ApiResponse joinTokenAnswer(const JoinTokenOutcome &outcome);
} // namespace MeetingHandlers

} // namespace quorum
