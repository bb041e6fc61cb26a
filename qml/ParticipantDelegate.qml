import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One person of a live meeting: name, role, microphone (and whether their client confirmed a
// mute), and the host's actions.
Rectangle {
    id: root

    required property var item
    required property int index
    property bool mayAct: true
    readonly property string participantId: item.id
    readonly property string displayName: item.display_name
    readonly property bool waiting: item.state === "waiting"
    readonly property bool isHost: item.role === "host"
    readonly property bool isCoHost: item.role === "co_host"

    signal muteRequested(string participantId, bool muted)
    signal removeRequested(string participantId, string displayName)
    signal admitRequested(string participantId)
    signal roleRequested(string participantId, string role)

    function micText(): string {
        if (!item.audio_muted)
            return qsTr("Microphone on");
        return item.mute_acknowledged ? qsTr("Muted, confirmed by their app")
                                      : qsTr("Mute sent, not confirmed yet");
    }

    objectName: "participant_" + displayName
    implicitHeight: row.implicitHeight + 2 * Theme.spacing
    radius: Theme.radius
    color: Theme.surface
    border.color: Theme.border
    Accessible.role: Accessible.ListItem
    Accessible.name: waiting ? qsTr("%1, waiting to be admitted").arg(displayName)
                             : qsTr("%1, %2").arg(displayName).arg(micText())

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.leftMargin: Theme.spacingLarge
        anchors.rightMargin: Theme.spacing
        anchors.topMargin: Theme.spacing
        anchors.bottomMargin: Theme.spacing
        spacing: Theme.spacing

        ColumnLayout {
            spacing: 2
            Layout.fillWidth: true
            Layout.minimumWidth: 120

            Label {
                text: root.displayName + (root.isHost ? qsTr(" · host")
                                                      : root.isCoHost ? qsTr(" · co-host") : "")
                color: Theme.text
                font.bold: root.isHost || root.isCoHost
                elide: Text.ElideRight
                Layout.fillWidth: true
            }
            Label {
                objectName: "micLabel"
                visible: !root.waiting
                text: root.micText()
                elide: Text.ElideRight
                Layout.fillWidth: true
                color: !root.item.audio_muted ? Theme.mutedText
                     : root.item.mute_acknowledged ? Theme.success : Theme.warning
                font.pixelSize: Theme.fontSmall
            }
        }

        Button {
            objectName: "admitButton"
            visible: root.waiting
            enabled: root.mayAct
            text: qsTr("Admit")
            highlighted: true
            Accessible.name: qsTr("Admit %1").arg(root.displayName)
            onClicked: root.admitRequested(root.participantId)
        }
        Button {
            objectName: "muteButton"
            visible: !root.waiting
            enabled: root.mayAct
            text: root.item.audio_muted ? qsTr("Ask to unmute") : qsTr("Mute")
            Accessible.name: root.item.audio_muted ? qsTr("Ask %1 to unmute").arg(root.displayName)
                                                   : qsTr("Mute %1").arg(root.displayName)
            onClicked: root.muteRequested(root.participantId, !root.item.audio_muted)
        }
        Button {
            objectName: "roleButton"
            visible: !root.waiting && !root.isHost
            enabled: root.mayAct
            text: root.isCoHost ? qsTr("Remove co-host") : qsTr("Make co-host")
            Accessible.name: root.isCoHost ? qsTr("Make %1 an attendee").arg(root.displayName)
                                           : qsTr("Make %1 a co-host").arg(root.displayName)
            onClicked: root.roleRequested(root.participantId,
                                          root.isCoHost ? "attendee" : "co_host")
        }
        Button {
            objectName: "removeButton"
            visible: !root.isHost
            enabled: root.mayAct
            text: qsTr("Remove")
            Accessible.name: qsTr("Remove %1 from the meeting").arg(root.displayName)
            onClicked: root.removeRequested(root.participantId, root.displayName)
        }
    }
}
