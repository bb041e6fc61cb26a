#include "MasterKey.h"

#include "OpenSsl.h"
#include "Random.h"

#include <QFile>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace quorum::crypto::masterkey {

namespace {

constexpr int KeySize = 32;
constexpr int HexSize = 2 * KeySize;

// Reading more than this proves the file is not a key.
constexpr int MaxFileSize = HexSize + 2;

// Closes a POSIX file descriptor on every path.
class FileDescriptor
{
public:
    explicit FileDescriptor(int fd)
        : m_fd(fd)
    { }
    ~FileDescriptor()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    FileDescriptor(const FileDescriptor &) = delete;
    FileDescriptor &operator=(const FileDescriptor &) = delete;

    int get() const { return m_fd; }
    bool isOpen() const { return m_fd >= 0; }
    int release()
    {
        const int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd;
};

Error fileError(const QString &path, const QString &reason)
{
    return Error{
        ErrorCode::Internal, QStringLiteral("master key file %1: %2").arg(path, reason), {}};
}

QString systemError(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

bool isHex(QByteArrayView text)
{
    for (const char c : text) {
        const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex)
            return false;
    }
    return true;
}

// 32 raw bytes, or 64 hex characters with at most one line break after them (as
// `openssl rand -hex 32 > file` writes it).
std::optional<QByteArray> decodeKey(QByteArray contents)
{
    if (contents.size() == KeySize)
        return contents;

    if (contents.endsWith('\n'))
        contents.chop(1);
    if (contents.endsWith('\r'))
        contents.chop(1);
    if (contents.size() == HexSize && isHex(contents))
        return QByteArray::fromHex(contents);
    return std::nullopt;
}

Result<QByteArray> readKey(const QString &path, int fd)
{
    // Checked on the open descriptor, so the file cannot be swapped between check and read.
    struct stat info = {};
    if (::fstat(fd, &info) != 0)
        return fileError(path, systemError(errno));
    if (!S_ISREG(info.st_mode))
        return fileError(path, QStringLiteral("not a regular file"));
    if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        return fileError(path,
                         QStringLiteral("mode %1 gives access to group or others; "
                                        "run chmod 600 on it")
                             .arg(info.st_mode & 07777, 4, 8, QLatin1Char('0')));
    }

    QByteArray contents(MaxFileSize + 1, Qt::Uninitialized);
    qsizetype total = 0;
    while (total < contents.size()) {
        const ssize_t count = ::read(fd, contents.data() + total, size_t(contents.size() - total));
        if (count < 0 && errno == EINTR)
            continue;
        if (count < 0)
            return fileError(path, systemError(errno));
        if (count == 0)
            break;
        total += count;
    }
    contents.truncate(total);

    std::optional<QByteArray> key = decodeKey(contents);
    OPENSSL_cleanse(contents.data(), size_t(contents.size()));
    if (!key) {
        return fileError(
            path,
            QStringLiteral("holds %1 bytes; a key is exactly 32 raw bytes or "
                           "64 hexadecimal characters")
                .arg(total > MaxFileSize ? QStringLiteral("too many") : QString::number(total)));
    }
    return *key;
}

// Creates the file 0600 from the start (O_EXCL: never over an existing one) and writes a
// new key. On success the descriptor is closed and the key returned.
Result<QByteArray> createKey(const QString &path, int *openError)
{
    const QByteArray nativePath = QFile::encodeName(path);
    FileDescriptor fd(
        ::open(nativePath.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR));
    if (!fd.isOpen()) {
        *openError = errno;
        return fileError(path, systemError(errno));
    }
    *openError = 0;

    const QByteArray key = randomBytes(KeySize);
    qsizetype written = 0;
    int error = 0;
    while (written < key.size() && error == 0) {
        const ssize_t count
            = ::write(fd.get(), key.constData() + written, size_t(key.size() - written));
        if (count < 0 && errno != EINTR)
            error = errno;
        else if (count == 0)
            error = EIO;
        else if (count > 0)
            written += count;
    }
    if (error == 0 && ::fsync(fd.get()) != 0)
        error = errno;
    if (::close(fd.release()) != 0 && error == 0)
        error = errno;

    // A half-written key would be refused at the next start anyway; remove it now.
    if (error != 0) {
        ::unlink(nativePath.constData());
        return fileError(path, QStringLiteral("could not be written: %1").arg(systemError(error)));
    }

    qCInfo(lcCrypto) << "Created a new master key file" << path;
    return key;
}

} // namespace

Result<QByteArray> load(const QString &path)
{
    const QByteArray nativePath = QFile::encodeName(path);
    const FileDescriptor fd(::open(nativePath.constData(), O_RDONLY | O_CLOEXEC));
    if (!fd.isOpen())
        return fileError(path, systemError(errno));

    return readKey(path, fd.get());
}

Result<QByteArray> loadOrCreate(const QString &path)
{
    // Create first and load on EEXIST: two nodes starting at once cannot both create.
    int openError = 0;
    Result<QByteArray> created = createKey(path, &openError);
    if (created || openError != EEXIST)
        return created;

    return load(path);
}

Status create(const QString &path)
{
    int openError = 0;
    const Result<QByteArray> created = createKey(path, &openError);
    if (!created)
        return created.error();
    return success();
}

} // namespace quorum::crypto::masterkey
