#pragma once

#include <functional>

namespace quorum::outbox {

// Tells the webhook dispatcher that deliveries were committed, without it polling the table.
// A writer marks its transaction when it queues a delivery; the transaction fires the listener
// once it has committed, so the dispatcher never looks before the rows are visible. A rolled
// back transaction fires nothing.

// Marks the calling thread's open write transaction as having queued deliveries.
void markQueued();

// Called by Database::WriteTransaction on its own thread.
void transactionCommitted();
void transactionRolledBack();

// The listener runs on the committing thread, after the commit: it must only post or notify.
// Pass an empty function to clear it (the dispatcher does so before it is destroyed).
void setListener(std::function<void()> listener);

} // namespace quorum::outbox
