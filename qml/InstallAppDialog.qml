import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Installs an app, or changes what an installed one may do: each scope it asks for is a
// checkbox with what it allows, all checked for a new installation.
Dialog {
    id: root

    property QtObject model
    property var app: null
    property var call: null
    readonly property bool busy: call !== null && !call.done
    readonly property bool changing: app !== null && app.installed
    readonly property string appName: app ? app.name : ""
    readonly property var asked: app && app.scopes ? app.scopes : []
    // The scope -> checked map behind the checkboxes.
    property var chosen: ({})
    readonly property var chosenScopes: asked.filter(scope => chosen[scope] === true)

    signal installed(string name)

    function openFor(item: var) {
        app = item;
        const granted = item.installed && item.granted_scopes ? item.granted_scopes : item.scopes;
        const choice = {};
        for (const scope of item.scopes)
            choice[scope] = granted.includes(scope);
        chosen = choice;
        call = null;
        formProblem.message = "";
        open();
    }

    function setChosen(scope: string, checked: bool) {
        const choice = Object.assign({}, chosen);
        choice[scope] = checked;
        chosen = choice;
    }

    function install() {
        // An empty list would mean "everything it asks": never send one.
        if (busy || chosenScopes.length === 0)
            return;
        formProblem.message = "";
        const name = appName;
        const pending = model.install(app.id, chosenScopes);
        call = pending;
        pending.finished.connect(() => {
            if (call !== pending)
                return;
            if (pending.ok) {
                root.close();
                root.installed(name);
                return;
            }
            formProblem.message = pending.code === "forbidden" && pending.detail !== ""
                ? pending.detail : pending.message;
        });
    }

    title: changing ? qsTr("Change what %1 may do").arg(appName) : qsTr("Install %1").arg(appName)
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(560, parent ? parent.width - 2 * Theme.spacingHuge : 560)
    padding: Theme.spacingLarge
    closePolicy: busy ? Popup.NoAutoClose : Popup.CloseOnEscape

    ColumnLayout {
        width: parent.width
        spacing: Theme.spacing

        ProblemBanner {
            id: formProblem

            objectName: "formProblem"
            Layout.fillWidth: true
        }
        Label {
            text: root.changing
                ? qsTr("Choose what %1 may do in this workspace. Unchecking something takes "
                       + "it away at once.").arg(root.appName)
                : qsTr("Choose what %1 may do in this workspace. You can change this later.")
                      .arg(root.appName)
            color: Theme.text
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }

        Repeater {
            model: root.asked

            delegate: ColumnLayout {
                required property string modelData

                spacing: 0
                Layout.fillWidth: true

                CheckBox {
                    objectName: "scope_" + modelData
                    text: Scopes.label(modelData)
                    checked: root.chosen[modelData] === true
                    font.bold: true
                    Accessible.name: qsTr("%1: %2").arg(text).arg(Scopes.explanation(modelData))
                    onToggled: root.setChosen(modelData, checked)
                }
                Label {
                    text: Scopes.explanation(modelData)
                    color: Theme.mutedText
                    wrapMode: Text.Wrap
                    // Lines up with the checkbox's text, not its box.
                    Layout.leftMargin: Theme.spacingHuge + Theme.spacingLarge
                    Layout.fillWidth: true
                }
            }
        }

        Label {
            objectName: "nothingChosenHint"
            visible: root.chosenScopes.length === 0
            text: root.changing
                ? qsTr("Choose at least one, or uninstall the app instead.")
                : qsTr("Choose at least one to install the app.")
            color: Theme.warning
            wrapMode: Text.Wrap
            Layout.fillWidth: true
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "installCancelButton"
            text: qsTr("Close")
            enabled: !root.busy
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "installConfirmButton"
            text: root.busy ? (root.changing ? qsTr("Saving…") : qsTr("Installing…"))
                            : (root.changing ? qsTr("Save") : qsTr("Install"))
            enabled: !root.busy && root.chosenScopes.length > 0
            highlighted: true
            Accessible.name: root.changing ? qsTr("Save what %1 may do").arg(root.appName)
                                           : qsTr("Install %1").arg(root.appName)
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            onClicked: root.install()
        }
    }
}
