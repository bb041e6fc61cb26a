import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum

// One recording: its state and progress, then each file with its size and the expiry of its
// link.
Rectangle {
    id: root

    required property var item
    required property int index
    readonly property string recordingId: item.id

    signal deleteRequested(string recordingId)
    // A file to save: its link and the name offered in the save dialog.
    signal saveRequested(url fileUrl, string suggestedName)

    function stateText(state: string): string {
        switch (state) {
        case "recording":
            return qsTr("Recording");
        case "processing":
            return qsTr("Processing");
        case "completed":
            return qsTr("Ready");
        case "failed":
            return qsTr("Failed");
        }
        return state;
    }

    function size(bytes: real): string {
        const units = [qsTr("bytes"), qsTr("KB"), qsTr("MB"), qsTr("GB")];
        let value = bytes;
        let unit = 0;
        while (value >= 1000 && unit < units.length - 1) {
            value /= 1000;
            ++unit;
        }
        return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
    }

    function when(instant: string): string {
        return instant ? TimeZones.local(instant) : "";
    }

    function fileName(file: var): string {
        switch (file.type) {
        case "video":
            return qsTr("Video (%1)").arg(file.format.toUpperCase());
        case "audio":
            return qsTr("Audio only (%1)").arg(file.format.toUpperCase());
        case "timeline":
            return qsTr("Timeline (%1)").arg(file.format.toUpperCase());
        }
        return file.type;
    }

    objectName: "recording_" + recordingId
    implicitHeight: column.implicitHeight + 2 * Theme.spacingLarge
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: qsTr("Recording of %1, %2").arg(when(item.started_at))
                         .arg(stateText(item.state))

    ColumnLayout {
        id: column

        anchors.fill: parent
        anchors.margins: Theme.spacingLarge
        spacing: Theme.spacing

        RowLayout {
            spacing: Theme.spacing

            Label {
                text: qsTr("Started %1").arg(root.when(root.item.started_at))
                font.bold: true
                color: Theme.text
            }
            Label {
                text: root.stateText(root.item.state)
                color: Theme.stateColor(root.item.state)
                font.bold: true
            }
            Label {
                visible: root.item.duration_seconds > 0
                text: root.item.duration_seconds < 60
                      ? qsTr("· %n s long", "", Math.round(root.item.duration_seconds))
                      : qsTr("· %n min long", "", Math.round(root.item.duration_seconds / 60))
                color: Theme.mutedText
            }
            Item {
                Layout.fillWidth: true
            }
            Button {
                objectName: "deleteRecordingButton"
                visible: root.item.state === "completed" || root.item.state === "failed"
                text: qsTr("Delete")
                Accessible.name: qsTr("Delete the recording started %1")
                                     .arg(root.when(root.item.started_at))
                onClicked: root.deleteRequested(root.recordingId)
            }
        }

        RowLayout {
            visible: root.item.state === "processing"
            spacing: Theme.spacing
            Layout.fillWidth: true

            ProgressBar {
                objectName: "progressBar"
                from: 0
                to: 100
                value: root.item.progress
                Accessible.name: qsTr("Processing, %1 percent").arg(root.item.progress)
                Layout.fillWidth: true
            }
            Label {
                text: qsTr("%1 %").arg(root.item.progress)
                color: Theme.mutedText
            }
        }
        Label {
            visible: root.item.state === "failed"
            text: root.item.error_message ? root.item.error_message
                                          : qsTr("The recording could not be made.")
            color: Theme.danger
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Repeater {
            model: root.item.files ? root.item.files : []

            RowLayout {
                id: fileRow

                required property var modelData

                spacing: Theme.spacingLarge
                Layout.fillWidth: true

                Label {
                    text: root.fileName(fileRow.modelData)
                    color: Theme.text
                    Layout.preferredWidth: 160
                }
                Label {
                    text: root.size(fileRow.modelData.size_bytes)
                    color: Theme.mutedText
                    Layout.preferredWidth: 90
                }
                Label {
                    text: qsTr("link valid until %1").arg(root.when(fileRow.modelData.expires_at))
                    color: Theme.mutedText
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Button {
                    text: qsTr("Open")
                    flat: true
                    Accessible.name: qsTr("Open %1").arg(root.fileName(fileRow.modelData))
                    onClicked: Qt.openUrlExternally(fileRow.modelData.url)
                }
                Button {
                    objectName: "save_" + fileRow.modelData.type
                    text: qsTr("Save…")
                    flat: true
                    Accessible.name: qsTr("Save %1 as a file").arg(
                                         root.fileName(fileRow.modelData))
                    onClicked: root.saveRequested(
                                   fileRow.modelData.url,
                                   "recording-" + root.item.started_at.slice(0, 16)
                                                                       .replace(/[:T]/g, "-")
                                   + (fileRow.modelData.type === "timeline" ? "-timeline" : "")
                                   + "." + fileRow.modelData.format)
                }
            }
        }
    }
}
