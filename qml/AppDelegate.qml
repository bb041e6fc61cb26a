import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One app of the marketplace: who offers it, what it is for, what it asks and, once
// installed here, what it was granted; with installing, changing the grant and uninstalling.
Rectangle {
    id: root

    required property var item
    required property int index
    // The signed-in user's workspace, to tell the workspace's own apps from other vendors'.
    property string ownWorkspaceId
    readonly property string appId: item.id
    readonly property string name: item.name
    readonly property bool installed: item.installed
    readonly property var grantedScopes: item.granted_scopes ? item.granted_scopes : []

    signal installRequested(var item)
    signal uninstallRequested(var item)

    function origin(): string {
        if (ownWorkspaceId !== "" && item.workspace_id === ownWorkspaceId)
            return item.listed ? qsTr("Made in your workspace, listed for every workspace")
                               : qsTr("Made in your workspace, not listed for others");
        return qsTr("From another workspace on this server");
    }

    objectName: "app_" + appId
    implicitHeight: row.implicitHeight + 2 * Theme.spacingLarge
    radius: Theme.radius
    color: Theme.surface
    border.color: ListView.isCurrentItem && ListView.view.activeFocus ? Theme.accent : Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, %3").arg(name)
        .arg(installed ? qsTr("installed") : qsTr("not installed")).arg(origin())

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacingLarge

        ColumnLayout {
            spacing: Theme.spacingSmall
            Layout.fillWidth: true

            RowLayout {
                spacing: Theme.spacing
                Layout.fillWidth: true

                Label {
                    objectName: "appName"
                    text: root.name
                    font.pixelSize: Theme.fontNormal + 2
                    font.bold: true
                    color: Theme.text
                    elide: Text.ElideRight
                    Layout.maximumWidth: root.width * 0.5
                }
                Rectangle {
                    radius: height / 2
                    color: "transparent"
                    border.color: root.installed ? Theme.success : Theme.mutedText
                    implicitWidth: chip.implicitWidth + 2 * Theme.spacing
                    implicitHeight: chip.implicitHeight + Theme.spacingSmall

                    Label {
                        id: chip

                        objectName: "installedChip"
                        anchors.centerIn: parent
                        text: root.installed ? qsTr("Installed") : qsTr("Not installed")
                        color: root.installed ? Theme.success : Theme.mutedText
                        font.pixelSize: Theme.fontSmall
                    }
                }
                Item {
                    Layout.fillWidth: true
                }
            }
            Label {
                text: root.origin()
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                objectName: "appDescription"
                visible: text !== ""
                text: root.item.description
                color: Theme.text
                wrapMode: Text.Wrap
                maximumLineCount: 3
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                objectName: "scopesAsked"
                text: qsTr("Asks to: %1").arg(Scopes.labels(root.item.scopes, qsTr("nothing")))
                color: Theme.mutedText
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "scopesGranted"
                visible: root.installed
                text: qsTr("Allowed here: %1").arg(Scopes.labels(root.grantedScopes,
                                                                 qsTr("nothing")))
                color: Theme.success
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }

        Button {
            objectName: "installButton"
            visible: !root.installed
            text: qsTr("Install…")
            highlighted: true
            Accessible.name: qsTr("Install %1").arg(root.name)
            Layout.alignment: Qt.AlignTop
            onClicked: root.installRequested(root.item)
        }
        Button {
            objectName: "changeAccessButton"
            visible: root.installed
            text: qsTr("Change access…")
            Accessible.name: qsTr("Change what %1 may do").arg(root.name)
            Layout.alignment: Qt.AlignTop
            onClicked: root.installRequested(root.item)
        }
        Button {
            objectName: "uninstallButton"
            visible: root.installed
            text: qsTr("Uninstall")
            Accessible.name: qsTr("Uninstall %1").arg(root.name)
            Layout.alignment: Qt.AlignTop
            onClicked: root.uninstallRequested(root.item)
        }
    }
}
