#pragma once

#include "core/Result.h"

#include <QByteArray>
#include <QString>

// The server's master key file: 32 raw bytes or 64 hex characters, readable by its owner
// only. Every function returns the 32 raw key bytes or an Error whose detail names the file
// and the reason.
namespace quorum::crypto::masterkey {

// Loads the key, or creates a new one (mode 0600 from the first byte) if the file is absent.
Result<QByteArray> loadOrCreate(const QString &path);

// Loads the key; refuses a wrong size or encoding and a file readable by group or others.
Result<QByteArray> load(const QString &path);

// Writes a new random key; fails if the file already exists.
Status create(const QString &path);

} // namespace quorum::crypto::masterkey
