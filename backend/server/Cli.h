#pragma once

#include <QStringList>

namespace quorum {

// quorumd's command line: serving (the default) and the commands that manage a data
// directory without a running server. Returns the process exit code.
int runQuorumd(int argc, char **argv);

} // namespace quorum
