#pragma once

#include "Database.h"
#include "Keyset.h"
#include "core/Result.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QVariantList>

namespace quorum {

// One page of a list ordered by (sortColumn, id). `sql` is a SELECT that ends in its WHERE
// conditions; this appends the keyset condition (strictly after the last position seen), the
// order and a limit one past the page, runs it, and sets `next` when more rows follow.
// T must have an `id`; `sortKeyOf` gives the item's sort column value.
template<typename T, typename ReadRow, typename SortKeyOf>
Result<Page<T>> fetchPage(const QSqlDatabase &db, QString sql, QVariantList values,
                          const QString &sortColumn, bool descending, const PageRequest &page,
                          ReadRow readRow, SortKeyOf sortKeyOf, const char *what)
{
    const QString after = descending ? QStringLiteral("<") : QStringLiteral(">");
    if (page.after) {
        sql += QStringLiteral(" AND (%1 %2 ? OR (%1 = ? AND id %2 ?))").arg(sortColumn, after);
        values << page.after->sortKey << page.after->sortKey << page.after->id;
    }
    const QString direction = descending ? QStringLiteral(" DESC") : QString();
    sql += QStringLiteral(" ORDER BY %1%2, id%2 LIMIT ?").arg(sortColumn, direction);
    values << page.size + 1;

    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(sql);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec())
        return sqlError(query, what);

    Page<T> result;
    while (query.next())
        result.items << readRow(query);
    if (result.items.size() > page.size) {
        result.items.removeLast();
        const T &last = result.items.constLast();
        result.next = KeysetPosition{sortKeyOf(last), last.id};
    }
    return result;
}

} // namespace quorum
