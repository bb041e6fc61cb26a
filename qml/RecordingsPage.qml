import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Quorum.Backend

// The cloud recordings of a meeting: progress while they are made, then their files with
// size and expiry, to open or download, and deletion.
Item {
    id: root

    property QtObject client
    property string meetingId
    readonly property alias recordings: recordingModel
    readonly property alias download: fileDownload

    // Saves a file of a recording to `localFile` (what the save dialog chose).
    function saveFile(fileUrl: url, localFile: var) {
        saveProblem.message = "";
        fileDownload.start(fileUrl, localFile);
    }

    signal meetingChosen(string meetingId, string topic)

    onMeetingIdChanged: meetingBox.follow()

    MeetingListModel {
        id: meetingChoices

        client: root.client
        stateFilter: "LIVE,ENDED"
        onLoaded: meetingBox.follow()
        onCountChanged: meetingBox.follow()
    }
    FileDownload {
        id: fileDownload

        onFinished: ok => saveProblem.message = ok ? "" : error
    }
    FileDialog {
        id: saveDialog

        property url fileUrl

        objectName: "saveDialog"
        title: qsTr("Save the recording's file")
        fileMode: FileDialog.SaveFile
        currentFolder: fileDownload.defaultFolder
        onAccepted: root.saveFile(fileUrl, selectedFile)
    }
    RecordingListModel {
        id: recordingModel

        client: root.client
        meetingId: root.meetingId
    }
    Connections {
        target: root.client
        function onTokenChanged() {
            meetingChoices.refresh();
            recordingModel.refresh();
        }
    }
    Component.onCompleted: {
        if (root.client && root.client.hasToken)
            meetingChoices.refresh();
    }

    // While something is still being processed the list is read again now and then.
    Timer {
        interval: 3000
        repeat: true
        running: root.visible && root.meetingId !== "" && !recordingModel.busy
                 && processing.visible
        onTriggered: recordingModel.refresh()
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Recordings")
            subtitle: qsTr("Links are renewed each time this list is read; the server deletes "
                           + "recordings after its retention period.")
            busy: recordingModel.busy || meetingChoices.busy
            Layout.fillWidth: true

            Button {
                text: qsTr("Refresh")
                enabled: root.meetingId !== ""
                Accessible.name: qsTr("Refresh the recordings")
                onClicked: recordingModel.refresh()
            }
        }

        RowLayout {
            spacing: Theme.spacing

            Label {
                text: qsTr("Meeting")
                color: Theme.text
            }
            ComboBox {
                id: meetingBox

                // Shows the meeting the window chose, once the list has it.
                function follow() {
                    const row = meetingChoices.indexOf(root.meetingId);
                    if (row >= 0)
                        currentIndex = row;
                }

                objectName: "meetingBox"
                model: meetingChoices
                textRole: "topic"
                displayText: currentIndex < 0 ? qsTr("Choose a meeting") : currentText
                Accessible.name: qsTr("Meeting whose recordings are shown")
                Layout.preferredWidth: 360
                onActivated: index => {
                    const meeting = meetingChoices.get(index);
                    root.meetingChosen(meeting.id, meeting.topic);
                }
            }
        }

        ProblemBanner {
            message: recordingModel.error
            canRetry: true
            Layout.fillWidth: true
            onRetry: recordingModel.refresh()
        }
        RowLayout {
            objectName: "saveProgress"
            visible: fileDownload.busy
            spacing: Theme.spacing
            Layout.fillWidth: true

            Label {
                text: qsTr("Saving…")
                color: Theme.text
            }
            ProgressBar {
                value: fileDownload.progress
                Accessible.name: qsTr("Saving, %1 percent").arg(Math.round(fileDownload.progress
                                                                          * 100))
                Layout.fillWidth: true
            }
            Button {
                text: qsTr("Cancel")
                flat: true
                Accessible.name: qsTr("Cancel the saving")
                onClicked: fileDownload.cancel()
            }
        }
        Label {
            objectName: "savedText"
            visible: !fileDownload.busy && fileDownload.savedFile !== ""
            text: qsTr("Saved to %1").arg(fileDownload.savedFile)
            color: Theme.success
            elide: Text.ElideMiddle
            Layout.fillWidth: true
        }
        ProblemBanner {
            id: saveProblem

            objectName: "saveProblem"
            Layout.fillWidth: true
        }
        ProblemBanner {
            id: actionProblem

            objectName: "actionProblem"
            Layout.fillWidth: true
        }

        ListView {
            id: recordingList

            objectName: "recordingList"
            clip: true
            spacing: Theme.spacing
            model: recordingModel
            activeFocusOnTab: true
            keyNavigationEnabled: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Recordings")
            Layout.fillWidth: true
            Layout.fillHeight: true
            ScrollBar.vertical: ScrollBar {}

            delegate: RecordingDelegate {
                width: recordingList.width
                onSaveRequested: (fileUrl, suggestedName) => {
                    saveDialog.fileUrl = fileUrl;
                    saveDialog.selectedFile = fileDownload.defaultFolder + "/" + suggestedName;
                    saveDialog.open();
                }
                onDeleteRequested: recordingId => confirmDialog.ask(
                    qsTr("Delete recording?"),
                    qsTr("Its files will be deleted for good, links included."),
                    qsTr("Delete"), () => {
                        const call = recordingModel.deleteRecording(recordingId);
                        call.finished.connect(() => {
                            actionProblem.message = call.ok ? "" : call.message;
                        });
                    })
            }

            EmptyState {
                anchors.centerIn: parent
                width: Math.min(parent.width, 420)
                visible: recordingModel.count === 0 && !recordingModel.busy
                title: root.meetingId === "" ? qsTr("No meeting chosen")
                                             : qsTr("No recordings of this meeting")
                hint: root.meetingId === "" ? qsTr("Choose a meeting above.")
                                            : qsTr("Start one from the meeting's live view.")
            }
        }
        Label {
            id: processing

            visible: {
                for (let row = 0; row < recordingModel.count; ++row) {
                    const state = recordingModel.get(row).state;
                    if (state === "processing" || state === "recording")
                        return true;
                }
                return false;
            }
            text: qsTr("This list refreshes while recordings are being processed.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
        }
    }

    ConfirmDialog {
        id: confirmDialog

        objectName: "recordingConfirmDialog"
    }
}
