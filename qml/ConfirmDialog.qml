import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Asks before something that cannot be undone; `action` runs on confirmation.
Dialog {
    id: root

    property string message
    property string confirmText: qsTr("Confirm")
    property var action: null
    // Runs when the host keeps things as they are; set after ask(), which clears it.
    property var keepAction: null

    function ask(title: string, message: string, confirmText: string, action: var) {
        root.title = title;
        root.message = message;
        root.confirmText = confirmText;
        root.action = action;
        root.keepAction = null;
        open();
    }

    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(440, parent ? parent.width - 2 * Theme.spacingHuge : 440)
    padding: Theme.spacingLarge

    Label {
        width: parent.width
        text: root.message
        wrapMode: Text.Wrap
        color: Theme.text
    }

    footer: DialogButtonBox {
        Button {
            objectName: "confirmCancelButton"
            text: qsTr("Keep")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "confirmButton"
            text: root.confirmText
            Accessible.name: text
            palette.button: Theme.danger
            palette.buttonText: Theme.accentText
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
    }
    onAccepted: {
        if (root.action)
            root.action();
        root.action = null;
    }
    onRejected: {
        if (root.keepAction)
            root.keepAction();
        root.keepAction = null;
    }
}
