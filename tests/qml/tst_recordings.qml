import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// The Recordings page with a real recording: its files with size and link expiry, a file
// saved whole through the page, the save dialog offering a name, and deletion asked first.
Item {
    id: root

    width: 1100
    height: 720

    RecordingsPage {
        id: page

        anchors.fill: parent
        client: harness.client
    }

    TestCase {
        id: testCase

        property string meetingId

        function fileOf(type: string): var {
            return page.recordings.get(0).files.find(file => file.type === type);
        }

        name: "RecordingsPage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            meetingId = harness.scheduleMeeting("Recorded review", 1);
            verify(harness.join("admin", meetingId) !== "");
            compare(harness.post("/v1/meetings/" + meetingId + "/recordings:start"), 202);
            wait(1500);
            compare(harness.post("/v1/meetings/" + meetingId + "/recordings:stop"), 202);
            compare(harness.waitForRecording(meetingId, "completed,failed", 30000), "completed");
            page.meetingId = meetingId;
            page.recordings.refresh();
            tryVerify(() => page.recordings.count === 1 && !page.recordings.busy, 5000);
        }

        function cleanupTestCase() {
            harness.leaveAll();
        }

        function test_1_a_recording_lists_its_files_with_size_and_expiry() {
            const recording = page.recordings.get(0);
            const row = findChild(page, "recording_" + recording.id);
            verify(row);
            const texts = Clicks.textsUnder(row);
            for (const name of ["Video (MP4)", "Audio only (M4A)", "Timeline (JSON)", "Ready"])
                verify(texts.includes(name), name + " in " + texts.join(" | "));
            verify(texts.some(text => /^\d+(\.\d)? (KB|MB)$/.test(text)), "a size is shown");
            verify(texts.some(text => text.startsWith("link valid until ")), "the expiry");
        }

        function test_2_saving_a_file_writes_it_whole() {
            const video = fileOf("video");
            const target = harness.scratchPath("saved-video.mp4");

            page.saveFile(video.url, target);

            tryVerify(() => !page.download.busy && page.download.savedFile !== "", 10000,
                      "saved: " + page.download.error);
            compare(harness.fileSize(target), video.size_bytes);
            const saved = findChild(page, "savedText");
            verify(saved.visible);
            verify(saved.text.includes("saved-video.mp4"));
        }

        function test_3_the_save_button_offers_a_file_name() {
            const recording = page.recordings.get(0);
            const row = findChild(page, "recording_" + recording.id);
            const dialog = findChild(page, "saveDialog");
            verify(dialog, "the page has a save dialog");

            mouseClick(findChild(row, "save_audio"));

            // Offscreen, the dialog's window is never shown: what it was opened with is checked.
            const offered = String(dialog.selectedFile);
            verify(offered.startsWith(String(page.download.defaultFolder) + "/recording-"),
                   offered);
            verify(offered.endsWith(".m4a"), offered);
            compare(String(dialog.fileUrl), fileOf("audio").url);
            dialog.reject();
        }

        function test_4_deleting_asks_first_and_then_removes_the_recording() {
            const recording = page.recordings.get(0);
            const row = findChild(page, "recording_" + recording.id);
            mouseClick(findChild(row, "deleteRecordingButton"));
            const confirm = findChild(page, "recordingConfirmDialog");
            tryVerify(() => confirm.opened, 3000);
            Clicks.clickInPopup(testCase, confirm, findChild(confirm, "confirmButton"));

            tryVerify(() => page.recordings.count === 0, 5000, "the list drops it");
            compare(harness.getJson("/v1/meetings/" + meetingId + "/recordings").recordings
                    .length, 0);
        }
    }
}
