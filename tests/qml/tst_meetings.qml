import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// Scheduling through the dialog, and the server's objections shown at their fields.
Item {
    id: root

    width: 1100
    height: 720

    MeetingsPage {
        id: page

        anchors.fill: parent
        client: harness.client
    }

    TestCase {
        id: testCase

        function openDialog(): var {
            const dialog = findChild(page, "meetingDialog");
            mouseClick(findChild(page, "scheduleButton"));
            tryVerify(() => dialog.opened, 3000, "the dialog opens");
            return dialog;
        }

        function listedTopics(): var {
            const topics = [];
            for (let row = 0; row < page.meetings.count; ++row)
                topics.push(page.meetings.get(row).topic);
            return topics;
        }

        name: "MeetingsPage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            tryVerify(() => !page.meetings.busy, 5000);
        }

        function test_scheduling_through_the_dialog_lists_the_meeting() {
            const dialog = openDialog();
            Clicks.typeInto(testCase, findChild(dialog, "topicField"), "Quarterly review");
            Clicks.typeInto(testCase, findChild(dialog, "timeField"), "1430");
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "saveButton"));

            tryVerify(() => !dialog.opened, 10000, "the dialog closes once saved: "
                      + findChild(dialog, "problemText").text + " "
                      + JSON.stringify(dialog.fieldErrors) + " " + JSON.stringify(dialog.input()));
            tryVerify(() => listedTopics().includes("Quarterly review"), 5000,
                      "the meeting is listed");
            const meeting = page.meetings.get(page.meetings.indexOf(
                page.meetings.get(listedTopics().indexOf("Quarterly review")).id));
            compare(meeting.state, "SCHEDULED");
            compare(meeting.duration_minutes, 60);
            compare(meeting.waiting_room, true);
        }

        function test_an_empty_topic_is_shown_at_the_topic_field() {
            const dialog = openDialog();
            Clicks.typeInto(testCase, findChild(dialog, "topicField"), "");
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "saveButton"));

            const error = findChild(dialog, "topicError");
            tryVerify(() => error.text !== "", 10000, "the server's objection reaches the field");
            verify(error.visible);
            verify(dialog.opened, "the dialog stays open");
            compare(findChild(dialog, "startTimeError").text, "");
            dialog.close();
        }

        function test_a_past_start_is_shown_at_the_time_fields() {
            const dialog = openDialog();
            Clicks.typeInto(testCase, findChild(dialog, "topicField"), "Too late");
            Clicks.typeInto(testCase, findChild(dialog, "dateField"), "20200102");
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "saveButton"));

            const error = findChild(dialog, "startTimeError");
            tryVerify(() => error.text !== "", 10000, "the server's objection reaches the field");
            compare(findChild(dialog, "topicError").text, "");
            verify(!listedTopics().includes("Too late"));
            dialog.close();
        }

        function test_the_search_narrows_the_list_to_matching_topics() {
            harness.scheduleMeeting("Budget sync", 30);
            page.meetings.refresh();
            tryVerify(() => listedTopics().includes("Budget sync"), 5000);

            const search = findChild(page, "searchField");
            Clicks.typeInto(testCase, search, "budget");
            tryVerify(() => listedTopics().length === 1, 3000);
            compare(listedTopics()[0], "Budget sync");
            Clicks.typeInto(testCase, search, "");
            tryVerify(() => listedTopics().length > 1, 3000);
        }

        function test_copy_link_puts_the_join_link_on_the_clipboard() {
            const id = harness.scheduleMeeting("Link to share", 30);
            page.meetings.refresh();
            tryVerify(() => page.meetings.indexOf(id) >= 0, 5000);
            Clipboard.setText("");

            mouseClick(findChild(findChild(page, "meeting_" + id), "copyLinkButton"));

            compare(Clipboard.text(), page.meetings.get(page.meetings.indexOf(id)).join_url);
            verify(Clipboard.text().includes(id));
        }

        function test_cancelling_asks_first_and_then_cancels() {
            const id = harness.scheduleMeeting("To be cancelled", 40);
            page.meetings.refresh();
            tryVerify(() => page.meetings.indexOf(id) >= 0, 5000);

            const row = findChild(page, "meeting_" + id);
            verify(row);
            mouseClick(findChild(row, "cancelMeetingButton"));
            const confirm = findChild(page, "confirmDialog");
            tryVerify(() => confirm.opened, 3000);
            Clicks.clickInPopup(testCase, confirm, findChild(confirm, "confirmButton"));

            // The upcoming filter drops the cancelled meeting.
            tryVerify(() => page.meetings.indexOf(id) < 0
                      || page.meetings.get(page.meetings.indexOf(id)).state === "CANCELLED",
                      5000);
        }
    }
}
