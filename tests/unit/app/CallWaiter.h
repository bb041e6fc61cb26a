#pragma once

#include "ApiCall.h"

#include <QJsonObject>
#include <QTest>
#include <QVariantMap>

#include <memory>

namespace quorum::testing {

// What an ApiCall finished with, copied out before the call deletes itself.
struct CallOutcome
{
    bool done = false;
    bool ok = false;
    int status = 0;
    QString code;
    QString message;
    QVariantMap fieldErrors;
    QJsonObject json;
};

// Waits (processing events, up to the timeout) for the call to finish.
inline CallOutcome waitFor(ApiCall *call, int timeoutMs = 15000)
{
    auto outcome = std::make_shared<CallOutcome>();
    QObject::connect(call, &ApiCall::finished, call, [call, outcome] {
        outcome->done = true;
        outcome->ok = call->ok();
        outcome->status = call->status();
        outcome->code = call->code();
        outcome->message = call->message();
        outcome->fieldErrors = call->fieldErrors();
        outcome->json = call->json();
    });
    if (!QTest::qWaitFor([outcome] { return outcome->done; }, timeoutMs))
        qWarning("the call did not finish within %d ms", timeoutMs);
    return *outcome;
}

} // namespace quorum::testing
