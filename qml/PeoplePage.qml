import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum
import Quorum.Backend

// The workspace's apps and users, for its admins: the marketplace with installing (choosing
// what an app may do) and uninstalling; the users with adding, roles and disabling. Members
// get an explanation instead of lists they may not read.
Item {
    id: root

    property QtObject client
    readonly property alias apps: appModel
    readonly property alias users: userModel
    readonly property alias signedIn: signedInUser
    // 0: apps, 1: users.
    property int currentTab: 0
    readonly property bool forbidden: appModel.errorStatus === 403
                                      || userModel.errorStatus === 403
                                      || (signedInUser.loaded && !signedInUser.isAdmin)
    readonly property bool busy: appModel.busy || userModel.busy

    function reload() {
        signedInUser.refresh();
        appModel.refresh();
        userModel.refresh();
    }

    // What a failed action says: a refusal in the server's own words (they say why), anything
    // else in the app's.
    function problemOf(call: var): string {
        return call.code === "forbidden" && call.detail !== "" ? call.detail : call.message;
    }

    function runAction(call: var, doneText: string, onFailure: var) {
        actionProblem.message = "";
        call.finished.connect(() => {
            if (call.ok) {
                statusLabel.show(doneText);
                return;
            }
            actionProblem.message = root.problemOf(call);
            if (onFailure)
                onFailure();
        });
    }

    function roleWords(role: string): string {
        return {owner: qsTr("an owner"), admin: qsTr("an admin"), member: qsTr("a member")}[role];
    }

    function changeRole(user: var, role: string, row: var) {
        const change = () => root.runAction(userModel.changeRole(user.id, role),
                                            qsTr("%1 is now %2").arg(user.name)
                                                .arg(root.roleWords(role)),
                                            () => row.showStoredRole());
        if (user.id !== signedInUser.userId || role !== "member") {
            change();
            return;
        }
        confirmDialog.ask(qsTr("Make yourself a member?"),
                          qsTr("You will no longer be able to manage apps, users or other "
                               + "people's meetings. Only an admin can give that back."),
                          qsTr("Make me a member"), change);
        confirmDialog.keepAction = () => row.showStoredRole();
    }

    function askToDisable(user: var) {
        confirmDialog.ask(
            qsTr("Disable %1?").arg(user.name),
            qsTr("%1 will no longer be able to sign in. Their sign-ins, access tokens and the "
                 + "apps acting for them stop working at once.").arg(user.name),
            qsTr("Disable"),
            () => root.runAction(userModel.disable(user.id), qsTr("%1 was disabled")
                                     .arg(user.name)));
    }

    function askToUninstall(app: var) {
        const granted = Scopes.labels(app.granted_scopes, qsTr("nothing")).toLowerCase();
        confirmDialog.ask(
            qsTr("Uninstall %1?").arg(app.name),
            qsTr("%1 stops working in this workspace at once: it may no longer %2, its "
                 + "sign-ins here are revoked and its event subscriptions here are removed. "
                 + "You can install it again later.").arg(app.name).arg(granted),
            qsTr("Uninstall"),
            () => root.runAction(appModel.uninstall(app.id),
                                 qsTr("%1 was uninstalled").arg(app.name)));
    }

    function showNewLink(user: var) {
        const call = userModel.newPasswordLink(user.id);
        actionProblem.message = "";
        call.finished.connect(() => {
            if (call.ok)
                linkDialog.show(user.name, call.result.set_password_url);
            else
                actionProblem.message = root.problemOf(call);
        });
    }

    function copyText(text: string) {
        Clipboard.setText(text);
    }

    AppListModel {
        id: appModel

        client: root.client
    }
    UserListModel {
        id: userModel

        client: root.client
    }
    SignedInUser {
        id: signedInUser

        client: root.client
    }
    Connections {
        target: root.client
        function onTokenChanged() {
            root.reload();
        }
    }
    Component.onCompleted: {
        if (root.client && root.client.hasToken)
            root.reload();
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Apps and users")
            subtitle: qsTr("Choose which apps may work with this workspace, and who may sign in.")
            busy: root.busy
            Layout.fillWidth: true

            Button {
                objectName: "refreshButton"
                text: qsTr("Refresh")
                Accessible.name: qsTr("Refresh the apps and users")
                onClicked: root.reload()
            }
            Button {
                objectName: "addUserButton"
                visible: root.currentTab === 1 && !root.forbidden
                text: qsTr("Add user")
                highlighted: true
                Accessible.name: text
                onClicked: addUserDialog.openNew()
            }
        }

        // Apps or users: two buttons, the chosen one filled (like the meetings' filter).
        Row {
            objectName: "peopleTabs"
            visible: !root.forbidden
            spacing: 0
            Accessible.role: Accessible.PageTabList
            Accessible.name: qsTr("Apps or users")

            Repeater {
                model: [{name: "apps", label: qsTr("Apps"), count: appModel.count},
                        {name: "users", label: qsTr("Users"), count: userModel.count}]
                Button {
                    required property var modelData
                    required property int index

                    objectName: modelData.name + "Tab"
                    text: modelData.count > 0 ? qsTr("%1 (%2)").arg(modelData.label)
                                                    .arg(modelData.count)
                                              : modelData.label
                    checkable: true
                    autoExclusive: true
                    checked: root.currentTab === index
                    width: 130
                    Accessible.role: Accessible.PageTab
                    Accessible.name: modelData.label
                    onClicked: root.currentTab = index
                }
            }
        }

        ProblemBanner {
            objectName: "listProblem"
            visible: message !== "" && !root.forbidden
            message: root.currentTab === 0 ? appModel.error : userModel.error
            canRetry: true
            Layout.fillWidth: true
            onRetry: root.reload()
        }
        ProblemBanner {
            id: actionProblem

            objectName: "actionProblem"
            Layout.fillWidth: true
        }

        EmptyState {
            objectName: "notAdminState"
            visible: root.forbidden
            title: qsTr("Only admins manage apps and users")
            hint: signedInUser.loaded
                ? qsTr("You are signed in as %1, %2 of the workspace “%3”. Ask one of its "
                       + "admins or owners to install apps, add people or make you an admin.")
                      .arg(signedInUser.name).arg(root.roleWords(signedInUser.role))
                      .arg(signedInUser.workspaceName)
                : qsTr("Ask an admin or owner of your workspace to install apps, add people "
                       + "or make you an admin.")
            Layout.maximumWidth: 520
            Layout.topMargin: Theme.spacingHuge * 2
            Layout.alignment: Qt.AlignHCenter
        }

        StackLayout {
            currentIndex: root.currentTab
            visible: !root.forbidden
            Layout.fillWidth: true
            Layout.fillHeight: true

            ListView {
                id: appList

                objectName: "appList"
                clip: true
                spacing: Theme.spacing
                model: appModel
                keyNavigationEnabled: true
                activeFocusOnTab: true
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Apps")
                ScrollBar.vertical: ScrollBar {}

                delegate: AppDelegate {
                    width: appList.width
                    ownWorkspaceId: signedInUser.workspaceId
                    onInstallRequested: app => installDialog.openFor(app)
                    onUninstallRequested: app => root.askToUninstall(app)
                }

                EmptyState {
                    anchors.centerIn: parent
                    width: Math.min(parent.width, 420)
                    visible: appModel.count === 0 && !appModel.busy && appModel.error === ""
                    title: qsTr("No apps to install")
                    hint: qsTr("Apps appear here once a developer lists them on this server.")
                }
            }

            ListView {
                id: userList

                objectName: "userList"
                clip: true
                spacing: Theme.spacingSmall
                model: userModel
                keyNavigationEnabled: true
                activeFocusOnTab: true
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Users")
                ScrollBar.vertical: ScrollBar {}

                delegate: UserDelegate {
                    id: userRow

                    width: userList.width
                    ownUserId: signedInUser.userId
                    onRoleChangeRequested: (user, role) => root.changeRole(user, role, userRow)
                    onDisableRequested: user => root.askToDisable(user)
                    onPasswordLinkRequested: user => root.showNewLink(user)
                }
            }
        }

        Label {
            id: statusLabel

            objectName: "statusLabel"
            function show(text: string) {
                statusLabel.text = text;
                statusTimer.restart();
            }
            color: Theme.success
            Layout.fillWidth: true
            Timer {
                id: statusTimer

                interval: 4000
                onTriggered: statusLabel.text = ""
            }
        }
    }

    InstallAppDialog {
        id: installDialog

        objectName: "installDialog"
        model: appModel
        onInstalled: name => statusLabel.show(qsTr("%1 can now work with this workspace")
                                                  .arg(name))
    }
    AddUserDialog {
        id: addUserDialog

        objectName: "addUserDialog"
        model: userModel
        onAdded: (name, passwordLink) => {
            statusLabel.show(qsTr("%1 was added").arg(name));
            if (passwordLink !== "")
                linkDialog.show(name, passwordLink);
        }
    }
    PasswordLinkDialog {
        id: linkDialog

        objectName: "passwordLinkDialog"
        onCopyRequested: text => root.copyText(text)
    }
    ConfirmDialog {
        id: confirmDialog

        objectName: "confirmDialog"
    }
}
