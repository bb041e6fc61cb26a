import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// The live roster follows real clients joining over the socket, and the host's buttons reach
// them: a mute request (confirmed or not) and a removal.
Item {
    id: root

    width: 1100
    height: 720

    LiveMeetingPage {
        id: page

        anchors.fill: parent
        client: harness.client
        topic: "Roster check"
    }

    TestCase {
        id: testCase

        property string meetingId

        function participantRow(participantId: string): var {
            const model = page.participants;
            const row = model.indexOf(participantId);
            if (row < 0)
                return null;
            return findChild(page, "participant_" + model.get(row).display_name);
        }

        name: "LiveMeetingPage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            meetingId = harness.scheduleMeeting("Roster check", 1);
            verify(meetingId !== "");
            page.meetingId = meetingId;
            tryVerify(() => page.participants.observer.observing, 10000,
                      "the page observes the meeting");
        }

        function cleanupTestCase() {
            harness.leaveAll();
        }

        function test_1_the_roster_follows_clients_joining() {
            compare(page.presentCount, 0);
            verify(harness.join("admin", meetingId) !== "");
            const bob = harness.join("bob", meetingId);
            verify(bob !== "");

            tryCompare(page, "presentCount", 2, 5000);
            tryVerify(() => participantRow(bob) !== null, 3000);
            verify(harness.join("carol", meetingId) !== "");
            tryCompare(page, "presentCount", 3, 5000);
        }

        function test_2_mute_reaches_the_client_and_shows_its_confirmation() {
            const bob = findByName("bob");
            harness.acknowledgeMutes("bob");
            const row = participantRow(bob);
            verify(row);
            tryVerify(() => findChild(row, "muteButton").enabled, 5000);
            mouseClick(findChild(row, "muteButton"));

            verify(harness.received("bob", "mute_request"), "bob's client is asked to mute");
            tryVerify(() => {
                const item = page.participants.get(page.participants.indexOf(bob));
                return item.audio_muted && item.mute_acknowledged;
            }, 5000, "the roster shows the confirmed mute");
            tryVerify(() => findChild(participantRow(bob), "micLabel").text.includes("confirmed"),
                      3000);
        }

        function test_3_remove_asks_first_and_reaches_the_client() {
            const carol = findByName("carol");
            verify(carol !== "");
            mouseClick(findChild(participantRow(carol), "removeButton"));
            const confirm = findChild(page, "liveConfirmDialog");
            tryVerify(() => confirm.opened, 3000);
            Clicks.clickInPopup(testCase, confirm, findChild(confirm, "confirmButton"));

            verify(harness.received("carol", "removed"), "carol's client hears it; the page says: "
                   + findChild(page, "actionProblem").message);
            verify(harness.disconnected("carol"));
            tryCompare(page, "presentCount", 2, 5000);
            compare(page.participants.indexOf(carol) < 0
                    || page.participants.get(page.participants.indexOf(carol)).state !== "present",
                    true);
        }

        function findByName(name: string): string {
            for (let row = 0; row < page.participants.count; ++row) {
                const item = page.participants.get(row);
                if (item.display_name.toLowerCase().includes(name) && item.state === "present")
                    return item.id;
            }
            return "";
        }
    }
}
