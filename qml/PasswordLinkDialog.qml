import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Shows a user's one-time set-password link, the only time it can be seen, with a Copy button.
Dialog {
    id: root

    property string userName
    property string link

    signal copyRequested(string text)

    function show(name: string, passwordLink: string) {
        userName = name;
        link = passwordLink;
        copied.visible = false;
        open();
        copyButton.forceActiveFocus();
    }

    title: qsTr("Set-password link for %1").arg(userName)
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(560, parent ? parent.width - 2 * Theme.spacingHuge : 560)
    padding: Theme.spacingLarge

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        Label {
            text: qsTr("Send this link to %1. With it they choose a password, and then they "
                       + "can sign in.").arg(root.userName)
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        RowLayout {
            spacing: Theme.spacing
            Layout.fillWidth: true

            TextField {
                objectName: "linkField"
                text: root.link
                readOnly: true
                selectByMouse: true
                Accessible.name: qsTr("Set-password link")
                Layout.fillWidth: true
            }
            Button {
                id: copyButton

                objectName: "copyLinkButton"
                text: qsTr("Copy")
                highlighted: true
                Accessible.name: qsTr("Copy the set-password link")
                onClicked: {
                    root.copyRequested(root.link);
                    copied.visible = true;
                }
            }
        }
        Label {
            id: copied

            objectName: "copiedNote"
            visible: false
            text: qsTr("Copied.")
            color: Theme.success
        }
        Label {
            objectName: "shownOnceNote"
            text: qsTr("The link is shown only now and works once. If it gets lost or expires, "
                       + "make a new one from the user's row.")
            color: Theme.warning
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "linkDoneButton"
            text: qsTr("Done")
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
    }
}
