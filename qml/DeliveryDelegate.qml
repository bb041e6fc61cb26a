import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One delivery of an event: its type, when it happened, its state, and each attempt with the
// receiver's status code (or why there was none), when it was made and how long it took.
Rectangle {
    id: root

    required property var item
    required property int index
    property bool canRedeliver: true
    readonly property string deliveryId: item.id

    signal redeliverRequested(string deliveryId)

    function when(instant: var): string {
        return instant ? new Date(instant).toLocaleString(Qt.locale(), "d MMM, HH:mm:ss") : "";
    }

    // An attempt's time; its day is the delivery's, shown once at the start of the row.
    function timeOf(instant: var): string {
        return instant ? new Date(instant).toLocaleTimeString(Qt.locale(), "HH:mm:ss") : "";
    }

    function stateText(): string {
        switch (item.state) {
        case "pending":
            return item.attempts > 0 ? qsTr("Retrying") : qsTr("Sending");
        case "succeeded":
            return qsTr("Delivered");
        case "failed":
            return qsTr("Failed");
        case "cancelled":
            return qsTr("Cancelled");
        }
        return item.state;
    }

    function stateColor(): color {
        switch (item.state) {
        case "pending":
            return Theme.warning;
        case "succeeded":
            return Theme.success;
        case "failed":
            return Theme.danger;
        }
        return Theme.mutedText;
    }

    // An attempt without an HTTP answer, in words.
    function errorText(error: string): string {
        if (!error)
            return qsTr("no answer");
        if (error === "timeout")
            return qsTr("no answer in time");
        if (error === "connection_refused")
            return qsTr("connection refused");
        if (error === "dns")
            return qsTr("address not found");
        if (error === "tls")
            return qsTr("secure connection failed");
        if (error.startsWith("forbidden_address"))
            return qsTr("address not allowed");
        return error.replace(/_/g, " ");
    }

    function attemptColor(attempt: var): color {
        if (attempt.status_code >= 200 && attempt.status_code < 300)
            return Theme.success;
        return Theme.danger;
    }

    function attemptText(attempt: var): string {
        const outcome = attempt.status_code ? qsTr("HTTP %1").arg(attempt.status_code)
                                            : errorText(attempt.error);
        const parts = [qsTr("#%1").arg(attempt.number), timeOf(attempt.attempted_at), outcome];
        if (attempt.latency_ms !== null && attempt.latency_ms !== undefined)
            parts.push(qsTr("%1 ms").arg(attempt.latency_ms));
        return parts.join("  ");
    }

    objectName: "delivery_" + deliveryId
    implicitHeight: column.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1 of %2, %3, %n attempt(s)", "", item.attempts)
                         .arg(item.event).arg(when(item.created_at)).arg(stateText())

    RowLayout {
        id: column

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        anchors.topMargin: Theme.spacingSmall
        anchors.bottomMargin: Theme.spacingSmall
        spacing: Theme.spacingLarge

        Label {
            objectName: "eventLabel"
            text: root.item.event
            font.bold: true
            color: Theme.text
            elide: Text.ElideRight
            Layout.preferredWidth: 160
        }
        Label {
            text: root.when(root.item.created_at)
            color: Theme.mutedText
            Layout.preferredWidth: 120
        }
        Label {
            objectName: "deliveryStateLabel"
            text: root.stateText()
            color: root.stateColor()
            font.bold: true
            Layout.preferredWidth: 80
        }
        // Each attempt: its number, time, the receiver's answer and how long it took.
        Flow {
            objectName: "attemptFlow"
            spacing: Theme.spacingSmall
            Layout.fillWidth: true
            Layout.alignment: Qt.AlignVCenter

            Repeater {
                model: root.item.attempt_log ? root.item.attempt_log : []

                Rectangle {
                    id: attemptChip

                    required property var modelData

                    radius: Theme.radius
                    color: "transparent"
                    border.color: root.attemptColor(modelData)
                    implicitWidth: attemptLabel.implicitWidth + 2 * Theme.spacing
                    implicitHeight: attemptLabel.implicitHeight + Theme.spacingSmall
                    Accessible.role: Accessible.StaticText
                    Accessible.name: attemptLabel.text

                    Label {
                        id: attemptLabel

                        objectName: "attempt_" + attemptChip.modelData.number
                        anchors.centerIn: parent
                        text: root.attemptText(attemptChip.modelData)
                        color: root.attemptColor(attemptChip.modelData)
                        font.pixelSize: Theme.fontSmall
                    }
                }
            }
            Label {
                visible: root.item.attempts === 0
                text: qsTr("not attempted yet")
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
            }
            Label {
                visible: root.item.state === "pending" && root.item.next_attempt_at !== null
                text: qsTr("next attempt %1").arg(root.timeOf(root.item.next_attempt_at))
                color: Theme.mutedText
                font.pixelSize: Theme.fontSmall
            }
        }
        Button {
            objectName: "redeliverButton"
            visible: root.item.state !== "pending"
            enabled: root.canRedeliver
            text: qsTr("Send again")
            flat: true
            Accessible.name: qsTr("Send the %1 event of %2 again").arg(root.item.event)
                                 .arg(root.when(root.item.created_at))
            ToolTip.text: qsTr("Turn the subscription on to send deliveries again")
            ToolTip.visible: hovered && !enabled
            onClicked: root.redeliverRequested(root.deliveryId)
        }
    }
}
