#pragma once

#include "http/ApiResponse.h"

#include <QString>

namespace quorum::html {

// Text made safe for an HTML element or a quoted attribute.
QString escape(const QString &text);

// A whole page of ours: the shared layout and style, the title and the body (already HTML),
// served as text/html; charset=utf-8 with headers that keep it from being framed, cached or
// leaking its URL (Content-Security-Policy with no scripts, X-Frame-Options: DENY,
// Referrer-Policy: no-referrer, Cache-Control: no-store).
ApiResponse page(int status, const QString &title, const QString &bodyHtml);

} // namespace quorum::html
