import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A page's title with its busy indicator and the actions on its right.
RowLayout {
    id: root

    property string title
    property string subtitle
    property bool busy: false
    default property alias actions: actionRow.data

    spacing: Theme.spacingLarge

    ColumnLayout {
        Layout.fillWidth: true
        spacing: 2

        Label {
            text: root.title
            font.pixelSize: Theme.fontTitle
            font.bold: true
            color: Theme.text
            Accessible.role: Accessible.Heading
        }
        Label {
            visible: root.subtitle !== ""
            text: root.subtitle
            color: Theme.mutedText
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
    }
    BusyIndicator {
        objectName: "pageBusyIndicator"
        running: root.busy
        visible: root.busy
        implicitWidth: 32
        implicitHeight: 32
        Accessible.name: qsTr("Loading")
    }
    RowLayout {
        id: actionRow

        spacing: Theme.spacing
    }
}
