import QtQuick
import QtTest
import Quorum

// Renders each built page of the whole window with realistic data, light and dark, into
// build/app-screenshots/ for a person to look at; fails only when a page cannot be shown.
Item {
    id: root

    Component {
        id: windowComponent

        Main {}
    }

    TestCase {
        id: testCase

        property var window: null
        property string liveId

        function shoot(name: string) {
            wait(400); // lets the last binding changes reach a frame before the grab
            const path = harness.screenshot(window.contentItem, name);
            verify(path !== "", "saved " + name);
        }

        function idOf(name: string): string {
            const model = window.livePage.participants;
            for (let row = 0; row < model.count; ++row) {
                if (model.get(row).display_name.toLowerCase().includes(name))
                    return model.get(row).id;
            }
            return "";
        }

        name: "Screenshots"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            harness.scheduleMeeting("Weekly planning", 20);
            harness.scheduleMeeting("Design review: onboarding flow", 45, true);
            harness.scheduleMeeting("Customer call with Acme Corporation", 70);
            harness.scheduleMeeting("Retrospective", 140, true);
            liveId = harness.scheduleMeeting("All hands", 1, true);
            verify(harness.join("admin", liveId) !== "");
            for (const user of ["bob", "carol", "dave", "erin"])
                verify(harness.join(user, liveId) !== "");

            window = windowComponent.createObject(null, {
                client: harness.client, embeddedServer: null, remoteSignIn: harness.remoteSignIn,
                secrets: null
            });
            verify(window);
            window.width = 1200;
            window.height = 760;
            Theme.dark = false;
        }

        function cleanupTestCase() {
            if (window)
                window.destroy();
            harness.leaveAll();
        }

        function test_1_meetings() {
            const page = window.meetingsPage;
            page.meetings.refresh();
            tryVerify(() => page.meetings.count >= 5 && !page.meetings.busy, 5000);
            shoot("meetings-light");
            Theme.dark = true;
            shoot("meetings-dark");
            Theme.dark = false;
        }

        function test_2_dialog_with_an_error() {
            const dialog = findChild(window.meetingsPage, "meetingDialog");
            dialog.openNew();
            findChild(dialog, "topicField").text = "Board meeting";
            findChild(dialog, "dateField").text = "2020-03-01";
            dialog.save();
            tryVerify(() => findChild(dialog, "startTimeError").text !== "", 5000);
            shoot("meeting-dialog-error");
            dialog.close();
        }

        function test_3_live() {
            window.currentMeetingId = liveId;
            window.currentMeetingTopic = "All hands";
            window.showPage("live");
            const page = window.livePage;
            tryVerify(() => page.participants.observer.observing, 10000);
            tryCompare(page, "waitingCount", 4, 5000);

            for (const name of ["bob", "carol", "dave"])
                page.participants.admit(idOf(name));
            tryCompare(page, "presentCount", 4, 5000);
            harness.acknowledgeMutes("bob");
            page.participants.mute(idOf("bob"), true);
            page.participants.mute(idOf("carol"), true);
            page.participants.setRole(idOf("dave"), "co_host");
            page.recordings.start();
            tryVerify(() => page.activeRecording !== null, 10000);
            wait(1500);
            shoot("live-light");
            Theme.dark = true;
            shoot("live-dark");
            Theme.dark = false;
        }

        function test_4_recordings() {
            const live = window.livePage;
            live.recordings.stop();
            compare(harness.waitForRecording(liveId, "completed,failed", 30000), "completed");
            window.showPage("recordings");
            const page = window.recordingsPage;
            page.recordings.refresh();
            tryVerify(() => page.recordings.count > 0 && !page.recordings.busy, 5000);
            shoot("recordings-light");
            Theme.dark = true;
            shoot("recordings-dark");
            Theme.dark = false;
        }

        function test_5_server() {
            window.showPage("server");
            const page = window.serverPage;
            page.refresh();
            tryVerify(() => !page.status.busy && !page.audit.busy && page.audit.count > 0, 5000);
            shoot("server-light");
            Theme.dark = true;
            shoot("server-dark");
            Theme.dark = false;
            window.showPage("meetings");
        }
    }
}
