#include "Router.h"

#include <algorithm>

namespace quorum {

namespace {

bool isIdCharacter(QChar c)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
        || c == u'_' || c == u'-';
}

} // namespace

Router::CompiledRoute Router::compile(const QString &pattern)
{
    CompiledRoute compiled;
    const QStringList parts = pattern.split(u'/', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        Segment segment;
        if (part.startsWith(u'{')) {
            const qsizetype close = part.indexOf(u'}');
            segment.placeholder = part.mid(1, close - 1);
            segment.literal = part.mid(close + 1);
        } else {
            segment.literal = part;
        }
        compiled.segments << segment;
    }
    compiled.literals = std::count_if(compiled.segments.cbegin(), compiled.segments.cend(),
                                      [](const Segment &s) { return s.placeholder.isEmpty(); });
    return compiled;
}

void Router::add(Route route)
{
    m_compiled << compile(route.pattern);
    m_routes << std::move(route);
}

bool Router::matchPath(const CompiledRoute &compiled, const QList<QStringView> &parts,
                       QHash<QString, QString> *params)
{
    if (compiled.segments.size() != parts.size())
        return false;
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const Segment &segment = compiled.segments.at(i);
        const QStringView part = parts.at(i);
        if (segment.placeholder.isEmpty()) {
            if (part != segment.literal)
                return false;
            continue;
        }
        if (!part.endsWith(segment.literal) || part.size() <= segment.literal.size())
            return false;
        const QStringView value = part.first(part.size() - segment.literal.size());
        for (QChar c : value) {
            if (!isIdCharacter(c))
                return false;
        }
        params->insert(segment.placeholder, value.toString());
    }
    return true;
}

Router::Match Router::match(const QByteArray &method, const QString &path) const
{
    QList<QStringView> parts;
    for (QStringView part : QStringView(path).split(u'/', Qt::SkipEmptyParts))
        parts << part;

    // A literal segment beats a placeholder: /participants/stream is that route's path, not a
    // participant named "stream", so only the routes with the most literal segments count.
    Match result;
    qsizetype bestLiterals = -1;
    for (qsizetype i = 0; i < m_routes.size(); ++i) {
        QHash<QString, QString> params;
        if (!matchPath(m_compiled.at(i), parts, &params))
            continue;
        const qsizetype literals = m_compiled.at(i).literals;
        if (literals < bestLiterals)
            continue;
        if (literals > bestLiterals) {
            result = Match{};
            bestLiterals = literals;
        }
        result.pathMatched = true;
        result.allowedMethods << m_routes.at(i).method;
        if (m_routes.at(i).method == method && !result.route) {
            result.route = &m_routes.at(i);
            result.params = std::move(params);
        }
    }
    return result;
}

} // namespace quorum
