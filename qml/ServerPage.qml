import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum
import Quorum.Backend

// The server the app talks to: the embedded one's state and address, or a remote one signed
// in to through the browser (and the way back); its signing keys and their rotation; the
// audit log.
Item {
    id: root

    property QtObject client
    property QtObject embeddedServer
    property QtObject remoteSignIn
    property QtObject secrets

    readonly property alias status: serverStatus
    readonly property alias audit: auditModel
    readonly property bool onEmbedded: embeddedServer !== null && embeddedServer.running
                                       && client !== null
                                       && client.baseUrl.toString()
                                          === embeddedServer.url.toString()

    function refresh() {
        serverStatus.refresh();
        auditModel.refresh();
        users.refresh();
    }

    // Who acted, by name where the users' list knows them (read again as that list fills).
    function userName(userId: string): string {
        if (!userId)
            return qsTr("the server");
        const row = users.count > 0 ? users.indexOf(userId) : -1;
        return row >= 0 ? users.get(row).name : userId;
    }

    function actionText(action: string): string {
        const words = {
            "auth.signin": qsTr("Signed in"),
            "auth.signin_failed": qsTr("Sign-in failed"),
            "auth.signout": qsTr("Signed out"),
            "user.created": qsTr("User added"),
            "user.updated": qsTr("User changed"),
            "user.disabled": qsTr("User disabled"),
            "user.password_link_created": qsTr("Password link made"),
            "user.password_set": qsTr("Password set"),
            "user.password_changed": qsTr("Password changed"),
            "app.created": qsTr("App created"),
            "app.updated": qsTr("App changed"),
            "app.deleted": qsTr("App deleted"),
            "app.installed": qsTr("App installed"),
            "app.installation_updated": qsTr("App's access changed"),
            "app.uninstalled": qsTr("App uninstalled"),
            "oauth.consented": qsTr("App allowed"),
            "oauth.code_reused": qsTr("Sign-in code used twice"),
            "oauth.refresh_token_reused": qsTr("Old app token used; its sign-in revoked"),
            "webhook.created": qsTr("Webhook added"),
            "webhook.updated": qsTr("Webhook changed"),
            "webhook.deleted": qsTr("Webhook deleted"),
            "webhook.secret_rotated": qsTr("Webhook secret replaced"),
            "webhook.disabled": qsTr("Webhook turned off after failures"),
            "token.created": qsTr("Access token made"),
            "token.revoked": qsTr("Access token revoked"),
            "passcode.lockout": qsTr("Too many wrong passcodes"),
            "passcode.surge": qsTr("Many wrong passcodes"),
            "signing_key.rotated": qsTr("Signing key replaced"),
            "meeting.ended": qsTr("Meeting ended by a host"),
            "participant.removed": qsTr("Participant removed"),
            "recording.deleted": qsTr("Recording deleted")
        };
        return words[action] ?? action;
    }

    function hostOf(url: var): string {
        return String(url).replace(/^[a-z]+:\/\//, "").replace(/\/.*$/, "");
    }

    function duration(seconds: int): string {
        if (seconds < 60)
            return qsTr("less than a minute");
        if (seconds < 3600)
            return qsTr("%n min", "", Math.floor(seconds / 60));
        if (seconds < 86400)
            return qsTr("%n h", "", Math.floor(seconds / 3600));
        return qsTr("%n days", "", Math.floor(seconds / 86400));
    }

    ServerStatus {
        id: serverStatus

        client: root.client
    }
    AuditListModel {
        id: auditModel

        client: root.client
        pageSize: 30
    }
    UserListModel {
        id: users

        client: root.client
    }
    Connections {
        target: root.client
        function onTokenChanged() {
            if (root.client.hasToken)
                root.refresh();
        }
    }
    Component.onCompleted: {
        if (root.client && root.client.hasToken)
            root.refresh();
    }

    component Fact: RowLayout {
        property alias name: nameLabel.text
        property alias value: valueLabel.text

        spacing: Theme.spacingLarge
        Layout.fillWidth: true

        Label {
            id: nameLabel

            color: Theme.mutedText
            Layout.preferredWidth: 170
            Layout.alignment: Qt.AlignTop
        }
        Label {
            id: valueLabel

            color: Theme.text
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
            Accessible.name: nameLabel.text + " " + text
        }
    }

    component Card: Rectangle {
        default property alias content: cardColumn.data
        property alias title: cardTitle.text

        radius: Theme.radius
        color: Theme.surface
        border.color: Theme.border
        implicitHeight: cardColumn.implicitHeight + 2 * Theme.spacingLarge
        Layout.fillWidth: true

        ColumnLayout {
            id: cardColumn

            anchors.fill: parent
            anchors.margins: Theme.spacingLarge
            spacing: Theme.spacing

            Label {
                id: cardTitle

                visible: text !== ""
                font.bold: true
                font.pixelSize: Theme.fontNormal + 2
                color: Theme.text
                Accessible.role: Accessible.Heading
                Layout.bottomMargin: Theme.spacingSmall
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Server")
            subtitle: root.onEmbedded ? qsTr("The app runs its own server on this computer.")
                    : root.client && root.client.hasToken
                      ? qsTr("Signed in to %1.").arg(root.hostOf(root.client.baseUrl))
                      : qsTr("Not connected to a server yet.")
            busy: serverStatus.busy || auditModel.busy
            Layout.fillWidth: true

            Button {
                objectName: "refreshServerButton"
                text: qsTr("Refresh")
                enabled: root.client !== null && root.client.hasToken
                Accessible.name: qsTr("Refresh the server's state and the audit log")
                onClicked: root.refresh()
            }
        }

        ScrollView {
            id: scroller

            clip: true
            contentWidth: availableWidth
            Layout.fillWidth: true
            Layout.fillHeight: true

            ColumnLayout {
                width: scroller.availableWidth
                spacing: Theme.spacingLarge

                RowLayout {
                    spacing: Theme.spacingLarge
                    Layout.fillWidth: true

                    Card {
                        title: qsTr("Connection")
                        Layout.alignment: Qt.AlignTop
                        Layout.preferredWidth: 1
                        Layout.fillWidth: true

                        Fact {
                            objectName: "serverState"
                            name: qsTr("State")
                            value: root.onEmbedded ? qsTr("Built-in server running")
                                 : root.embeddedServer && root.embeddedServer.error !== ""
                                   && !root.client.hasToken ? qsTr("Built-in server stopped")
                                 : root.client && root.client.hasToken ? qsTr("Signed in")
                                 : root.embeddedServer ? qsTr("Built-in server starting…")
                                 : qsTr("Not signed in")
                        }
                        Fact {
                            objectName: "serverAddress"
                            name: qsTr("Address")
                            value: root.client && root.client.baseUrl.toString() !== ""
                                   ? root.client.baseUrl.toString() : qsTr("none yet")
                        }
                        Fact {
                            visible: serverStatus.status.version !== undefined
                            name: qsTr("Version")
                            value: serverStatus.status.version ?? ""
                        }
                        Fact {
                            visible: serverStatus.status.uptime_seconds !== undefined
                            name: qsTr("Running for")
                            value: root.duration(serverStatus.status.uptime_seconds ?? 0)
                        }
                        Fact {
                            visible: serverStatus.status.webhooks !== undefined
                            name: qsTr("Webhooks waiting")
                            value: serverStatus.status.webhooks
                                   ? qsTr("%n deliveries", "",
                                          serverStatus.status.webhooks.queue_depth) : ""
                        }
                        Fact {
                            visible: root.secrets !== null
                            name: qsTr("Secrets kept in")
                            value: root.secrets && root.secrets.usingFallback
                                   ? qsTr("a private file (no system keychain)")
                                   : qsTr("the system keychain")
                        }
                        Label {
                            visible: root.secrets !== null && root.secrets.warning !== ""
                            text: root.secrets ? root.secrets.warning : ""
                            color: Theme.warning
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                    }

                    Card {
                        title: qsTr("Another server")
                        Layout.alignment: Qt.AlignTop
                        Layout.preferredWidth: 1
                        Layout.fillWidth: true

                        Label {
                            text: qsTr("Sign in to a Quorum server your team runs. Your "
                                       + "browser opens for the sign-in; the app remembers it.")
                            color: Theme.mutedText
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                        RowLayout {
                            spacing: Theme.spacing
                            Layout.fillWidth: true

                            TextField {
                                id: remoteField

                                objectName: "remoteAddressField"
                                placeholderText: "https://quorum.example.com"
                                inputMethodHints: Qt.ImhUrlCharactersOnly
                                Accessible.name: qsTr("Address of the server")
                                Layout.fillWidth: true
                                onAccepted: signInButton.clicked()
                            }
                            Button {
                                id: signInButton

                                objectName: "remoteSignInButton"
                                text: qsTr("Sign in")
                                enabled: root.remoteSignIn !== null && !root.remoteSignIn.busy
                                         && remoteField.text.trim() !== ""
                                Accessible.name: qsTr("Sign in to the server at this address")
                                onClicked: {
                                    let address = remoteField.text.trim();
                                    if (!address.includes("://"))
                                        address = "https://" + address;
                                    root.remoteSignIn.signIn(address);
                                }
                            }
                        }
                        RowLayout {
                            visible: root.remoteSignIn !== null && root.remoteSignIn.busy
                            spacing: Theme.spacing

                            BusyIndicator {
                                running: parent.visible
                                implicitWidth: 24
                                implicitHeight: 24
                            }
                            Label {
                                text: qsTr("Waiting for the sign-in in your browser…")
                                color: Theme.mutedText
                            }
                            Button {
                                text: qsTr("Cancel")
                                flat: true
                                Accessible.name: qsTr("Cancel the sign-in")
                                onClicked: root.remoteSignIn.cancel()
                            }
                        }
                        Label {
                            objectName: "remoteSignInError"
                            visible: text !== ""
                            text: root.remoteSignIn ? root.remoteSignIn.error : ""
                            color: Theme.danger
                            wrapMode: Text.Wrap
                            Layout.fillWidth: true
                        }
                        Button {
                            objectName: "useBuiltInButton"
                            visible: root.embeddedServer !== null && root.embeddedServer.running
                                     && !root.onEmbedded
                            text: qsTr("Back to the built-in server")
                            Accessible.name: text
                            onClicked: root.embeddedServer.connectClient(root.client)
                        }
                    }
                }

                ProblemBanner {
                    message: root.embeddedServer && !root.embeddedServer.running
                             ? root.embeddedServer.error : ""
                    canRetry: true
                    Layout.fillWidth: true
                    onRetry: root.embeddedServer.start()
                }

                Card {
                    visible: root.embeddedServer !== null
                             && root.embeddedServer.initialAdminPassword !== ""
                    border.color: Theme.warning
                    title: qsTr("The owner's first password")

                    Label {
                        text: qsTr("Shown this once. It signs the owner (user \"admin\") in "
                                   + "to the server's web pages; keep it somewhere safe.")
                        color: Theme.text
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    TextField {
                        readOnly: true
                        selectByMouse: true
                        text: root.embeddedServer ? root.embeddedServer.initialAdminPassword
                                                  : ""
                        font.family: "monospace"
                        Accessible.name: qsTr("The owner's first password")
                        Layout.fillWidth: true
                    }
                }

                Card {
                    objectName: "signingKeysCard"
                    title: qsTr("Join-token signing keys")

                    Label {
                        visible: serverStatus.error !== ""
                        text: serverStatus.error
                        color: Theme.mutedText
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Label {
                        visible: serverStatus.error === ""
                        text: qsTr("Join tokens are signed with the newest key; older keys stay "
                                   + "published until the tokens they signed have expired.")
                        color: Theme.mutedText
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Repeater {
                        model: serverStatus.signingKeys

                        delegate: RowLayout {
                            required property var modelData
                            required property int index

                            spacing: Theme.spacingLarge
                            Layout.fillWidth: true
                            Accessible.role: Accessible.ListItem
                            Accessible.name: keyLabel.text + ", " + keyState.text

                            Label {
                                id: keyLabel

                                text: modelData.kid
                                font.family: "monospace"
                                color: Theme.text
                                elide: Text.ElideMiddle
                                Layout.preferredWidth: 260
                            }
                            Label {
                                text: modelData.algorithm
                                color: Theme.mutedText
                                Layout.preferredWidth: 60
                            }
                            Label {
                                text: qsTr("made %1").arg(TimeZones.local(modelData.created_at))
                                color: Theme.text
                                Layout.preferredWidth: 240
                            }
                            Label {
                                id: keyState

                                text: !modelData.retired_at ? qsTr("signing now")
                                    : modelData.publish_until
                                      ? qsTr("retired; published until %1")
                                            .arg(TimeZones.local(modelData.publish_until))
                                      : qsTr("retired")
                                color: !modelData.retired_at ? Theme.success : Theme.mutedText
                                elide: Text.ElideRight
                                Layout.fillWidth: true
                            }
                        }
                    }
                    Fact {
                        objectName: "nextRotation"
                        visible: serverStatus.error === "" && serverStatus.status.version
                                 !== undefined
                        name: qsTr("Next rotation")
                        value: serverStatus.status.next_rotation_at
                               ? TimeZones.local(serverStatus.status.next_rotation_at)
                               : qsTr("not scheduled")
                    }
                }

                Card {
                    title: qsTr("Audit log")

                    Label {
                        visible: auditModel.error !== ""
                        text: auditModel.error
                        color: Theme.danger
                        wrapMode: Text.Wrap
                        Layout.fillWidth: true
                    }
                    Label {
                        visible: auditModel.count === 0 && !auditModel.busy
                                 && auditModel.error === ""
                        text: qsTr("Nothing recorded yet.")
                        color: Theme.mutedText
                    }
                    // Reads older pages as it is scrolled down.
                    ListView {
                        id: auditRows

                        objectName: "auditRows"
                        visible: auditModel.count > 0
                        clip: true
                        model: auditModel
                        activeFocusOnTab: true
                        keyNavigationEnabled: true
                        boundsBehavior: Flickable.StopAtBounds
                        // Rows beyond the view would read pages nobody looks at.
                        cacheBuffer: 0
                        implicitHeight: Math.min(contentHeight, 360)
                        Layout.fillWidth: true
                        Accessible.role: Accessible.List
                        Accessible.name: qsTr("Audit log")
                        ScrollBar.vertical: ScrollBar {}

                        delegate: Rectangle {
                            required property string action
                            required property string occurredAt
                            required property var actorId
                            required property var userId
                            required property var targetId
                            required property var clientAddress
                            required property int index

                            // Whom the entry is about, when not the actor; a token's id says
                            // nothing to a host.
                            readonly property string about: {
                                if (userId && userId !== actorId)
                                    return root.userName(userId);
                                return targetId && !targetId.startsWith("tok_") ? targetId : "";
                            }

                            width: ListView.view.width - Theme.spacingLarge
                            color: index % 2 === 0 ? "transparent" : Theme.window
                            radius: Theme.radius
                            implicitHeight: auditRow.implicitHeight + Theme.spacing
                            Accessible.role: Accessible.ListItem
                            Accessible.name: actionLabel.text + ", " + whoLabel.text + ", "
                                             + whenLabel.text

                            RowLayout {
                                id: auditRow

                                anchors.fill: parent
                                anchors.leftMargin: Theme.spacing
                                anchors.rightMargin: Theme.spacing
                                spacing: Theme.spacingLarge

                                Label {
                                    id: whenLabel

                                    text: TimeZones.local(occurredAt)
                                    color: Theme.mutedText
                                    Layout.preferredWidth: 170
                                }
                                Label {
                                    id: actionLabel

                                    text: root.actionText(action)
                                    color: Theme.text
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: 250
                                }
                                Label {
                                    id: whoLabel

                                    text: qsTr("by %1").arg(root.userName(actorId))
                                    color: Theme.text
                                    elide: Text.ElideRight
                                    Layout.preferredWidth: 150
                                }
                                Label {
                                    text: about
                                    color: Theme.mutedText
                                    elide: Text.ElideMiddle
                                    Layout.fillWidth: true
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
