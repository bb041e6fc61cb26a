import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A failure put into words, with a way to try again.
Rectangle {
    id: root

    property string message
    property bool canRetry: false
    signal retry

    visible: message !== ""
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing : 0
    radius: Theme.radius
    color: Theme.dangerSurface
    border.color: Theme.danger
    Accessible.role: Accessible.AlertMessage
    Accessible.name: message

    RowLayout {
        id: row

        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        Label {
            objectName: "problemText"
            text: root.message
            color: Theme.danger
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        Button {
            visible: root.canRetry
            text: qsTr("Try again")
            Accessible.name: text
            onClicked: root.retry()
        }
    }
}
