import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Adds a user to the workspace: name, role and, if the host sets one, a password. Without a
// password the server makes a one-time set-password link, which `added` hands on to be shown.
Dialog {
    id: root

    property QtObject model
    property var call: null
    readonly property bool busy: call !== null && !call.done
    property var fieldErrors: ({})
    readonly property var roleValues: ["member", "admin", "owner"]

    // `passwordLink`: the one-time set-password link, empty when a password was set.
    signal added(string name, string passwordLink)

    function openNew() {
        nameField.text = "";
        roleBox.currentIndex = 0;
        passwordField.text = "";
        call = null;
        fieldErrors = {};
        formProblem.message = "";
        open();
        nameField.forceActiveFocus();
    }

    function errorOf(field: string): string {
        return fieldErrors[field] !== undefined ? fieldErrors[field] : "";
    }

    // The server's words for a field, as a sentence about that field.
    function fieldSentence(field: string, words: string): string {
        const subject = {name: qsTr("The name"), role: qsTr("The role"),
                         password: qsTr("The password")}[field];
        if (!subject || words === "")
            return words;
        return qsTr("%1 %2.").arg(subject).arg(words.replace(/\.$/, ""));
    }

    function add() {
        if (busy)
            return;
        fieldErrors = {};
        formProblem.message = "";
        const name = nameField.text;
        const pending = model.add(name, roleValues[roleBox.currentIndex], passwordField.text);
        call = pending;
        pending.finished.connect(() => {
            if (call !== pending)
                return;
            if (pending.ok) {
                const link = pending.result.set_password_url;
                root.close();
                root.added(name, link ? link : "");
                return;
            }
            const errors = {};
            for (const field in pending.fieldErrors)
                errors[field] = fieldSentence(field, pending.fieldErrors[field]);
            // The one conflict an addition meets is a name in use: it belongs at the name.
            if (pending.status === 409)
                errors.name = pending.detail !== "" ? pending.detail
                                                    : qsTr("Another user has this name.");
            fieldErrors = errors;
            if (pending.status !== 409)
                formProblem.message = pending.code === "forbidden" && pending.detail !== ""
                    ? pending.detail : pending.message;
        });
    }

    title: qsTr("Add a user")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(520, parent ? parent.width - 2 * Theme.spacingHuge : 520)
    padding: Theme.spacingLarge
    closePolicy: busy ? Popup.NoAutoClose : Popup.CloseOnEscape

    component FieldError: Label {
        visible: text !== ""
        color: Theme.danger
        font.pixelSize: Theme.fontSmall
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Accessible.role: Accessible.AlertMessage
        Accessible.name: text
    }

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        ProblemBanner {
            id: formProblem

            objectName: "formProblem"
            Layout.fillWidth: true
        }

        Label {
            text: qsTr("Name")
            color: Theme.text
        }
        TextField {
            id: nameField

            objectName: "nameField"
            placeholderText: qsTr("How they sign in, e.g. ada.lovelace")
            selectByMouse: true
            Accessible.name: qsTr("Name")
            Layout.fillWidth: true
            onAccepted: root.add()
        }
        FieldError {
            objectName: "nameError"
            text: root.errorOf("name")
        }

        Label {
            text: qsTr("Role")
            color: Theme.text
        }
        ComboBox {
            id: roleBox

            objectName: "roleBox"
            model: [qsTr("Member"), qsTr("Admin"), qsTr("Owner")]
            Accessible.name: qsTr("Role")
            Layout.preferredWidth: 200
        }
        Label {
            text: [qsTr("Members schedule and run their own meetings."),
                   qsTr("Admins also manage every meeting, the apps and the users."),
                   qsTr("Owners are admins who may also make and remove owners.")]
                  [roleBox.currentIndex]
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        FieldError {
            objectName: "roleError"
            text: root.errorOf("role")
        }

        Label {
            text: qsTr("Password (optional)")
            color: Theme.text
            Layout.topMargin: Theme.spacingSmall
        }
        TextField {
            id: passwordField

            objectName: "passwordField"
            placeholderText: qsTr("At least 12 characters")
            echoMode: TextInput.Password
            Accessible.name: qsTr("Password, optional")
            Layout.fillWidth: true
            onAccepted: root.add()
        }
        Label {
            text: qsTr("Leave it empty to get a link with which they choose their own.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
        FieldError {
            objectName: "passwordError"
            text: root.errorOf("password")
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "addCancelButton"
            text: qsTr("Close")
            enabled: !root.busy
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "addConfirmButton"
            text: root.busy ? qsTr("Adding…") : qsTr("Add")
            enabled: !root.busy
            highlighted: true
            Accessible.name: qsTr("Add the user")
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: root.add()
        }
    }
}
