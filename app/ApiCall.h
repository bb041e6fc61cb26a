#pragma once

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QObject>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace quorum {

// One request to the Quorum API and, once finished() is emitted, its outcome: the JSON body of
// a success, or the problem of a failure put into words a host understands (message) with the
// field errors of a validation problem (fieldErrors: field -> message). Network failures
// (refused, timed out) are failures with status 0. The client that made it deletes it after
// finished(), so read it in a slot connected to finished().
class ApiCall : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiCall)
    QML_ELEMENT
    QML_UNCREATABLE("Returned by the models' actions")
    Q_PROPERTY(bool done READ isDone NOTIFY finished)
    Q_PROPERTY(bool ok READ ok NOTIFY finished)
    Q_PROPERTY(int status READ status NOTIFY finished)
    Q_PROPERTY(QString code READ code NOTIFY finished)
    Q_PROPERTY(QString message READ message NOTIFY finished)
    // The server's own sentence about the problem, e.g. why a change is refused.
    Q_PROPERTY(QString detail READ detail NOTIFY finished)
    Q_PROPERTY(QVariantMap fieldErrors READ fieldErrors NOTIFY finished)
    Q_PROPERTY(QVariant result READ result NOTIFY finished)

public:
    explicit ApiCall(QObject *parent = nullptr);

    bool isDone() const { return m_done; }
    bool ok() const { return m_done && m_status >= 200 && m_status < 300; }
    int status() const { return m_status; }
    QString code() const { return m_code; }
    QString title() const { return m_title; }
    QString detail() const { return m_detail; }
    QString message() const { return m_message; }
    QVariantMap fieldErrors() const { return m_fieldErrors; }
    QVariant result() const { return m_body.toVariant(); }
    const QJsonDocument &body() const { return m_body; }
    QJsonObject json() const { return m_body.object(); }
    QByteArray header(const QByteArray &name) const { return m_headers.value(name.toLower()); }

    // Called once by ApiClient with what came back; emits finished().
    void complete(int status, const QByteArray &body, const QHash<QByteArray, QByteArray> &headers,
                  const QString &networkError);
    // A call that fails before reaching the network (no server configured, ...).
    void fail(const QString &message);

Q_SIGNALS:
    void finished();

private:
    void readProblem();

    bool m_done = false;
    int m_status = 0;
    QJsonDocument m_body;
    QHash<QByteArray, QByteArray> m_headers;
    QString m_code;
    QString m_title;
    QString m_detail;
    QString m_message;
    QVariantMap m_fieldErrors;
};

} // namespace quorum
