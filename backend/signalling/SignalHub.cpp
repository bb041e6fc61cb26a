// STUB: do not merge. A stand-in for the lead's hub so the REST side links and runs.
#include "SignalHub.h"

#include "SignalEndpoint.h"

namespace quorum {

struct SignalHub::State
{ };

SignalHub *g_stubHub = nullptr;

SignalHub::SignalHub(Context context)
    : m_context(context)
    , m_state(std::make_unique<State>())
{
    g_stubHub = this;
}

SignalHub::~SignalHub()
{
    g_stubHub = nullptr;
}

Status SignalHub::start()
{
    return success();
}

void SignalHub::stop() { }
void SignalHub::join(SessionRef, JoinFrame) { }
void SignalHub::resume(SessionRef, const QString &, const QString &) { }
void SignalHub::observe(SessionRef, const QString &, const QByteArray &, const QString &) { }
void SignalHub::frame(SessionRef, QJsonObject) { }
void SignalHub::sessionClosed(SessionRef, bool) { }
void SignalHub::watch(SessionRef, const QString &) { }
void SignalHub::unwatch(SessionRef) { }

void SignalHub::act(HostAction, SessionPort *replyPort, HostActionDone done)
{
    replyPort->post([done] { done(Error{ErrorCode::Unavailable, QStringLiteral("stub hub")}); });
}

LiveSummary SignalHub::summary(const QString &) const
{
    return {};
}

HubCounts SignalHub::counts() const
{
    return {};
}

void SignalHub::runInHub(std::function<void()> task)
{
    task();
}

} // namespace quorum
