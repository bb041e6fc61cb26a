import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Adds a webhook subscription or changes one: the address that receives the events and the
// events it receives. The server's objections show beneath their fields, in a host's words.
Dialog {
    id: root

    property QtObject model
    property var editedItem: null
    property var call: null
    readonly property bool busy: call !== null && !call.done
    property var fieldErrors: ({})
    property var chosenEvents: []

    // A new subscription was made (its secret, to be shown once) or one was changed.
    signal created(string webhookId, string url, string secret)
    signal saved(string url)

    // What a host reads for each event type; the type's own name is shown beside it.
    function eventLabel(event: string): string {
        switch (event) {
        case "meeting.started":
            return qsTr("A meeting starts");
        case "meeting.ended":
            return qsTr("A meeting ends");
        case "participant.joined":
            return qsTr("Someone joins a meeting");
        case "participant.left":
            return qsTr("Someone leaves a meeting");
        case "recording.started":
            return qsTr("A recording starts");
        case "recording.stopped":
            return qsTr("A recording stops");
        case "recording.completed":
            return qsTr("A recording is ready");
        case "recording.failed":
            return qsTr("A recording fails");
        }
        return event;
    }

    function openNew() {
        editedItem = null;
        urlField.text = "";
        chosenEvents = ["meeting.started", "meeting.ended"];
        reset();
        open();
        urlField.forceActiveFocus();
    }

    function openFor(item: var) {
        editedItem = item;
        urlField.text = item.url;
        chosenEvents = item.events.slice();
        reset();
        open();
        urlField.forceActiveFocus();
    }

    function setChosen(event: string, chosen: bool) {
        const events = chosenEvents.filter(other => other !== event);
        if (chosen)
            events.push(event);
        chosenEvents = events;
    }

    function reset() {
        call = null;
        fieldErrors = {};
        formProblem.message = "";
    }

    // The server's message for the address, which completes "The address …", in full words.
    function urlProblem(message: string): string {
        if (message === "")
            return "";
        if (message.startsWith("must be an absolute"))
            return qsTr("Enter the full address, such as https://hooks.example.com/quorum.");
        if (message === "must use https")
            return qsTr("The address must start with https:// so that events travel encrypted.");
        if (message.startsWith("refers to"))
            return qsTr("This server does not send events to that address: it %1.")
                .arg(message);
        return qsTr("The address %1.").arg(message);
    }

    function eventsProblem(message: string): string {
        if (message === "")
            return "";
        if (message.startsWith("must name at least one"))
            return qsTr("Choose at least one event.");
        return qsTr("These events cannot be chosen: %1.").arg(message);
    }

    function errorOf(field: string): string {
        return fieldErrors[field] !== undefined ? fieldErrors[field] : "";
    }

    // Only what changed goes into the merge patch.
    function patch(): var {
        const changes = {};
        if (urlField.text.trim() !== editedItem.url)
            changes.url = urlField.text.trim();
        const before = editedItem.events.slice().sort().join(",");
        if (chosenEvents.slice().sort().join(",") !== before)
            changes.events = chosenEvents;
        return changes;
    }

    function save() {
        if (busy)
            return;
        reset();
        if (chosenEvents.length === 0) {
            fieldErrors = {events: "must name at least one event type"};
            return;
        }

        const url = urlField.text.trim();
        const pending = editedItem ? model.update(editedItem.id, patch())
                                   : model.create(url, chosenEvents);
        call = pending;
        pending.finished.connect(() => {
            if (call !== pending)
                return;
            if (!pending.ok) {
                fieldErrors = pending.fieldErrors;
                formProblem.message = pending.message;
                return;
            }
            root.close();
            if (editedItem)
                root.saved(url);
            else
                root.created(pending.result.id, url, pending.result.secret);
            call = null;
        });
    }

    objectName: "webhookDialog"
    title: editedItem ? qsTr("Edit subscription") : qsTr("Add a subscription")
    modal: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(560, parent ? parent.width - 2 * Theme.spacingHuge : 560)
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
            text: qsTr("Address that receives the events")
            color: Theme.text
        }
        TextField {
            id: urlField

            objectName: "urlField"
            placeholderText: "https://hooks.example.com/quorum"
            selectByMouse: true
            inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
            Accessible.name: qsTr("Address that receives the events")
            Layout.fillWidth: true
            onAccepted: root.save()
        }
        FieldError {
            objectName: "urlError"
            text: root.urlProblem(root.errorOf("url"))
        }

        Label {
            text: qsTr("Events to send")
            color: Theme.text
            Layout.topMargin: Theme.spacing
        }
        GridLayout {
            objectName: "eventChoices"
            columns: 2
            columnSpacing: Theme.spacingLarge
            rowSpacing: 0
            Layout.fillWidth: true
            Accessible.role: Accessible.Grouping
            Accessible.name: qsTr("Events to send")

            Repeater {
                model: root.model ? root.model.eventTypes : []

                CheckBox {
                    required property string modelData

                    objectName: "event_" + modelData
                    text: root.eventLabel(modelData)
                    checked: root.chosenEvents.includes(modelData)
                    Accessible.name: text
                    Accessible.description: modelData
                    ToolTip.text: modelData
                    ToolTip.visible: hovered
                    ToolTip.delay: 600
                    Layout.fillWidth: true
                    onToggled: root.setChosen(modelData, checked)
                }
            }
        }
        FieldError {
            objectName: "eventsError"
            text: root.eventsProblem(root.errorOf("events"))
        }
        Label {
            visible: !root.editedItem
            text: qsTr("Quorum signs every delivery with a secret that it shows you once, "
                       + "after the subscription is added.")
            color: Theme.mutedText
            font.pixelSize: Theme.fontSmall
            wrapMode: Text.Wrap
            Layout.fillWidth: true
            Layout.topMargin: Theme.spacing
        }
    }

    footer: DialogButtonBox {
        Button {
            objectName: "dialogCancelButton"
            text: qsTr("Close")
            enabled: !root.busy
            Accessible.name: text
            DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
        }
        Button {
            objectName: "saveButton"
            text: root.busy ? qsTr("Saving…") : root.editedItem ? qsTr("Save") : qsTr("Add")
            enabled: !root.busy
            highlighted: true
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            Accessible.name: root.editedItem ? qsTr("Save the subscription")
                                             : qsTr("Add the subscription")
            onClicked: root.save()
        }
    }
}
