import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum

// One subscription: its address, its state in words (why and since when, if the server
// stopped it), its events, and its actions. Choosing it shows its deliveries.
Rectangle {
    id: root

    required property var item
    required property int index
    property bool selected: false
    readonly property string webhookId: item.id
    readonly property string url: item.url
    readonly property bool stoppedByServer: item.state === "disabled"
                                            && item.disabled_reason === "failing"

    signal chosen(string webhookId)
    signal editRequested(var item)
    signal enableRequested(string webhookId, bool enabled)
    signal testRequested(string webhookId)
    signal rotateRequested(string webhookId, string url)
    signal deleteRequested(string webhookId, string url)

    function when(instant: var): string {
        return instant ? TimeZones.local(instant) : "";
    }

    function stateText(): string {
        switch (item.state) {
        case "active":
            return qsTr("Active");
        case "degraded":
            return qsTr("Failing");
        case "disabled":
            return stoppedByServer ? qsTr("Stopped by the server") : qsTr("Turned off");
        }
        return item.state;
    }

    function stateColor(): color {
        switch (item.state) {
        case "active":
            return Theme.success;
        case "degraded":
            return Theme.warning;
        case "disabled":
            return stoppedByServer ? Theme.danger : Theme.mutedText;
        }
        return Theme.mutedText;
    }

    // Why the state is what it is, or how the deliveries fare.
    function stateDetail(): string {
        if (stoppedByServer)
            return qsTr("Deliveries failed from %1 on, so the server stopped sending on %2. "
                        + "Fix the receiver, then turn the subscription on again.")
                .arg(when(item.failing_since)).arg(when(item.updated_at));
        if (item.state === "disabled")
            return qsTr("Turned off on %1; no events are sent.").arg(when(item.updated_at));
        if (item.state === "degraded")
            return qsTr("Deliveries have failed since %1; the server keeps retrying.")
                .arg(when(item.failing_since));
        return lastSuccess();
    }

    function lastSuccess(): string {
        return item.last_success_at ? qsTr("Last delivered %1.").arg(when(item.last_success_at))
                                    : qsTr("Nothing delivered yet.");
    }

    objectName: "webhook_" + webhookId
    implicitHeight: row.implicitHeight + 2 * Theme.spacingLarge
    radius: Theme.radius
    color: Theme.surface
    border.color: selected ? Theme.accent : Theme.border
    border.width: selected ? 2 : 1
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, events: %3").arg(url).arg(stateText())
                         .arg(item.events.join(", "))
    Accessible.selected: selected

    // Five actions share the row with the address: each button only as wide as its words.
    component ActionButton: Button {
        leftPadding: Theme.spacingLarge
        rightPadding: Theme.spacingLarge
        implicitWidth: implicitContentWidth + leftPadding + rightPadding
    }

    TapHandler {
        onTapped: root.chosen(root.webhookId)
    }

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacing

        ColumnLayout {
            spacing: Theme.spacingSmall
            Layout.fillWidth: true

            RowLayout {
                id: titleRow

                spacing: Theme.spacing
                Layout.fillWidth: true

                Label {
                    objectName: "urlLabel"
                    text: root.url
                    font.bold: true
                    color: Theme.text
                    elide: Text.ElideMiddle
                    // As wide as the address, unless the chip would not fit beside it.
                    Layout.maximumWidth: titleRow.width - stateChip.width - titleRow.spacing
                }
                Rectangle {
                    id: stateChip

                    radius: height / 2
                    color: "transparent"
                    border.color: root.stateColor()
                    implicitWidth: chip.implicitWidth + 2 * Theme.spacing
                    implicitHeight: chip.implicitHeight + Theme.spacingSmall

                    Label {
                        id: chip

                        objectName: "stateLabel"
                        anchors.centerIn: parent
                        text: root.stateText()
                        color: root.stateColor()
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
            Label {
                text: root.item.events.join(", ")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                objectName: "stateDetail"
                visible: text !== ""
                text: root.stateDetail()
                color: root.stoppedByServer ? Theme.danger : Theme.mutedText
                font.pixelSize: Theme.fontSmall
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
        }

        ActionButton {
            objectName: "testButton"
            text: qsTr("Send test")
            enabled: root.item.enabled
            Accessible.name: qsTr("Send a test event to %1").arg(root.url)
            ToolTip.text: qsTr("Turn the subscription on to send a test")
            ToolTip.visible: hovered && !enabled
            onClicked: root.testRequested(root.webhookId)
        }
        ActionButton {
            objectName: "enableButton"
            text: root.item.enabled ? qsTr("Turn off") : qsTr("Turn on")
            highlighted: !root.item.enabled
            Accessible.name: root.item.enabled ? qsTr("Turn off %1").arg(root.url)
                                               : qsTr("Turn on %1").arg(root.url)
            onClicked: root.enableRequested(root.webhookId, !root.item.enabled)
        }
        ActionButton {
            objectName: "editButton"
            text: qsTr("Edit")
            Accessible.name: qsTr("Edit %1").arg(root.url)
            onClicked: root.editRequested(root.item)
        }
        ActionButton {
            objectName: "rotateButton"
            text: qsTr("New secret")
            flat: true
            Accessible.name: qsTr("Replace the signing secret of %1").arg(root.url)
            onClicked: root.rotateRequested(root.webhookId, root.url)
        }
        ActionButton {
            objectName: "deleteButton"
            text: qsTr("Delete")
            flat: true
            palette.buttonText: Theme.danger
            Accessible.name: qsTr("Delete the subscription %1").arg(root.url)
            onClicked: root.deleteRequested(root.webhookId, root.url)
        }
    }
}
