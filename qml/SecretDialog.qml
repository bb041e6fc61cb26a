import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum

// Shows a subscription's signing secret the one time the server hands it out (when the
// subscription is added, and when the secret is replaced), with a way to copy it. The secret
// is forgotten as soon as the dialog closes.
Dialog {
    id: root

    property string secret
    property string url
    // After a replacement: until when the previous secret still signs deliveries.
    property string previousValidUntil
    property bool copied: false

    function show(secret: string, url: string, previousValidUntil: string) {
        root.secret = secret;
        root.url = url;
        root.previousValidUntil = previousValidUntil;
        root.copied = false;
        open();
        copyButton.forceActiveFocus();
    }

    function copySecret() {
        Clipboard.setText(root.secret);
        root.copied = true;
    }

    objectName: "secretDialog"
    title: root.previousValidUntil !== "" ? qsTr("New signing secret") : qsTr("Signing secret")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(560, parent ? parent.width - 2 * Theme.spacingHuge : 560)
    padding: Theme.spacingLarge
    // Only the button closes it, so that a stray click does not lose the secret.
    closePolicy: Popup.CloseOnEscape
    onClosed: {
        root.secret = "";
        root.copied = false;
    }

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        Label {
            text: qsTr("Deliveries to %1 are signed with this secret. Give it to the receiving "
                       + "app so that it can check that events come from this server.")
                      .arg(root.url)
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        RowLayout {
            spacing: Theme.spacing
            Layout.fillWidth: true

            TextField {
                objectName: "secretField"
                text: root.secret
                readOnly: true
                selectByMouse: true
                font.family: "monospace"
                Accessible.name: qsTr("Signing secret")
                Layout.fillWidth: true
            }
            Button {
                id: copyButton

                objectName: "copySecretButton"
                text: root.copied ? qsTr("Copied") : qsTr("Copy")
                highlighted: !root.copied
                Accessible.name: qsTr("Copy the signing secret")
                Layout.preferredWidth: 96
                onClicked: root.copySecret()
            }
        }
        Rectangle {
            radius: Theme.radius
            color: "transparent"
            border.color: Theme.warning
            implicitHeight: noteLabel.implicitHeight + 2 * Theme.spacing
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacingSmall

            Label {
                id: noteLabel

                objectName: "secretNote"
                anchors.fill: parent
                anchors.margins: Theme.spacing
                text: qsTr("Copy it now: Quorum will not show this secret again. If it is "
                           + "lost, replace it with “New secret”.")
                color: Theme.warning
                font.bold: true
                wrapMode: Text.Wrap
                Accessible.role: Accessible.AlertMessage
                Accessible.name: text
            }
        }
        Label {
            visible: root.previousValidUntil !== ""
            text: qsTr("The previous secret keeps signing deliveries too until %1, so that the "
                       + "receiving app can switch over.").arg(root.previousValidUntil)
            color: Theme.mutedText
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "secretDoneButton"
            text: qsTr("Done")
            Accessible.name: qsTr("Done, close the secret")
            DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
        }
    }
}
