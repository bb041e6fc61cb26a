#pragma once

#include <QObject>

class QSocketNotifier;

namespace quorum {

// Turns SIGTERM and SIGINT into a Qt signal delivered by the event loop (the self-pipe
// trick: a signal handler may only write to a descriptor).
class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace quorum
