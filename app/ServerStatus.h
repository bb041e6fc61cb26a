#pragma once

#include <QObject>
#include <QPointer>
#include <QVariantMap>
#include <QtQml/qqmlregistration.h>

namespace quorum {

class ApiClient;

// The server's state as its admins see it (GET /v1/admin/status): version, uptime, database,
// media plane, the join-token signing keys with the next rotation, and the webhook backlog.
// `status` holds the answer's fields as they came; `error` the problem of a failed read (a
// member is told that only admins see it).
class ServerStatus : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerStatus)
    QML_ELEMENT
    Q_PROPERTY(quorum::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QVariantMap status READ status NOTIFY statusChanged)
    Q_PROPERTY(QVariantList signingKeys READ signingKeys NOTIFY statusChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

public:
    explicit ServerStatus(QObject *parent = nullptr);

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    QVariantMap status() const { return m_status; }
    // The keys, newest first.
    QVariantList signingKeys() const;
    bool isBusy() const { return m_busy; }
    QString error() const { return m_error; }

    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void clientChanged();
    void statusChanged();
    void busyChanged();
    void errorChanged();

private:
    void setBusy(bool busy);
    void setError(const QString &error);

    QPointer<ApiClient> m_client;
    QVariantMap m_status;
    QString m_error;
    bool m_busy = false;
};

} // namespace quorum
