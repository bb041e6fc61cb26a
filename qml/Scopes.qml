pragma Singleton
import QtQuick

// What each API scope lets an app do, in a host's words: a short name for lists, and a
// sentence for the place where a host decides whether to grant it.
QtObject {
    id: root

    readonly property var words: ({
        "meeting.read": {
            label: qsTr("See meetings"),
            explanation: qsTr("See the workspace's meetings, their settings and who is in them.")
        },
        "meeting.write": {
            label: qsTr("Manage meetings"),
            explanation: qsTr("Schedule, change, cancel and end meetings; mute, admit and "
                              + "remove participants.")
        },
        "meeting.join": {
            label: qsTr("Join meetings"),
            explanation: qsTr("Take part in meetings of the workspace as a participant.")
        },
        "recording.read": {
            label: qsTr("See recordings"),
            explanation: qsTr("List cloud recordings and download their files.")
        },
        "recording.write": {
            label: qsTr("Manage recordings"),
            explanation: qsTr("Start and stop cloud recordings, and delete them.")
        },
        "webhook.read": {
            label: qsTr("See its webhooks"),
            explanation: qsTr("See the event subscriptions it made and their deliveries.")
        },
        "webhook.write": {
            label: qsTr("Receive events"),
            explanation: qsTr("Subscribe to events, such as a meeting starting, and change "
                              + "those subscriptions.")
        }
    })

    function label(scope: string): string {
        return words[scope] ? words[scope].label : scope;
    }

    function explanation(scope: string): string {
        return words[scope] ? words[scope].explanation : qsTr("Access named “%1”.").arg(scope);
    }

    // The labels of several scopes, joined for one line; `none` when there are none.
    function labels(scopes: var, none: string): string {
        if (!scopes || scopes.length === 0)
            return none;
        return scopes.map(scope => label(scope)).join(", ");
    }
}
