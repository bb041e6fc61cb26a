#include "OpenSsl.h"

#include <openssl/err.h>

namespace quorum::crypto {

Q_LOGGING_CATEGORY(lcCrypto, "quorum.crypto")

void discardOpenSslErrors()
{
    ERR_clear_error();
}

} // namespace quorum::crypto
