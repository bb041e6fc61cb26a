#include "FileStreamer.h"

#include "HeldResponder.h"
#include "http/FrontConnection.h"

#include <QLoggingCategory>
#include <QSslSocket>

namespace quorum {

Q_LOGGING_CATEGORY(lcFiles, "quorum.http.files")

void FileStreamer::start(std::shared_ptr<HeldResponder> held, std::unique_ptr<QFile> file,
                         qint64 offset, qint64 length)
{
    if (!held->isOpen() || !held->socket())
        return; // the client left before the head: the file closes here

    if (!file->seek(offset)) {
        qCWarning(lcFiles) << "cannot seek in" << file->fileName();
        held->abort();
        return;
    }

    // A child of the socket: if the socket goes, so does the streamer, and the file with it.
    auto *streamer = new FileStreamer(std::move(held), std::move(file), length);
    streamer->pump();
}

FileStreamer::FileStreamer(std::shared_ptr<HeldResponder> held, std::unique_ptr<QFile> file,
                           qint64 length)
    : QObject(held->socket())
    , m_held(std::move(held))
    , m_file(std::move(file))
    , m_socket(m_held->socket())
    , m_buffer(int(qMin(length, kChunkBytes)), Qt::Uninitialized)
    , m_left(length)
{
    connect(m_socket, &QIODevice::bytesWritten, this, &FileStreamer::pump);
    // Under TLS bytesWritten tells that bytes were encrypted, not that they left: what the
    // encrypted buffer sends is told by encryptedBytesWritten.
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket.data()))
        connect(tls, &QSslSocket::encryptedBytesWritten, this, &FileStreamer::pump);
    connect(m_socket, &QAbstractSocket::disconnected, this,
            [this] { fail("the client left before the end"); });
    if (FrontConnection *connection = m_held->connection())
        connect(connection, &FrontConnection::turnPassed, this, &FileStreamer::pump);

    m_stall.setSingleShot(true);
    m_stall.setInterval(kStallTimeoutMs);
    connect(&m_stall, &QTimer::timeout, this, [this] { fail("the client stopped reading"); });
    m_stall.start();
}

FileStreamer::~FileStreamer() = default;

qint64 FileStreamer::unsentBytes() const
{
    qint64 unsent = m_socket->bytesToWrite();
    if (auto *tls = qobject_cast<QSslSocket *>(m_socket.data()))
        unsent += tls->encryptedBytesToWrite();
    return unsent;
}

void FileStreamer::pump()
{
    if (m_pumping || m_done)
        return;
    if (!m_socket || m_socket->state() != QAbstractSocket::ConnectedState) {
        fail("the client left before the end");
        return;
    }
    // Until the answers before this one are whole, our bytes would only pile up in memory.
    if (!m_held->isFirstInLine())
        return;

    m_stall.start();
    m_pumping = true;
    while (m_left > 0 && unsentBytes() < kHighWaterBytes) {
        const qint64 wanted = qMin<qint64>(m_left, m_buffer.size());
        const qint64 got = m_file->read(m_buffer.data(), wanted);
        if (got <= 0) {
            qCWarning(lcFiles) << "cannot read" << m_file->fileName() << "to its length";
            m_pumping = false;
            fail("the file ended or failed before its length");
            return;
        }
        m_held->writeChunk(QByteArrayView(m_buffer.constData(), got));
        m_left -= got;
    }
    m_pumping = false;

    if (m_left == 0)
        complete();
}

void FileStreamer::complete()
{
    m_done = true;
    m_stall.stop();
    m_file.reset();
    m_held->finish();
    deleteLater();
}

void FileStreamer::fail(const char *why)
{
    if (m_done)
        return;

    qCDebug(lcFiles) << "download stopped:" << why << m_left << "bytes unsent";
    m_done = true;
    m_stall.stop();
    m_file.reset();
    // The length was promised: a short body must not look whole, nor anything follow it.
    m_held->abort();
    deleteLater();
}

} // namespace quorum
