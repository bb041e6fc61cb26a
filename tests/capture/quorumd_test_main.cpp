#include "TestCaptureMediaPlane.h"
#include "server/Cli.h"

int main(int argc, char **argv)
{
    return quorum::runQuorumd(
        argc, argv, {{QStringLiteral("test-capture"), [] {
                          return std::make_unique<quorum::testing::TestCaptureMediaPlane>();
                      }}});
}
