#pragma once

#include <QObject>
#include <QString>
#include <QtQml/qqmlregistration.h>

namespace quorum {

class ApiClient;

// Who the app is signed in as (`GET /v1/me`): the user, their role and their workspace, so
// that pages can tell the caller's own row, own apps and rights from the rest.
class SignedInUser : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignedInUser)
    QML_ELEMENT
    Q_PROPERTY(quorum::ApiClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(bool loaded READ isLoaded NOTIFY changed)
    Q_PROPERTY(QString userId READ userId NOTIFY changed)
    Q_PROPERTY(QString name READ name NOTIFY changed)
    Q_PROPERTY(QString role READ role NOTIFY changed)
    Q_PROPERTY(bool isAdmin READ isAdmin NOTIFY changed)
    Q_PROPERTY(QString workspaceId READ workspaceId NOTIFY changed)
    Q_PROPERTY(QString workspaceName READ workspaceName NOTIFY changed)
    Q_PROPERTY(QString error READ error NOTIFY changed)

public:
    explicit SignedInUser(QObject *parent = nullptr);

    ApiClient *client() const { return m_client; }
    void setClient(ApiClient *client);
    bool isLoaded() const { return m_loaded; }
    QString userId() const { return m_userId; }
    QString name() const { return m_name; }
    // owner, admin or member; empty for an app's token, which acts for no user.
    QString role() const { return m_role; }
    bool isAdmin() const { return m_role == u"owner" || m_role == u"admin"; }
    QString workspaceId() const { return m_workspaceId; }
    QString workspaceName() const { return m_workspaceName; }
    QString error() const { return m_error; }

    // Reads who the client's token belongs to again.
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void clientChanged();
    void changed();

private:
    ApiClient *m_client = nullptr;
    int m_generation = 0; // answers to an older refresh are dropped
    bool m_loaded = false;
    QString m_userId;
    QString m_name;
    QString m_role;
    QString m_workspaceId;
    QString m_workspaceName;
    QString m_error;
};

} // namespace quorum
