import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum
import Quorum.Backend

// The meetings: upcoming, live and past, searched by topic; scheduling, editing, cancelling,
// copying the join link, and the way to a meeting's live view and recordings.
Item {
    id: root

    property QtObject client
    readonly property alias meetings: meetingModel

    signal openLive(string meetingId, string topic)
    signal openRecordings(string meetingId, string topic)

    function copyText(text: string) {
        Clipboard.setText(text);
        statusLabel.show(qsTr("Join link copied"));
    }

    function runAction(call: var, doneText: string) {
        call.finished.connect(() => {
            if (call.ok)
                statusLabel.show(doneText);
            else
                actionProblem.message = call.message;
        });
        actionProblem.message = "";
    }

    MeetingListModel {
        id: meetingModel

        client: root.client
        stateFilter: "SCHEDULED,LIVE"
    }
    Connections {
        target: root.client
        function onTokenChanged() {
            meetingModel.refresh();
        }
    }
    Component.onCompleted: {
        if (root.client && root.client.hasToken)
            meetingModel.refresh();
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Meetings")
            subtitle: qsTr("Schedule meetings and look after the ones under way.")
            busy: meetingModel.busy
            Layout.fillWidth: true

            Button {
                objectName: "refreshButton"
                text: qsTr("Refresh")
                Accessible.name: qsTr("Refresh the meetings")
                onClicked: meetingModel.refresh()
            }
            Button {
                objectName: "scheduleButton"
                text: qsTr("Schedule meeting")
                highlighted: true
                Accessible.name: text
                onClicked: meetingDialog.openNew()
            }
        }

        RowLayout {
            spacing: Theme.spacing
            Layout.fillWidth: true

            // Which meetings: one of four buttons, the chosen one filled.
            Row {
                objectName: "stateFilterBar"
                spacing: 0
                Accessible.role: Accessible.Grouping
                Accessible.name: qsTr("Which meetings")

                Repeater {
                    model: [{label: qsTr("Upcoming"), states: "SCHEDULED,LIVE"},
                            {label: qsTr("Live"), states: "LIVE"},
                            {label: qsTr("Past"), states: "ENDED,CANCELLED"},
                            {label: qsTr("All"), states: ""}]
                    Button {
                        required property var modelData

                        objectName: "filter_" + modelData.label
                        text: modelData.label
                        checkable: true
                        autoExclusive: true
                        checked: meetingModel.stateFilter === modelData.states
                        width: 96
                        Accessible.role: Accessible.RadioButton
                        Accessible.name: qsTr("Show %1 meetings").arg(modelData.label)
                        onClicked: meetingModel.stateFilter = modelData.states
                    }
                }
            }
            Item {
                Layout.fillWidth: true
            }
            TextField {
                objectName: "searchField"
                placeholderText: qsTr("Search topics")
                selectByMouse: true
                Accessible.name: qsTr("Search meeting topics")
                Layout.preferredWidth: 260
                onTextChanged: meetingModel.searchText = text
            }
        }

        ProblemBanner {
            objectName: "listProblem"
            message: meetingModel.error
            canRetry: true
            Layout.fillWidth: true
            onRetry: meetingModel.refresh()
        }
        ProblemBanner {
            id: actionProblem

            objectName: "actionProblem"
            Layout.fillWidth: true
        }

        ListView {
            id: meetingList

            objectName: "meetingList"
            clip: true
            spacing: Theme.spacing
            model: meetingModel
            keyNavigationEnabled: true
            activeFocusOnTab: true
            Accessible.role: Accessible.List
            Accessible.name: qsTr("Meetings")
            Layout.fillWidth: true
            Layout.fillHeight: true
            // Always shown when the list is longer than the page: a cut-off last row then
            // reads as "more below".
            ScrollBar.vertical: ScrollBar {
                id: meetingScrollBar

                policy: meetingList.contentHeight > meetingList.height ? ScrollBar.AlwaysOn
                                                                       : ScrollBar.AsNeeded
            }

            delegate: MeetingDelegate {
                width: meetingList.width - (meetingScrollBar.policy === ScrollBar.AlwaysOn
                                            ? meetingScrollBar.width + Theme.spacingSmall : 0)
                onEditRequested: item => meetingDialog.openFor(item)
                onCopyLinkRequested: joinUrl => root.copyText(joinUrl)
                onOpenLiveRequested: (meetingId, topic) => root.openLive(meetingId, topic)
                onOpenRecordingsRequested: (meetingId, topic) => root.openRecordings(meetingId,
                                                                                     topic)
                onCancelRequested: (meetingId, topic) => confirmDialog.ask(
                    qsTr("Cancel meeting?"),
                    qsTr("“%1” will be cancelled and its join link will stop working.")
                        .arg(topic),
                    qsTr("Cancel meeting"),
                    () => root.runAction(meetingModel.cancel(meetingId),
                                         qsTr("Meeting cancelled")))
                onEndRequested: (meetingId, topic) => confirmDialog.ask(
                    qsTr("End meeting for everyone?"),
                    qsTr("Everyone in “%1” will be disconnected.").arg(topic),
                    qsTr("End meeting"),
                    () => root.runAction(meetingModel.end(meetingId), qsTr("Meeting ended")))
            }

            EmptyState {
                anchors.centerIn: parent
                width: Math.min(parent.width, 420)
                visible: meetingModel.count === 0 && !meetingModel.busy
                         && meetingModel.error === ""
                title: meetingModel.searchText !== "" ? qsTr("No meeting matches the search")
                                                      : qsTr("No meetings here")
                hint: qsTr("Schedule one with “Schedule meeting”.")
            }
        }

        Label {
            id: statusLabel

            objectName: "statusLabel"
            function show(text: string) {
                statusLabel.text = text;
                statusTimer.restart();
            }
            color: Theme.success
            Layout.fillWidth: true
            Timer {
                id: statusTimer

                interval: 4000
                onTriggered: statusLabel.text = ""
            }
        }
    }

    MeetingDialog {
        id: meetingDialog

        objectName: "meetingDialog"
        model: meetingModel
        onSaved: (topic) => statusLabel.show(qsTr("Saved “%1”").arg(topic))
    }
    ConfirmDialog {
        id: confirmDialog

        objectName: "confirmDialog"
    }
}
