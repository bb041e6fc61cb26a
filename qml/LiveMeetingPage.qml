import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum.Backend

// One meeting as it happens: who is in it and who waits, kept current over the signalling
// socket; muting, removing, admitting, co-hosts, mute all, recording and the end for everyone.
Item {
    id: root

    property QtObject client
    property string meetingId
    property string topic
    readonly property alias participants: participantModel
    readonly property alias recordings: recordingModel
    property var activeRecording: null
    property int presentCount: 0
    property int waitingCount: 0
    property int elapsedSeconds: 0
    property var pendingCall: null
    readonly property bool acting: pendingCall !== null && !pendingCall.done
    readonly property bool mayAct: participantModel.observer.observing
                                   && participantModel.observer.mayAct

    function recount() {
        let present = 0;
        let waiting = 0;
        for (let row = 0; row < participantModel.count; ++row) {
            const state = participantModel.get(row).state;
            if (state === "present")
                ++present;
            else if (state === "waiting")
                ++waiting;
        }
        presentCount = present;
        waitingCount = waiting;
    }

    function findActiveRecording() {
        let active = null;
        for (let row = 0; row < recordingModel.count; ++row) {
            const recording = recordingModel.get(row);
            if (recording.state === "recording")
                active = recording;
        }
        activeRecording = active;
        tick();
    }

    function tick() {
        elapsedSeconds = activeRecording
            ? Math.max(0, Math.floor((Date.now() - Date.parse(activeRecording.started_at)) / 1000))
            : 0;
    }

    function clock(seconds: int): string {
        const pad = value => (value < 10 ? "0" : "") + value;
        return Math.floor(seconds / 3600) + ":" + pad(Math.floor(seconds / 60) % 60) + ":"
            + pad(seconds % 60);
    }

    // Shows an action's progress and, when it fails, the server's words.
    function run(call: var) {
        pendingCall = call;
        actionProblem.message = "";
        call.finished.connect(() => {
            if (!call.ok)
                actionProblem.message = call.message;
        });
    }

    ParticipantListModel {
        id: participantModel

        client: root.client
        meetingId: root.meetingId
        live: root.meetingId !== "" && root.client !== null && root.client.hasToken
        onCountChanged: root.recount()
        onDataChanged: root.recount()
        onModelReset: root.recount()
    }
    RecordingListModel {
        id: recordingModel

        client: root.client
        meetingId: root.meetingId
        onLoaded: root.findActiveRecording()
        onCountChanged: root.findActiveRecording()
    }
    Connections {
        target: participantModel.observer
        function onRecordingStarted() {
            recordingModel.refresh();
        }
        function onRecordingStopped() {
            recordingModel.refresh();
        }
        function onCommandFailed(code: string, message: string) {
            actionProblem.message = message;
        }
    }
    Timer {
        interval: 1000
        repeat: true
        running: root.activeRecording !== null && root.visible
        onTriggered: root.tick()
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: root.meetingId === "" ? qsTr("Live meeting") : root.topic
            subtitle: root.meetingId === "" ? ""
                : participantModel.meetingEnded ? qsTr("This meeting has ended.")
                : participantModel.observer.observing
                  ? qsTr("%n in the meeting", "", root.presentCount) + "  ·  "
                    + qsTr("%n waiting", "", root.waitingCount)
                : qsTr("Connecting…")
            busy: root.acting || recordingModel.busy
                  || (root.meetingId !== "" && !participantModel.observer.observing
                      && !participantModel.meetingEnded)
            Layout.fillWidth: true

            Button {
                objectName: "muteAllButton"
                visible: root.meetingId !== ""
                enabled: root.mayAct && !root.acting && root.presentCount > 0
                text: qsTr("Mute all")
                Accessible.name: qsTr("Mute everyone but the hosts")
                onClicked: root.run(participantModel.muteAll())
            }
            Button {
                objectName: "recordButton"
                visible: root.meetingId !== ""
                enabled: root.mayAct && participantModel.observer.mayRecord && !root.acting
                text: root.activeRecording ? qsTr("Stop recording") : qsTr("Start recording")
                Accessible.name: text
                onClicked: root.run(root.activeRecording ? recordingModel.stop()
                                                         : recordingModel.start())
            }
            Button {
                objectName: "endButton"
                visible: root.meetingId !== ""
                enabled: root.mayAct && !root.acting && !participantModel.meetingEnded
                text: qsTr("End for everyone")
                palette.button: Theme.danger
                palette.buttonText: Theme.accentText
                Accessible.name: text
                onClicked: confirmDialog.ask(
                    qsTr("End meeting for everyone?"),
                    qsTr("Everyone in “%1” will be disconnected.").arg(root.topic),
                    qsTr("End meeting"), () => root.run(participantModel.end()))
            }
        }

        Rectangle {
            objectName: "recordingIndicator"
            visible: root.activeRecording !== null
            radius: Theme.radius
            color: Theme.dangerSurface
            implicitHeight: recordingRow.implicitHeight + 2 * Theme.spacing
            Layout.fillWidth: true
            Accessible.role: Accessible.Indicator
            Accessible.name: qsTr("Recording, %1").arg(root.clock(root.elapsedSeconds))

            RowLayout {
                id: recordingRow

                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing

                Rectangle {
                    width: 12
                    height: 12
                    radius: 6
                    color: Theme.live
                }
                Label {
                    objectName: "recordingElapsed"
                    text: qsTr("Recording in the cloud  %1").arg(root.clock(root.elapsedSeconds))
                    color: Theme.live
                    font.bold: true
                    Layout.fillWidth: true
                }
            }
        }

        ProblemBanner {
            objectName: "observerProblem"
            message: participantModel.observer.error
            Layout.fillWidth: true
        }
        ProblemBanner {
            id: actionProblem

            objectName: "actionProblem"
            Layout.fillWidth: true
        }

        EmptyState {
            visible: root.meetingId === ""
            title: qsTr("No meeting chosen")
            hint: qsTr("Open a meeting's live view from the Meetings page.")
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacingHuge * 2
        }

        RowLayout {
            visible: root.meetingId !== ""
            spacing: Theme.spacingHuge
            Layout.fillWidth: true
            Layout.fillHeight: true

            Repeater {
                model: [{state: "present", title: qsTr("In the meeting"), name: "presentList",
                         empty: qsTr("Nobody has joined yet.")},
                        {state: "waiting", title: qsTr("Waiting room"), name: "waitingList",
                         empty: qsTr("Nobody is waiting.")}]

                ColumnLayout {
                    id: column

                    required property var modelData
                    readonly property int shown: modelData.state === "present" ? root.presentCount
                                                                                : root.waitingCount

                    spacing: Theme.spacing
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Layout.preferredWidth: modelData.state === "present" ? 3 : 2

                    Label {
                        text: column.modelData.title + "  (" + column.shown + ")"
                        font.bold: true
                        color: Theme.text
                        Accessible.role: Accessible.Heading
                    }
                    ListView {
                        id: list

                        objectName: column.modelData.name
                        clip: true
                        model: participantModel
                        activeFocusOnTab: true
                        keyNavigationEnabled: true
                        Accessible.role: Accessible.List
                        Accessible.name: column.modelData.title
                        Layout.fillWidth: true
                        Layout.fillHeight: true

                        // Both lists show the one roster; each keeps the rows of its state.
                        delegate: Item {
                            id: slot

                            required property var item
                            required property int index
                            readonly property bool shown: item.state === column.modelData.state

                            width: list.width
                            height: shown ? participant.implicitHeight + Theme.spacing : 0
                            visible: shown

                            ParticipantDelegate {
                                id: participant

                                width: parent.width
                                item: slot.item
                                index: slot.index
                                mayAct: root.mayAct && !root.acting
                                onMuteRequested: (id, muted) => root.run(
                                                     participantModel.mute(id, muted))
                                onAdmitRequested: id => root.run(participantModel.admit(id))
                                onRoleRequested: (id, role) => root.run(
                                                     participantModel.setRole(id, role))
                                onRemoveRequested: (id, name) => confirmDialog.ask(
                                    qsTr("Remove %1?").arg(name),
                                    qsTr("%1 will be taken out of the meeting.")
                                        .arg(name),
                                    qsTr("Remove"), () => root.run(participantModel.remove(id)))
                            }
                        }

                        Label {
                            anchors.top: parent.top
                            visible: column.shown === 0
                            text: column.modelData.empty
                            color: Theme.mutedText
                        }
                    }
                }
            }
        }
        Item {
            visible: root.meetingId === ""
            Layout.fillHeight: true
        }
    }

    ConfirmDialog {
        id: confirmDialog

        objectName: "liveConfirmDialog"
    }
}
