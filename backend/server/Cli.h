#pragma once

#include "MediaAdapters.h"

#include <QStringList>

namespace quorum {

// quorumd's command line: serving (the default) and the commands that manage a data
// directory without a running server. Returns the process exit code. A test build passes the
// media-plane adapters it adds.
int runQuorumd(int argc, char **argv, const MediaAdapters &extraAdapters = {});

} // namespace quorum
