import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A page that is planned but not built yet.
Item {
    id: root

    property string title
    property string hint

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: root.title
            Layout.fillWidth: true
        }
        EmptyState {
            title: qsTr("Not available yet")
            hint: root.hint
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacingHuge * 2
        }
        Item {
            Layout.fillHeight: true
        }
    }
}
