import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The server the app talks to: the embedded one's state, address and first password, or the
// remote one's address; and where the app keeps its secrets.
Item {
    id: root

    property QtObject client
    property QtObject embeddedServer
    property QtObject secrets

    component Row2: RowLayout {
        property alias name: nameLabel.text
        property alias value: valueLabel.text

        spacing: Theme.spacingLarge
        Layout.fillWidth: true

        Label {
            id: nameLabel

            color: Theme.mutedText
            Layout.preferredWidth: 180
        }
        Label {
            id: valueLabel

            color: Theme.text
            textFormat: Text.PlainText
            wrapMode: Text.WrapAnywhere
            Layout.fillWidth: true
            Accessible.name: nameLabel.text + " " + text
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Server")
            subtitle: root.embeddedServer ? qsTr("The server runs inside this app.")
                                          : qsTr("This app talks to a server elsewhere.")
            Layout.fillWidth: true
        }

        Rectangle {
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.border
            implicitHeight: facts.implicitHeight + 2 * Theme.spacingLarge
            Layout.fillWidth: true

            ColumnLayout {
                id: facts

                anchors.fill: parent
                anchors.margins: Theme.spacingLarge
                spacing: Theme.spacing

                Row2 {
                    objectName: "serverState"
                    name: qsTr("State")
                    value: !root.embeddedServer ? (root.client && root.client.hasToken
                                                   ? qsTr("Signed in") : qsTr("Not signed in"))
                         : root.embeddedServer.running ? qsTr("Running")
                         : root.embeddedServer.error !== "" ? qsTr("Stopped")
                         : qsTr("Starting…")
                }
                Row2 {
                    name: qsTr("Address")
                    value: root.client && root.client.baseUrl.toString() !== ""
                           ? root.client.baseUrl.toString() : qsTr("none yet")
                }
                Row2 {
                    visible: root.embeddedServer !== null
                    name: qsTr("Listening on")
                    value: root.embeddedServer
                           ? (root.embeddedServer.port === 0 ? qsTr("127.0.0.1, a free port")
                                                             : "127.0.0.1:"
                                                               + root.embeddedServer.port) : ""
                }
                Row2 {
                    visible: root.secrets !== null
                    name: qsTr("Secrets kept in")
                    value: root.secrets && root.secrets.usingFallback
                           ? qsTr("a private file (no system keychain)")
                           : qsTr("the system keychain")
                }
            }
        }

        ProblemBanner {
            message: root.embeddedServer ? root.embeddedServer.error : ""
            canRetry: root.embeddedServer !== null && !root.embeddedServer.running
            Layout.fillWidth: true
            onRetry: root.embeddedServer.start()
        }
        Label {
            visible: root.secrets !== null && root.secrets.warning !== ""
            text: root.secrets ? root.secrets.warning : ""
            color: Theme.warning
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Rectangle {
            visible: root.embeddedServer !== null
                     && root.embeddedServer.initialAdminPassword !== ""
            radius: Theme.radius
            color: Theme.surface
            border.color: Theme.warning
            implicitHeight: passwordColumn.implicitHeight + 2 * Theme.spacingLarge
            Layout.fillWidth: true

            ColumnLayout {
                id: passwordColumn

                anchors.fill: parent
                anchors.margins: Theme.spacingLarge
                spacing: Theme.spacing

                Label {
                    text: qsTr("The owner's first password, shown this once; keep it safe:")
                    color: Theme.text
                    wrapMode: Text.Wrap
                    Layout.fillWidth: true
                }
                TextField {
                    readOnly: true
                    selectByMouse: true
                    text: root.embeddedServer ? root.embeddedServer.initialAdminPassword : ""
                    font.family: "monospace"
                    Accessible.name: qsTr("The owner's first password")
                    Layout.fillWidth: true
                }
            }
        }
        Item {
            Layout.fillHeight: true
        }
    }
}
