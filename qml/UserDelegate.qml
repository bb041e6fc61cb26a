import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One user of the workspace: name, role (changed right here), whether they are active or
// disabled and whether they have set a password yet; with disabling.
Rectangle {
    id: root

    required property var item
    required property int index
    // The signed-in user's id: nobody disables themselves.
    property string ownUserId
    readonly property string userId: item.id
    readonly property string name: item.name
    readonly property string role: item.role
    readonly property bool disabled: item.disabled
    readonly property bool isSelf: ownUserId !== "" && userId === ownUserId
    readonly property var roleValues: ["owner", "admin", "member"]

    signal roleChangeRequested(var user, string role)
    signal disableRequested(var user)
    signal passwordLinkRequested(var user)

    // Shows the role the server holds again, after a refused change.
    function showStoredRole() {
        roleBox.currentIndex = Qt.binding(() => root.roleValues.indexOf(root.role));
    }

    function roleText(value: string): string {
        switch (value) {
        case "owner":
            return qsTr("Owner");
        case "admin":
            return qsTr("Admin");
        case "member":
            return qsTr("Member");
        }
        return value;
    }

    function details(): string {
        const parts = [];
        if (!item.has_password)
            parts.push(qsTr("has not set a password yet"));
        const added = new Date(item.created_at);
        if (!isNaN(added.getTime()))
            parts.push(qsTr("added %1").arg(added.toLocaleDateString(Qt.locale(),
                                                                     Locale.ShortFormat)));
        return parts.join("  ·  ");
    }

    objectName: "user_" + userId
    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: ListView.isCurrentItem && ListView.view.activeFocus ? Theme.accent : Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, %3").arg(name).arg(roleText(role))
        .arg(disabled ? qsTr("disabled") : qsTr("active"))

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacingLarge
        anchors.topMargin: Theme.spacing
        anchors.bottomMargin: Theme.spacing
        spacing: Theme.spacingLarge

        ColumnLayout {
            spacing: 2
            Layout.fillWidth: true

            RowLayout {
                spacing: Theme.spacing

                Label {
                    objectName: "userName"
                    text: root.name
                    font.pixelSize: Theme.fontNormal + 2
                    font.bold: true
                    color: root.disabled ? Theme.mutedText : Theme.text
                    elide: Text.ElideRight
                    Layout.maximumWidth: root.width * 0.4
                }
                Label {
                    visible: root.isSelf
                    text: qsTr("(you)")
                    color: Theme.mutedText
                }
                Rectangle {
                    radius: height / 2
                    color: "transparent"
                    border.color: root.disabled ? Theme.danger : Theme.success
                    implicitWidth: statusChip.implicitWidth + 2 * Theme.spacing
                    implicitHeight: statusChip.implicitHeight + Theme.spacingSmall

                    Label {
                        id: statusChip

                        objectName: "statusChip"
                        anchors.centerIn: parent
                        text: root.disabled ? qsTr("Disabled") : qsTr("Active")
                        color: root.disabled ? Theme.danger : Theme.success
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
            Label {
                visible: text !== ""
                text: root.details()
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }

        // Before the role, so that the role boxes and Disable buttons stay in their columns.
        Button {
            objectName: "newLinkButton"
            text: qsTr("New set-password link")
            flat: true
            // Basic writes a flat button's text in windowText: the accent marks it as an action.
            palette.windowText: Theme.accent
            visible: !root.item.has_password && !root.disabled
            Accessible.name: qsTr("A new set-password link for %1").arg(root.name)
            onClicked: root.passwordLinkRequested(root.item)
        }
        Label {
            text: qsTr("Role")
            color: Theme.mutedText
        }
        ComboBox {
            id: roleBox

            objectName: "roleBox"
            model: root.roleValues.map(value => root.roleText(value))
            currentIndex: root.roleValues.indexOf(root.role)
            enabled: !root.disabled
            Accessible.name: qsTr("Role of %1").arg(root.name)
            Layout.preferredWidth: 130
            onActivated: index => {
                if (root.roleValues[index] !== root.role)
                    root.roleChangeRequested(root.item, root.roleValues[index]);
            }
        }
        Button {
            objectName: "disableButton"
            text: qsTr("Disable…")
            enabled: !root.disabled && !root.isSelf
            // Keeps its place in disabled rows, so that the role boxes stay in one column.
            opacity: root.disabled ? 0 : 1
            Accessible.name: qsTr("Disable %1").arg(root.name)
            Accessible.description: root.isSelf ? qsTr("You cannot disable yourself.") : ""
            onClicked: root.disableRequested(root.item)
        }
    }
}
