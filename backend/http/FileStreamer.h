#pragma once

#include <QByteArray>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QTcpSocket>
#include <QTimer>

#include <memory>

namespace quorum {

class HeldResponder;

// Sends a slice of an open file as the body of a bounded stream (a download), whose head, with
// its Content-Length, is already written. It reads a chunk only while the socket has less than
// a high-water mark still to send, so a slow client never makes the server hold the file in
// memory; it stops at once, writing nothing more, when the client goes; and it ends the
// connection when the file cannot be read to the promised length. Once the body is whole, the
// connection serves its next request. Lives in the connection's worker thread, as a child of
// its socket, and deletes itself when done.
class FileStreamer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileStreamer)

public:
    static constexpr qint64 kChunkBytes = 256 * 1024;
    static constexpr qint64 kHighWaterBytes = 1024 * 1024;
    // A download that moves no byte for this long is given up (its client stopped reading).
    static constexpr int kStallTimeoutMs = 5 * 60 * 1000;

    // Sends `length` bytes of `file` from `offset` on `held`.
    static void start(std::shared_ptr<HeldResponder> held, std::unique_ptr<QFile> file,
                      qint64 offset, qint64 length);

    ~FileStreamer() override;

private:
    FileStreamer(std::shared_ptr<HeldResponder> held, std::unique_ptr<QFile> file, qint64 length);

    void pump();
    qint64 unsentBytes() const;
    void complete();
    void fail(const char *why);

    std::shared_ptr<HeldResponder> m_held;
    std::unique_ptr<QFile> m_file;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_buffer;
    QTimer m_stall;
    qint64 m_left = 0;
    bool m_pumping = false;
    bool m_done = false;
};

} // namespace quorum
