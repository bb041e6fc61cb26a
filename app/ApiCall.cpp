#include "ApiCall.h"

#include <QJsonArray>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace quorum {

namespace {

// The words for problems whose server text is written for developers rather than hosts.
QString wordsForCode(const QString &code, int status)
{
    if (code == u"insufficient_scope" || code == u"forbidden" || code == u"first_party_only")
        return QObject::tr("You are not allowed to do this.");
    if (code == u"invalid_token" || status == 401)
        return QObject::tr("Your sign-in has expired or was revoked; sign in again.");
    if (code == u"not_found" || status == 404)
        return QObject::tr("It no longer exists, or you cannot see it.");
    if (code == u"precondition_failed" || status == 412)
        return QObject::tr("Someone else changed it in the meantime; reload and try again.");
    if (status == 429)
        return QObject::tr("Too many requests; wait a moment and try again.");
    if (status >= 500)
        return QObject::tr("The server failed to do this; try again later.");
    return {};
}

} // namespace

ApiCall::ApiCall(QObject *parent)
    : QObject(parent)
{ }

void ApiCall::complete(int status, const QByteArray &body,
                       const QHash<QByteArray, QByteArray> &headers, const QString &networkError)
{
    m_status = status;
    m_headers = headers;
    m_body = QJsonDocument::fromJson(body);

    if (status == 0)
        m_message = networkError;
    else if (!ok())
        readProblem();

    m_done = true;
    Q_EMIT finished();
}

void ApiCall::fail(const QString &message)
{
    m_message = message;
    m_done = true;
    Q_EMIT finished();
}

void ApiCall::readProblem()
{
    const QJsonObject problem = m_body.object();
    m_code = problem.value("code"_L1).toString();
    m_title = problem.value("title"_L1).toString();
    m_detail = problem.value("detail"_L1).toString();
    for (const QJsonValue &entry : problem.value("errors"_L1).toArray()) {
        const QJsonObject error = entry.toObject();
        m_fieldErrors.insert(error.value("field"_L1).toString(),
                             error.value("message"_L1).toString());
    }

    // A validation problem names its fields; the message then only introduces them.
    if (!m_fieldErrors.isEmpty()) {
        m_message = tr("Please correct the highlighted fields.");
        return;
    }
    m_message = wordsForCode(m_code, m_status);
    if (m_message.isEmpty())
        m_message = !m_detail.isEmpty() ? m_detail
            : !m_title.isEmpty()        ? m_title
                                        : tr("The server answered %1.").arg(m_status);
}

} // namespace quorum
