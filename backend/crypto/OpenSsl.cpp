#include "OpenSsl.h"

#include <openssl/err.h>

namespace quorum::crypto {

Q_LOGGING_CATEGORY(lcCrypto, "quorum.crypto")

const unsigned char *bytesOf(QByteArrayView view)
{
    static const unsigned char empty = 0;
    return view.isEmpty() ? &empty : reinterpret_cast<const unsigned char *>(view.data());
}

void discardOpenSslErrors()
{
    ERR_clear_error();
}

} // namespace quorum::crypto
