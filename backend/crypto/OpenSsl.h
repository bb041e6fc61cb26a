#pragma once

#include <QByteArrayView>
#include <QLoggingCategory>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>

// Internal to quorum_crypto: owning handles for OpenSSL objects, so every object is freed on
// every path, and the shared logging category.
namespace quorum::crypto {

Q_DECLARE_LOGGING_CATEGORY(lcCrypto)

template<typename T, void (*Free)(T *)>
struct OpenSslDeleter
{
    void operator()(T *object) const { Free(object); }
};

using CipherCtxPtr
    = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using MacPtr = std::unique_ptr<EVP_MAC, OpenSslDeleter<EVP_MAC, EVP_MAC_free>>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, OpenSslDeleter<EVP_MAC_CTX, EVP_MAC_CTX_free>>;
using KdfPtr = std::unique_ptr<EVP_KDF, OpenSslDeleter<EVP_KDF, EVP_KDF_free>>;
using KdfCtxPtr = std::unique_ptr<EVP_KDF_CTX, OpenSslDeleter<EVP_KDF_CTX, EVP_KDF_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;

// The bytes of a view as OpenSSL takes them: a valid pointer even for an empty (null) view.
const unsigned char *bytesOf(QByteArrayView view);

// Empties this thread's OpenSSL error queue. Failed verifications leave entries there, and
// Qt's TLS backend reads the same queue, so a stale entry could be blamed on a socket.
void discardOpenSslErrors();

} // namespace quorum::crypto
