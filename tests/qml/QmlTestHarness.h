#pragma once

#include <QHash>
#include <QObject>
#include <QString>
#include <QVariantMap>

#include <memory>

class QQuickItem;

namespace quorum {
class ApiClient;
class RemoteSignIn;
class SecretStore;
} // namespace quorum

namespace quorum::test {
class WebhookReceiver;
}

namespace quorum::testing {

class LiveScenario;
class SignalClient;

// What the QML tests reach as `harness`: a real quorumd (the test build, with the test-capture
// media plane), the app's ApiClient signed in to it as the admin, signalling clients that
// join as test users, two webhook receivers on loopback ("ok" answers 200, "failing" 500,
// unless told otherwise), and screenshots of the pages.
class QmlTestHarness final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QmlTestHarness)
    Q_PROPERTY(QObject *client READ client CONSTANT)
    Q_PROPERTY(bool ready READ isReady CONSTANT)
    Q_PROPERTY(QString problem READ problem CONSTANT)
    Q_PROPERTY(QObject *remoteSignIn READ remoteSignIn CONSTANT)

public:
    explicit QmlTestHarness(QObject *parent = nullptr);
    ~QmlTestHarness() override;

    QObject *client() const;
    bool isReady() const { return m_problem.isEmpty(); }
    QString problem() const { return m_problem; }

    // A scheduled meeting of the admin's, starting in `hoursFromNow`; its id.
    Q_INVOKABLE QString scheduleMeeting(const QString &topic, int hoursFromNow = 24,
                                        bool waitingRoom = false);
    // Joins `user` (admin, bob, carol, dave, erin) to the meeting over a real socket; their
    // participant id, or empty. A waiting room keeps non-hosts waiting.
    Q_INVOKABLE QString join(const QString &user, const QString &meetingId);
    // The user's client acknowledges mute requests from now on.
    Q_INVOKABLE void acknowledgeMutes(const QString &user);
    // Whether the user's client got a frame of this type within the timeout.
    Q_INVOKABLE bool received(const QString &user, const QString &type, int timeoutMs = 5000);
    // Whether the server closed the user's socket within the timeout.
    Q_INVOKABLE bool disconnected(const QString &user, int timeoutMs = 5000);
    // Closes every test client.
    Q_INVOKABLE void leaveAll();
    // A PATCH/POST through the admin's bearer, for setting scenes up: the answer's status.
    Q_INVOKABLE int post(const QString &path, const QVariantMap &body = {});
    // The recording's state once it is one of `states`, or after the timeout.
    Q_INVOKABLE QString waitForRecording(const QString &meetingId, const QString &states,
                                         int timeoutMs = 30000);
    // A RemoteSignIn that never opens a browser (its secrets in a scratch file), and the
    // authorization page its last sign-in would have shown there.
    QObject *remoteSignIn() const;
    Q_INVOKABLE QString lastBrowserUrl() const { return m_lastBrowserUrl; }
    // The visible controls under `root` (buttons, fields, boxes) that a screen reader would
    // announce without a name, each as "Type 'objectName'"; empty when all have one.
    Q_INVOKABLE QStringList unnamedControls(QQuickItem *root) const;
    // The address of a path (default /hook) on the receiver "ok" or "failing".
    Q_INVOKABLE QString webhookUrl(const QString &receiver, const QString &path = {});
    // How many requests the receiver got so far.
    Q_INVOKABLE int webhookRequestCount(const QString &receiver) const;
    // The statuses the receiver answers its next requests with, before its usual one.
    Q_INVOKABLE void queueWebhookAnswers(const QString &receiver, const QVariantList &statuses);
    // Sends the subscription a test event every second until its state is `state` (the server
    // disables one that keeps failing) or the timeout passes; the state last seen.
    Q_INVOKABLE QString pingWebhookUntil(const QString &webhookId, const QString &state,
                                         int timeoutMs = 20000);
    // A path in the harness's scratch directory, and the size of a file (-1: none).
    Q_INVOKABLE QString scratchPath(const QString &name) const;
    Q_INVOKABLE qint64 fileSize(const QString &path) const;
    // Saves a picture of the item's window as build/app-screenshots/<name>.png; its path.
    Q_INVOKABLE QString screenshot(QQuickItem *item, const QString &name);

    // --- Apps and users (tst_people.qml) ---
    // Registers an app asking for `scopes`, listed in the marketplace; by the admin's own
    // workspace, or by a vendor workspace of its own when `byVendor`. Its id, or empty.
    Q_INVOKABLE QString registerApp(const QString &name, const QString &description,
                                    const QStringList &scopes, bool byVendor = true);
    // A GET through the admin's bearer: the JSON answer (empty on failure).
    Q_INVOKABLE QVariantMap getJson(const QString &path);
    // A merge PATCH through the admin's bearer: the answer's status.
    Q_INVOKABLE int patch(const QString &path, const QVariantMap &body);
    // An app ApiClient signed in as the member bob, who may not manage apps or users.
    Q_INVOKABLE QObject *memberClient();
    // --- end of apps and users ---

private:
    quorum::test::WebhookReceiver *receiver(const QString &name) const;

    std::unique_ptr<LiveScenario> m_live;
    std::unique_ptr<quorum::ApiClient> m_client;
    std::unique_ptr<quorum::SecretStore> m_secrets;
    std::unique_ptr<quorum::RemoteSignIn> m_remoteSignIn;
    QString m_lastBrowserUrl;
    QHash<QString, SignalClient *> m_clients;
    std::unique_ptr<quorum::test::WebhookReceiver> m_okReceiver;
    std::unique_ptr<quorum::test::WebhookReceiver> m_failingReceiver;
    QString m_problem;
    // Apps and users.
    QString m_vendorToken;
    std::unique_ptr<quorum::ApiClient> m_memberClient;
};

} // namespace quorum::testing
