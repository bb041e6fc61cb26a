#pragma once

#include <QtGlobal>

namespace quorum {

// The caps the HTTP front enforces on every request before QHttpServer reads it, because
// Qt 6.4 has none of its own (case C18).
struct HttpLimits
{
    // The request line without its CRLF; a longer one is answered 414 uri_too_long.
    int maxRequestLineBytes = 8 * 1024;
    // The whole head (request line, header lines and the blank line); more is 431
    // headers_too_large. Capped at 96 KiB, below what Qt's own header parser accepts.
    int maxHeaderBytes = 16 * 1024;
    // Header lines per request; more is 431. Capped at 100: Qt 6.4's header parser silently
    // drops every header of a request that has more, which would lose its Content-Length.
    int maxHeaderCount = 100;
    // A larger Content-Length is answered 413 payload_too_large from the head alone.
    qint64 maxBodyBytes = 64 * 1024;
    // A connection must send a whole request within this long of opening or of its previous
    // request; otherwise (idle keep-alive, a head or body sent too slowly) it is closed.
    // Requests whose answer is still being prepared do not count against it.
    int requestTimeoutMs = 30 * 1000;
    // Open connections per HttpFront; more are closed at once. Also kept below the process's
    // open-file limit, so that a flood of idle sockets cannot starve the server of descriptors.
    int maxConnections = 10000;
};

} // namespace quorum
