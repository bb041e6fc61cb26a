import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What an empty list says instead of nothing.
ColumnLayout {
    id: root

    property string title
    property string hint

    spacing: Theme.spacing

    Label {
        text: root.title
        font.pixelSize: Theme.fontNormal + 2
        color: Theme.text
        horizontalAlignment: Text.AlignHCenter
        Layout.fillWidth: true
    }
    Label {
        text: root.hint
        color: Theme.mutedText
        wrapMode: Text.Wrap
        horizontalAlignment: Text.AlignHCenter
        Layout.fillWidth: true
    }
}
