#include "MeetingService.h"

#include "MeetingCache.h"
#include "auth/Permissions.h"
#include "core/Clock.h"
#include "core/Ids.h"
#include "core/MeetingStateMachine.h"
#include "store/Database.h"
#include "store/DirectoryRepository.h"

namespace quorum {

namespace {

Error notFound()
{
    return {ErrorCode::NotFound, QStringLiteral("No meeting with this id.")};
}

Status checkVersion(const Meeting &meeting, std::optional<qint64> ifMatchVersion)
{
    if (ifMatchVersion && *ifMatchVersion != meeting.version)
        return Error{ErrorCode::PreconditionFailed,
                     QStringLiteral("The meeting changed since you read it (If-Match is stale); "
                                    "read it again and retry.")};
    return success();
}

} // namespace

MeetingService::MeetingService(Database &database, const crypto::SecretBox &box, const Clock &clock,
                               MeetingCache &cache)
    : m_database(database)
    , m_box(box)
    , m_clock(clock)
    , m_cache(cache)
{ }

Result<MeetingView> MeetingService::create(const Credential &caller, Meeting draft)
{
    const QDateTime now = m_clock.now();
    draft.id = ids::generate(u"mtg");
    draft.workspaceId = caller.workspaceId;
    if (draft.hostId.isEmpty() && caller.userId.isEmpty())
        // An app acting for the workspace (client credentials) is nobody's user.
        return Error::validation(QStringLiteral("host_id"),
                                 QStringLiteral("An app acting for the workspace must name the "
                                                "host: a user of the workspace."));
    if (draft.hostId.isEmpty())
        draft.hostId = caller.userId;
    draft.state = MeetingState::Scheduled;
    draft.version = 1;
    draft.createdAt = now;
    draft.updatedAt = now;
    if (const Status valid = meetingrules::checkNewMeeting(draft, now); !valid)
        return valid.error();

    // Inserts a row of its own and changes none: it need not wait for the other writers.
    Database::WriteTransaction transaction(m_database,
                                           Database::WriteTransaction::Locking::RowLocks);
    if (draft.hostId != caller.userId) {
        // Naming another host is for admins (and, later, apps acting for the workspace).
        const auto host = DirectoryRepository(transaction.db()).userById(draft.hostId);
        if (!caller.isAdmin())
            return Error{ErrorCode::Forbidden,
                         QStringLiteral("Only workspace admins may schedule for another host."),
                         {{QStringLiteral("host_id"), QStringLiteral("must be your own user id")}}};
        if (!host || host->workspaceId != caller.workspaceId || host->disabled)
            return Error::validation(
                QStringLiteral("host_id"),
                QStringLiteral("No active user with this id in the workspace."));
    }
    MeetingRepository meetings(transaction.db(), m_box);
    if (const Status inserted = meetings.insert(draft); !inserted)
        return inserted.error();
    if (const Status committed = transaction.commit(); !committed)
        return committed.error();
    return MeetingView{draft, true};
}

Result<MeetingView> MeetingService::load(QSqlDatabase db, const Credential &caller,
                                         const QString &id, bool forChange)
{
    MeetingRepository meetings(db, m_box);
    std::optional<Meeting> meeting = forChange ? std::nullopt : m_cache.find(id);
    if (!meeting) {
        const quint64 generation = m_cache.generation();
        meeting = meetings.byId(id);
        if (meeting && !forChange)
            m_cache.store(*meeting, generation);
    }
    if (!meeting || !permissions::sameWorkspace(caller, meeting->workspaceId))
        return notFound();
    const bool mayChange = permissions::mayChangeMeeting(caller, *meeting);
    if (!mayChange) {
        const bool cohost = meetings.isCohost(meeting->id, caller.userId);
        if (!cohost)
            return notFound();
        if (forChange)
            return Error{ErrorCode::Forbidden,
                         QStringLiteral("Co-hosts may not change or cancel the meeting.")};
    }
    return MeetingView{*meeting, mayChange};
}

Status MeetingService::store(Database::WriteTransaction &transaction, const Meeting &changed,
                             qint64 previousVersion)
{
    MeetingRepository meetings(transaction.db(), m_box);
    if (const Status updated = meetings.update(changed, previousVersion); !updated)
        return updated;
    if (const Status committed = transaction.commit(); !committed)
        return committed;
    m_cache.drop(changed.id);
    return success();
}

Result<MeetingView> MeetingService::loadForChange(Database::WriteTransaction &transaction,
                                                  const Credential &caller, const QString &id,
                                                  std::optional<qint64> ifMatchVersion)
{
    auto view = load(transaction.db(), caller, id, true);
    if (view) {
        if (const Status fresh = checkVersion(view->meeting, ifMatchVersion); !fresh)
            return fresh.error();
    }
    return view;
}

Result<MeetingView> MeetingService::get(const Credential &caller, const QString &id)
{
    return load(m_database.connection(), caller, id, false);
}

Result<MeetingView> MeetingService::update(const Credential &caller, const QString &id,
                                           const MeetingPatch &patch,
                                           std::optional<qint64> ifMatchVersion)
{
    Database::WriteTransaction transaction(m_database);
    auto view = loadForChange(transaction, caller, id, ifMatchVersion);
    if (!view)
        return view;

    const QDateTime now = m_clock.now();
    if (const Status allowed = meetingrules::checkPatch(view->meeting, patch, now); !allowed)
        return allowed.error();
    if (patch.isEmpty())
        return view;

    const qint64 previousVersion = view->meeting.version;
    Meeting changed = meetingrules::applyPatch(view->meeting, patch, now);

    // A patch that changes nothing makes no new version: the ETag stays valid.
    Meeting unchanged = changed;
    unchanged.version = view->meeting.version;
    unchanged.updatedAt = view->meeting.updatedAt;
    if (unchanged == view->meeting)
        return view;

    view->meeting = std::move(changed);
    if (const Status stored = store(transaction, view->meeting, previousVersion); !stored)
        return stored.error();
    return view;
}

Result<MeetingView> MeetingService::cancel(const Credential &caller, const QString &id,
                                           std::optional<qint64> ifMatchVersion)
{
    Database::WriteTransaction transaction(m_database);
    auto view = loadForChange(transaction, caller, id, ifMatchVersion);
    if (!view)
        return view;
    if (const Status allowed
        = meetingrules::checkTransition(view->meeting.state, meetingrules::Transition::Cancel);
        !allowed)
        return allowed.error();

    const qint64 previousVersion = view->meeting.version;
    view->meeting = meetingrules::applyTransition(view->meeting, meetingrules::Transition::Cancel,
                                                  m_clock.now());
    if (const Status stored = store(transaction, view->meeting, previousVersion); !stored)
        return stored.error();
    return view;
}

Result<Page<MeetingView>> MeetingService::list(const Credential &caller, MeetingFilter filter,
                                               const PageRequest &page)
{
    filter.workspaceId = caller.workspaceId;
    if (!caller.isAdmin())
        filter.visibleToUserId = caller.userId;

    auto meetings = MeetingRepository(m_database.connection(), m_box).list(filter, page);
    if (!meetings)
        return meetings.error();
    Page<MeetingView> views;
    views.next = meetings->next;
    for (const Meeting &meeting : std::as_const(meetings->items))
        views.items << MeetingView{meeting, permissions::mayChangeMeeting(caller, meeting)};
    return views;
}

} // namespace quorum
