#include "Cli.h"

int main(int argc, char **argv)
{
    return quorum::runQuorumd(argc, argv);
}
