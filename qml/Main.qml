import QtQml.Models
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The app's window: a side bar with the pages and the theme toggle, and the page shown.
ApplicationWindow {
    id: root

    required property QtObject client
    required property QtObject embeddedServer
    required property QtObject remoteSignIn
    required property QtObject secrets

    readonly property alias meetingsPage: meetingsPage
    readonly property alias livePage: livePage
    readonly property alias recordingsPage: recordingsPage
    readonly property alias webhooksPage: webhooksPage
    readonly property alias peoplePage: peoplePage
    readonly property alias serverPage: serverPage

    // The meeting the Live and Recordings pages show.
    property string currentMeetingId
    property string currentMeetingTopic

    function showPage(name: string) {
        const index = pageList.model.findIndex(page => page.name === name);
        if (index >= 0)
            pageList.currentIndex = index;
    }

    width: 1200
    height: 760
    minimumWidth: 900
    minimumHeight: 560
    visible: true
    title: qsTr("Quorum")
    color: Theme.window

    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.surface
    palette.alternateBase: Theme.window
    palette.text: Theme.text
    palette.button: Theme.button
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.mutedText
    palette.mid: Theme.border
    // Basic fills checked and highlighted buttons with `dark` and writes on them in `brightText`.
    palette.dark: Theme.accent
    palette.brightText: Theme.accentText
    palette.shadow: Theme.border
    palette.light: Theme.surface
    palette.midlight: Theme.border
    palette.toolTipBase: Theme.surface
    palette.toolTipText: Theme.text
    palette.link: Theme.accent

    // Ctrl+1 … Ctrl+6 open the pages in the side bar's order.
    Instantiator {
        model: pageList.count
        delegate: Shortcut {
            required property int index

            sequence: "Ctrl+" + (index + 1)
            onActivated: pageList.currentIndex = index
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        Rectangle {
            color: Theme.sideBar
            Layout.preferredWidth: Theme.sideBarWidth
            Layout.fillHeight: true

            ColumnLayout {
                anchors.fill: parent
                anchors.margins: Theme.spacing
                spacing: Theme.spacing

                Label {
                    text: qsTr("Quorum")
                    font.pixelSize: Theme.fontTitle
                    font.bold: true
                    color: Theme.text
                    Layout.margins: Theme.spacing
                }
                ListView {
                    id: pageList

                    objectName: "pageList"
                    focus: true
                    interactive: false
                    keyNavigationEnabled: true
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    Accessible.role: Accessible.PageTabList
                    Accessible.name: qsTr("Pages")
                    model: [
                        {name: "meetings", label: qsTr("Meetings")},
                        {name: "live", label: qsTr("Live meeting")},
                        {name: "recordings", label: qsTr("Recordings")},
                        {name: "webhooks", label: qsTr("Webhooks")},
                        {name: "people", label: qsTr("Apps and users")},
                        {name: "server", label: qsTr("Server")}
                    ]
                    delegate: ItemDelegate {
                        required property var modelData
                        required property int index

                        objectName: "nav_" + modelData.name
                        width: ListView.view.width
                        text: modelData.label
                        highlighted: ListView.isCurrentItem
                        font.bold: highlighted
                        // Basic draws a highlighted delegate on `light`: the accent reads there.
                        palette.highlightedText: Theme.accent
                        Accessible.name: modelData.label
                        Accessible.role: Accessible.PageTab
                        onClicked: pageList.currentIndex = index
                    }
                }
                Label {
                    visible: root.embeddedServer !== null
                    text: !root.embeddedServer ? ""
                        : root.embeddedServer.running ? qsTr("Server running")
                        : root.embeddedServer.error !== "" ? qsTr("Server stopped")
                        : qsTr("Server starting…")
                    color: root.embeddedServer && root.embeddedServer.running ? Theme.success
                                                                             : Theme.mutedText
                    font.pixelSize: Theme.fontSmall
                    Layout.leftMargin: Theme.spacing
                }
                Switch {
                    objectName: "themeSwitch"
                    text: qsTr("Dark theme")
                    checked: Theme.dark
                    Accessible.name: text
                    onToggled: Theme.dark = checked
                }
            }
        }

        StackLayout {
            id: pages

            currentIndex: pageList.currentIndex
            Layout.fillWidth: true
            Layout.fillHeight: true

            MeetingsPage {
                id: meetingsPage

                client: root.client
                onOpenLive: (meetingId, topic) => {
                    root.currentMeetingId = meetingId;
                    root.currentMeetingTopic = topic;
                    root.showPage("live");
                }
                onOpenRecordings: (meetingId, topic) => {
                    root.currentMeetingId = meetingId;
                    root.currentMeetingTopic = topic;
                    root.showPage("recordings");
                }
            }
            LiveMeetingPage {
                id: livePage

                client: root.client
                meetingId: root.currentMeetingId
                topic: root.currentMeetingTopic
            }
            RecordingsPage {
                id: recordingsPage

                client: root.client
                meetingId: root.currentMeetingId
                onMeetingChosen: (meetingId, topic) => {
                    root.currentMeetingId = meetingId;
                    root.currentMeetingTopic = topic;
                }
            }
            WebhooksPage {
                id: webhooksPage

                client: root.client
            }
            PeoplePage {
                id: peoplePage

                client: root.client
            }
            ServerPage {
                id: serverPage

                client: root.client
                embeddedServer: root.embeddedServer
                remoteSignIn: root.remoteSignIn
                secrets: root.secrets
            }
        }
    }
}
