#pragma once

#include <QString>

#include <optional>

namespace quorum {

// A position in a list ordered by (sortKey, id): the last item a page held. Lists resume
// strictly after it, so inserts and deletes never make an item repeat or vanish.
struct KeysetPosition
{
    qint64 sortKey = 0;
    QString id;
};

struct PageRequest
{
    int size = 30;
    std::optional<KeysetPosition> after;
};

template<typename T>
struct Page
{
    QList<T> items;
    std::optional<KeysetPosition> next; // set when more items follow
};

} // namespace quorum
