import QtQuick
import QtTest
import Quorum

// The window: the side bar answers the keyboard, Ctrl+<n> opens a page, Tab and Space work the
// page, every control a screen reader meets has a name, the theme toggles.
Item {
    id: root

    Component {
        id: windowComponent

        Main {}
    }

    TestCase {
        id: testCase

        property var window: null

        name: "Main"
        when: windowShown

        function init() {
            window = windowComponent.createObject(null, {
                client: harness.client, embeddedServer: null, remoteSignIn: null, secrets: null
            });
            verify(window);
            window.requestActivate();
            tryVerify(() => window.active, 3000);
        }

        function cleanup() {
            window.destroy();
            window = null;
            Theme.dark = false;
        }

        function test_arrow_keys_walk_the_side_bar() {
            const pageList = findChild(window.contentItem, "pageList");
            tryVerify(() => pageList.activeFocus, 3000, "the side bar has the keyboard first");
            compare(pageList.currentIndex, 0);
            keyClick(Qt.Key_Down);
            compare(pageList.currentIndex, 1);
            verify(window.livePage.visible);
            keyClick(Qt.Key_Up);
            verify(window.meetingsPage.visible);
        }

        function test_control_and_a_number_open_that_page() {
            keySequence("Ctrl+3");
            tryVerify(() => window.recordingsPage.visible, 1000);
            keySequence("Ctrl+1");
            tryVerify(() => window.meetingsPage.visible, 1000);
        }

        // Presses Tab until the item named `name` has the keyboard; the names passed on the way.
        function tabTo(name: string): var {
            const reached = [];
            for (let i = 0; i < 25; ++i) {
                keyClick(Qt.Key_Tab);
                const item = window.activeFocusItem;
                reached.push(item ? item.objectName || String(item) : "nothing");
                if (item && item.objectName === name)
                    break;
            }
            return reached;
        }

        function test_tab_walks_into_the_page_and_space_presses_what_has_focus() {
            const toSchedule = tabTo("scheduleButton");
            compare(toSchedule[toSchedule.length - 1], "scheduleButton", toSchedule.join(", "));

            keyClick(Qt.Key_Space);

            const dialog = findChild(window.meetingsPage, "meetingDialog");
            tryVerify(() => dialog.opened, 3000, "Space opens the schedule dialog");
            tryVerify(() => findChild(dialog, "topicField").activeFocus, 3000,
                      "the dialog starts at its first field");
            keyClick(Qt.Key_Escape);
            tryVerify(() => !dialog.opened, 3000, "Escape closes it");
            const toSearch = tabTo("searchField");
            compare(toSearch[toSearch.length - 1], "searchField", toSearch.join(", "));
        }

        function test_every_control_of_every_page_has_an_accessible_name() {
            const pages = ["meetings", "live", "recordings", "webhooks", "people", "server"];
            for (const name of pages) {
                window.showPage(name);
                wait(300); // the page's first answers arrive
                const unnamed = harness.unnamedControls(window.contentItem);
                compare(unnamed.length, 0, name + ": " + unnamed.join(", "));
            }
        }

        function test_the_switch_toggles_the_theme() {
            const themeSwitch = findChild(window.contentItem, "themeSwitch");
            const before = Theme.dark;
            const colourBefore = window.color.toString();
            mouseClick(themeSwitch);
            compare(Theme.dark, !before);
            verify(window.color.toString() !== colourBefore, "the window takes the other colours");
        }
    }
}
