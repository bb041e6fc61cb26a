import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum

// One meeting in the list: topic, start in its own zone, duration, state and settings, with
// the actions its state allows.
Rectangle {
    id: root

    required property var item
    required property int index
    readonly property string meetingId: item.id
    readonly property string topic: item.topic
    readonly property string joinUrl: item.join_url
    readonly property string meetingState: item.state
    readonly property bool upcoming: meetingState === "SCHEDULED"
    readonly property bool isLive: meetingState === "LIVE"
    readonly property int actionWidth: 110

    signal editRequested(var item)
    signal copyLinkRequested(string joinUrl)
    signal cancelRequested(string meetingId, string topic)
    signal endRequested(string meetingId, string topic)
    signal openLiveRequested(string meetingId, string topic)
    signal openRecordingsRequested(string meetingId, string topic)

    function stateText(state: string): string {
        switch (state) {
        case "SCHEDULED":
            return qsTr("Scheduled");
        case "LIVE":
            return qsTr("Live");
        case "ENDED":
            return qsTr("Ended");
        case "CANCELLED":
            return qsTr("Cancelled");
        }
        return state;
    }

    function details(): string {
        const parts = [TimeZones.describe(item.start_time, item.timezone),
                       qsTr("%n min", "", item.duration_minutes)];
        if (item.has_passcode)
            parts.push(qsTr("passcode"));
        if (item.waiting_room)
            parts.push(qsTr("waiting room"));
        if (isLive && item.live)
            parts.push(qsTr("%n in the meeting", "", item.live.participant_count));
        return parts.join("  ·  ");
    }

    objectName: "meeting_" + meetingId
    implicitHeight: row.implicitHeight + 2 * Theme.spacingLarge
    radius: Theme.radius
    color: Theme.surface
    border.color: ListView.isCurrentItem && ListView.view.activeFocus ? Theme.accent : Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("%1, %2, %3").arg(topic).arg(stateText(meetingState)).arg(details())

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacingLarge

        // Yields its width to the actions: a long topic is elided rather than pushing them out.
        ColumnLayout {
            spacing: Theme.spacingSmall
            Layout.fillWidth: true
            Layout.preferredWidth: 100

            RowLayout {
                spacing: Theme.spacing
                Layout.fillWidth: true

                Label {
                    objectName: "topicLabel"
                    text: root.topic
                    font.pixelSize: Theme.fontNormal + 2
                    font.bold: true
                    color: Theme.text
                    elide: Text.ElideRight
                    Layout.minimumWidth: 40
                }
                Rectangle {
                    radius: height / 2
                    color: "transparent"
                    border.color: Theme.stateColor(root.meetingState)
                    implicitWidth: chip.implicitWidth + 2 * Theme.spacing
                    implicitHeight: chip.implicitHeight + Theme.spacingSmall

                    Label {
                        id: chip

                        anchors.centerIn: parent
                        text: root.stateText(root.meetingState)
                        color: Theme.stateColor(root.meetingState)
                        font.pixelSize: Theme.fontSmall
                        font.bold: root.isLive
                    }
                }
                Item {
                    Layout.fillWidth: true
                }
            }
            Label {
                text: root.details()
                color: Theme.mutedText
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
        }

        // The actions sit in slots of one width, so that each lines up from row to row: End
        // takes Cancel's place and the live view is always last.
        Button {
            objectName: "copyLinkButton"
            visible: root.upcoming || root.isLive
            text: qsTr("Copy link")
            flat: true
            Layout.preferredWidth: root.actionWidth
            Accessible.name: qsTr("Copy the join link of %1").arg(root.topic)
            onClicked: root.copyLinkRequested(root.joinUrl)
        }
        Button {
            objectName: "editButton"
            visible: root.upcoming
            text: qsTr("Edit")
            Layout.preferredWidth: root.actionWidth
            Accessible.name: qsTr("Edit %1").arg(root.topic)
            onClicked: root.editRequested(root.item)
        }
        Item {
            visible: root.isLive
            Layout.preferredWidth: root.actionWidth
        }
        Button {
            objectName: "cancelMeetingButton"
            visible: root.upcoming
            text: qsTr("Cancel")
            Layout.preferredWidth: root.actionWidth
            Accessible.name: qsTr("Cancel %1").arg(root.topic)
            onClicked: root.cancelRequested(root.meetingId, root.topic)
        }
        Button {
            visible: root.isLive
            text: qsTr("End")
            Layout.preferredWidth: root.actionWidth
            Accessible.name: qsTr("End %1 for everyone").arg(root.topic)
            onClicked: root.endRequested(root.meetingId, root.topic)
        }
        Button {
            objectName: "openLiveButton"
            visible: root.upcoming || root.isLive
            text: qsTr("Live view")
            highlighted: root.isLive
            Layout.preferredWidth: root.actionWidth
            Accessible.name: root.isLive ? qsTr("Open the live view of %1").arg(root.topic)
                                         : qsTr("Watch %1 from the live view: who waits, who "
                                                + "joins").arg(root.topic)
            ToolTip.visible: hovered
            ToolTip.text: root.isLive ? qsTr("Who is in the meeting, and the host's controls")
                                      : qsTr("Who joins once it starts, and the host's controls")
            onClicked: root.openLiveRequested(root.meetingId, root.topic)
        }
        Button {
            visible: root.meetingState === "ENDED"
            text: qsTr("Recordings")
            Layout.preferredWidth: root.actionWidth
            Accessible.name: qsTr("Recordings of %1").arg(root.topic)
            onClicked: root.openRecordingsRequested(root.meetingId, root.topic)
        }
    }
}
