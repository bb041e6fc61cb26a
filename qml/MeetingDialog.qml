import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum

// Schedules a meeting or edits one. The date and time are wall time in the chosen zone; each
// field shows the server's objection to it beneath itself.
Dialog {
    id: root

    property QtObject model
    property var editedItem: null
    property var call: null
    readonly property bool busy: call !== null && !call.done
    property var fieldErrors: ({})

    signal saved(string topic)

    function openNew() {
        editedItem = null;
        const start = new Date(Date.now() + 24 * 3600 * 1000);
        topicField.text = "";
        dateField.text = Qt.formatDate(start, "yyyy-MM-dd");
        timeField.text = "10:00";
        zoneBox.selectZone(TimeZones.systemZone);
        durationBox.value = 60;
        passcodeField.text = "";
        waitingRoomBox.checked = true;
        muteBox.checked = true;
        joinBeforeHostBox.checked = false;
        recordingBox.currentIndex = 0;
        reset();
        open();
        topicField.forceActiveFocus();
    }

    function openFor(item: var) {
        editedItem = item;
        topicField.text = item.topic;
        dateField.text = TimeZones.wallDate(item.start_time, item.timezone);
        timeField.text = TimeZones.wallTime(item.start_time, item.timezone);
        zoneBox.selectZone(item.timezone);
        durationBox.value = item.duration_minutes;
        passcodeField.text = item.passcode ? item.passcode : "";
        waitingRoomBox.checked = item.waiting_room;
        muteBox.checked = item.settings.mute_upon_entry;
        joinBeforeHostBox.checked = item.settings.allow_join_before_host;
        recordingBox.currentIndex = Math.max(0, recordingBox.values.indexOf(
                                                 item.settings.auto_recording));
        reset();
        open();
        topicField.forceActiveFocus();
    }

    function reset() {
        call = null;
        fieldErrors = {};
        formProblem.message = "";
    }

    // The server's objection to a field, in a host's words where the dialog knows them (the
    // server's own sentences are written for the API's developers).
    function errorOf(field: string): string {
        const message = fieldErrors[field];
        if (message === undefined)
            return "";
        switch (field) {
        case "topic":
            if (message.includes("empty") || message.includes("white space"))
                return qsTr("Give the meeting a topic.");
            if (message.includes("at most"))
                return qsTr("A topic can have at most 200 characters.");
            if (message.includes("line break"))
                return qsTr("A topic is one line, without line breaks or tabs.");
            break;
        case "start_time":
            if (message.includes("in the past"))
                return qsTr("This time has already passed; choose a later one.");
            break;
        case "timezone":
            return qsTr("Choose a time zone from the list.");
        case "duration_minutes":
            return qsTr("A meeting lasts from 1 minute to 24 hours (1440 minutes).");
        case "passcode":
            return qsTr("A passcode has 1 to 10 characters: letters, digits, @ _ * or -.");
        }
        return message;
    }

    function input(): var {
        return {
            topic: topicField.text,
            start_time: dateField.text + "T" + timeField.text + ":00",
            timezone: zoneBox.editText,
            duration_minutes: durationBox.value,
            waiting_room: waitingRoomBox.checked,
            settings: {
                auto_recording: recordingBox.values[recordingBox.currentIndex],
                mute_upon_entry: muteBox.checked,
                allow_join_before_host: joinBeforeHostBox.checked
            }
        };
    }

    // Only what changed goes into the merge patch, so that nobody's other edit is undone.
    function patch(): var {
        const wanted = input();
        const changes = {};
        for (const key of ["topic", "timezone", "duration_minutes", "waiting_room"]) {
            if (wanted[key] !== editedItem[key])
                changes[key] = wanted[key];
        }
        if (dateField.text !== TimeZones.wallDate(editedItem.start_time, editedItem.timezone)
                || timeField.text !== TimeZones.wallTime(editedItem.start_time,
                                                         editedItem.timezone)
                || wanted.timezone !== editedItem.timezone) {
            changes.start_time = wanted.start_time;
            changes.timezone = wanted.timezone;
        }
        const settings = {};
        for (const key of ["auto_recording", "mute_upon_entry", "allow_join_before_host"]) {
            if (wanted.settings[key] !== editedItem.settings[key])
                settings[key] = wanted.settings[key];
        }
        if (Object.keys(settings).length > 0)
            changes.settings = settings;
        const passcode = passcodeField.text;
        if (passcode !== (editedItem.passcode ? editedItem.passcode : ""))
            changes.passcode = passcode === "" ? null : passcode;
        return changes;
    }

    function save() {
        if (busy)
            return;
        reset();
        if (!TimeZones.isValidWallTime(dateField.text, timeField.text)) {
            fieldErrors = {start_time: qsTr("Enter a date as 2030-05-04 and a time as 09:30.")};
            return;
        }

        let wanted = input();
        if (!editedItem && passcodeField.text !== "")
            wanted.passcode = passcodeField.text;
        const topic = wanted.topic;
        const pending = editedItem ? model.update(editedItem.id, patch()) : model.schedule(wanted);
        call = pending;
        pending.finished.connect(() => {
            if (call !== pending)
                return;
            if (pending.ok) {
                root.close();
                root.saved(topic);
                return;
            }
            fieldErrors = pending.fieldErrors;
            formProblem.message = pending.message;
        });
    }

    title: editedItem ? qsTr("Edit meeting") : qsTr("Schedule a meeting")
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
            text: qsTr("Topic")
            color: Theme.text
        }
        TextField {
            id: topicField

            // A field the server objected to is outlined in red.
            palette.mid: root.errorOf("topic") !== "" ? Theme.danger : Theme.border

            objectName: "topicField"
            placeholderText: qsTr("Weekly planning")
            selectByMouse: true
            Accessible.name: qsTr("Topic")
            Layout.fillWidth: true
            onAccepted: root.save()
        }
        FieldError {
            objectName: "topicError"
            text: root.errorOf("topic")
        }

        GridLayout {
            columns: 3
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacingSmall
            Layout.fillWidth: true

            Label {
                text: qsTr("Date")
                color: Theme.text
            }
            Label {
                text: qsTr("Time")
                color: Theme.text
            }
            Label {
                text: qsTr("Time zone")
                color: Theme.text
            }
            TextField {
                id: dateField

                palette.mid: root.errorOf("start_time") !== "" ? Theme.danger : Theme.border

                objectName: "dateField"
                placeholderText: "2030-05-04"
                inputMask: "9999-99-99"
                Accessible.name: qsTr("Date, year-month-day")
                Layout.preferredWidth: 130
            }
            TextField {
                id: timeField

                palette.mid: root.errorOf("start_time") !== "" ? Theme.danger : Theme.border

                objectName: "timeField"
                placeholderText: "09:30"
                inputMask: "99:99"
                Accessible.name: qsTr("Start time, hours and minutes")
                Layout.preferredWidth: 80
            }
            ComboBox {
                id: zoneBox

                function selectZone(zone: string) {
                    const index = find(zone);
                    currentIndex = index;
                    editText = zone;
                }

                objectName: "zoneBox"
                editable: true
                model: TimeZones.names
                Accessible.name: qsTr("Time zone")
                Layout.fillWidth: true
            }
        }
        FieldError {
            objectName: "startTimeError"
            text: root.errorOf("start_time")
        }
        FieldError {
            objectName: "timezoneError"
            text: root.errorOf("timezone")
        }

        GridLayout {
            columns: 2
            columnSpacing: Theme.spacingLarge
            rowSpacing: Theme.spacingSmall
            Layout.fillWidth: true

            Label {
                text: qsTr("Duration (minutes)")
                color: Theme.text
            }
            Label {
                text: qsTr("Passcode (optional)")
                color: Theme.text
            }
            SpinBox {
                id: durationBox

                palette.mid: root.errorOf("duration_minutes") !== "" ? Theme.danger : Theme.border

                objectName: "durationBox"
                from: 1
                to: 1440
                stepSize: 15
                editable: true
                Accessible.name: qsTr("Duration in minutes")
            }
            TextField {
                id: passcodeField

                palette.mid: root.errorOf("passcode") !== "" ? Theme.danger : Theme.border

                objectName: "passcodeField"
                placeholderText: qsTr("1 to 10 letters, digits, @ _ * -")
                selectByMouse: true
                Accessible.name: qsTr("Passcode")
                Layout.fillWidth: true
            }
            FieldError {
                objectName: "durationError"
                text: root.errorOf("duration_minutes")
            }
            FieldError {
                objectName: "passcodeError"
                text: root.errorOf("passcode")
            }
        }

        CheckBox {
            id: waitingRoomBox

            objectName: "waitingRoomBox"
            text: qsTr("Waiting room: admit people yourself")
            Accessible.name: text
        }
        CheckBox {
            id: muteBox

            objectName: "muteBox"
            text: qsTr("Mute participants when they join")
            Accessible.name: text
        }
        CheckBox {
            id: joinBeforeHostBox

            objectName: "joinBeforeHostBox"
            text: qsTr("Let people join before the host")
            Accessible.name: text
        }
        FieldError {
            text: root.errorOf("settings.mute_upon_entry") + root.errorOf(
                      "settings.allow_join_before_host")
        }
        RowLayout {
            spacing: Theme.spacing

            Label {
                text: qsTr("Record automatically")
                color: Theme.text
            }
            ComboBox {
                id: recordingBox

                readonly property var values: ["none", "local", "cloud"]

                objectName: "recordingBox"
                model: [qsTr("No"), qsTr("On participants' devices"), qsTr("In the cloud")]
                Accessible.name: qsTr("Record automatically")
                Layout.preferredWidth: 220
            }
        }
        FieldError {
            text: root.errorOf("settings.auto_recording")
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
            text: root.busy ? qsTr("Saving…") : root.editedItem ? qsTr("Save") : qsTr("Schedule")
            enabled: !root.busy
            highlighted: true
            DialogButtonBox.buttonRole: DialogButtonBox.ActionRole
            Accessible.name: root.editedItem ? qsTr("Save the meeting")
                                             : qsTr("Schedule the meeting")
            onClicked: root.save()
        }
    }
}
