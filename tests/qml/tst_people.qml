import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// The Apps and users page against a real quorumd, as the workspace's owner: installing with a
// scope choice, uninstalling, adding users, their roles and disabling, the server's refusals
// in words at their place, a member's explanation, and screenshots with realistic data.
Item {
    id: root

    width: 1100
    height: 720

    PeoplePage {
        id: page

        anchors.fill: parent
        client: harness.client
    }

    Component {
        id: memberPageComponent

        PeoplePage {
            anchors.fill: parent
        }
    }
    Component {
        id: windowComponent

        Main {}
    }

    TestCase {
        id: testCase

        property string calendarId
        property string minutesId
        property string displayId
        // The tests' users carry this tail: a second run of the file on one server would
        // otherwise meet names already taken.
        readonly property string tail: Date.now().toString(36).slice(-4)

        // A scope's checkbox: the Repeater's items are no QObject children, so the search goes
        // through the dialog's visual content.
        function scopeBox(dialog: var, scope: string): var {
            return findChild(dialog.contentItem, "scope_" + scope);
        }

        function openInstallDialog(button: var): var {
            mouseClick(button);
            const dialog = findChild(page, "installDialog");
            tryVerify(() => dialog.opened, 3000);
            return dialog;
        }

        // Toggles a checkbox from the keyboard, as a host tabbing through the dialog would (a
        // click could land while the dialog still grows around its scopes).
        function toggle(box: var) {
            verify(box, "the checkbox exists");
            box.forceActiveFocus();
            keyClick(Qt.Key_Space);
        }

        function marketplaceEntry(appId: string): var {
            const apps = harness.getJson("/v1/marketplace?page_size=300").apps;
            return apps ? apps.find(app => app.id === appId) : undefined;
        }

        function serverUser(userId: string): var {
            return harness.getJson("/v1/users/" + userId);
        }

        function appRow(appId: string): var {
            page.currentTab = 0;
            tryVerify(() => page.apps.indexOf(appId) >= 0 && !page.apps.busy, 5000,
                      "the app is listed");
            const list = findChild(page, "appList");
            list.positionViewAtIndex(page.apps.indexOf(appId), ListView.Contain);
            let row = null;
            tryVerify(() => (row = findChild(page, "app_" + appId)) !== null, 3000);
            return row;
        }

        function userRow(userId: string): var {
            page.currentTab = 1;
            tryVerify(() => page.users.indexOf(userId) >= 0 && !page.users.busy, 5000,
                      "the user is listed");
            const list = findChild(page, "userList");
            list.positionViewAtIndex(page.users.indexOf(userId), ListView.Contain);
            let row = null;
            tryVerify(() => (row = findChild(page, "user_" + userId)) !== null, 3000);
            return row;
        }

        // A user made through the API, listed on the page; their id.
        function makeUser(name: string, role: string): string {
            verify(harness.post("/v1/users", {name: name, role: role,
                                              password: "a long enough password"}) === 201);
            page.users.refresh();
            let id = "";
            tryVerify(() => {
                for (let row = 0; row < page.users.count; ++row) {
                    if (page.users.get(row).name === name)
                        id = page.users.get(row).id;
                }
                return id !== "";
            }, 5000, name + " is listed");
            return id;
        }

        function userIdNamed(name: string): string {
            for (let row = 0; row < page.users.count; ++row) {
                if (page.users.get(row).name === name)
                    return page.users.get(row).id;
            }
            return "";
        }

        // Picks a role in a row's box as the popup would.
        function pickRole(row: var, index: int) {
            const box = findChild(row, "roleBox");
            box.currentIndex = index;
            box.activated(index);
        }

        function openAddDialog(): var {
            page.currentTab = 1;
            const dialog = findChild(page, "addUserDialog");
            mouseClick(findChild(page, "addUserButton"));
            tryVerify(() => dialog.opened, 3000, "the dialog opens");
            return dialog;
        }

        function confirm(): var {
            const dialog = findChild(page, "confirmDialog");
            tryVerify(() => dialog.opened, 3000, "the page asks first");
            return dialog;
        }

        name: "PeoplePage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            calendarId = harness.registerApp(
                "Calendar Sync",
                "Puts the workspace's meetings into the team calendar and keeps both in step.",
                ["meeting.read", "meeting.write"]);
            minutesId = harness.registerApp(
                "Minutes", "Writes meeting notes from cloud recordings and mails them around.",
                ["meeting.read", "recording.read", "webhook.read", "webhook.write"]);
            displayId = harness.registerApp(
                "Room Display", "Shows the day's meetings on the screen beside each room.",
                ["meeting.read"], false);
            verify(calendarId !== "" && minutesId !== "" && displayId !== "");
            page.reload();
            tryVerify(() => page.signedIn.loaded && !page.busy, 5000);
        }

        function cleanup() {
            for (const name of ["addUserDialog", "installDialog", "confirmDialog",
                                "passwordLinkDialog"])
                findChild(page, name).close();
        }

        // Runs first, while the harness's admin is the workspace's only owner.
        function test_1_the_last_owner_is_told_why_they_cannot_step_down() {
            const ownId = page.signedIn.userId;
            const row = userRow(ownId);
            compare(page.signedIn.role, "owner");
            verify(!findChild(row, "disableButton").enabled, "nobody disables themselves");

            pickRole(row, 2);
            const dialog = confirm();
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "confirmButton"));

            const problem = findChild(page, "actionProblem");
            tryVerify(() => problem.message !== "", 5000, "the refusal is shown");
            verify(problem.message.includes("last owner"), problem.message);
            compare(findChild(row, "roleBox").currentText, "Owner");
            compare(serverUser(ownId).role, "owner");
        }

        function test_2_installing_with_a_scope_unchecked_grants_only_the_checked_ones() {
            const row = appRow(minutesId);
            compare(findChild(row, "installedChip").text, "Not installed");
            const dialog = openInstallDialog(findChild(row, "installButton"));
            for (const scope of ["meeting.read", "recording.read", "webhook.read",
                                 "webhook.write"])
                verify(scopeBox(dialog, scope).checked, scope + " starts checked");

            toggle(scopeBox(dialog, "recording.read"));
            verify(!scopeBox(dialog, "recording.read").checked, JSON.stringify(dialog.chosen));
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "installConfirmButton"));

            tryVerify(() => !dialog.opened, 5000, "the dialog closes once installed: "
                      + findChild(dialog, "problemText").text);
            const entry = marketplaceEntry(minutesId);
            verify(entry.installed);
            compare(entry.granted_scopes.slice().sort(),
                    ["meeting.read", "webhook.read", "webhook.write"]);
            tryCompare(findChild(appRow(minutesId), "installedChip"), "text", "Installed", 5000);
            verify(!findChild(appRow(minutesId), "scopesGranted").text.includes("recordings"));
        }

        function test_3_nothing_checked_installs_nothing() {
            const row = appRow(displayId);
            const dialog = openInstallDialog(findChild(row, "installButton"));

            toggle(scopeBox(dialog, "meeting.read"));

            verify(!findChild(dialog, "installConfirmButton").enabled,
                   "an empty choice would grant everything the app asks");
            verify(findChild(dialog, "nothingChosenHint").visible);
            dialog.close();
            verify(!marketplaceEntry(displayId).installed);
        }

        function test_4_uninstalling_asks_first_and_then_shows_the_app_as_not_installed() {
            page.apps.install(calendarId, ["meeting.read"]);
            tryVerify(() => marketplaceEntry(calendarId).installed, 5000);
            const row = appRow(calendarId);
            tryCompare(findChild(row, "installedChip"), "text", "Installed", 5000);

            mouseClick(findChild(row, "uninstallButton"));
            let dialog = confirm();
            verify(dialog.message.includes("Calendar Sync"), dialog.message);
            verify(dialog.message.includes("stops working"), dialog.message);
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "confirmCancelButton"));
            tryVerify(() => !dialog.opened, 3000);
            verify(marketplaceEntry(calendarId).installed, "keeping it changes nothing");

            mouseClick(findChild(row, "uninstallButton"));
            dialog = confirm();
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "confirmButton"));

            tryVerify(() => !marketplaceEntry(calendarId).installed, 5000);
            tryCompare(findChild(appRow(calendarId), "installedChip"), "text", "Not installed",
                       5000);
            verify(!findChild(appRow(calendarId), "scopesGranted").visible);
        }

        function test_5_adding_a_user_without_a_password_shows_the_link_once() {
            const name = "grace." + tail;
            const dialog = openAddDialog();
            Clicks.typeInto(testCase, findChild(dialog, "nameField"), name);
            findChild(dialog, "roleBox").currentIndex = 1; // admin
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "addConfirmButton"));

            const linkDialog = findChild(page, "passwordLinkDialog");
            tryVerify(() => linkDialog.opened, 5000, "the link is shown: "
                      + JSON.stringify(dialog.fieldErrors));
            verify(!dialog.opened);
            verify(findChild(linkDialog, "linkField").text.includes("/set-password?token="));
            verify(findChild(linkDialog, "shownOnceNote").text.includes("only now"));
            Clicks.clickInPopup(testCase, linkDialog, findChild(linkDialog, "copyLinkButton"));
            verify(findChild(linkDialog, "copiedNote").visible);

            const id = userIdNamed(name);
            verify(id !== "", "the user is listed");
            const stored = serverUser(id);
            compare(stored.role, "admin");
            compare(stored.has_password, false);
            verify(findChild(userRow(id), "newLinkButton").visible);
        }

        function test_5_adding_a_user_with_a_password_lists_them() {
            const name = "alan." + tail;
            const dialog = openAddDialog();
            Clicks.typeInto(testCase, findChild(dialog, "nameField"), name);
            findChild(dialog, "passwordField").text = "a long enough password";
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "addConfirmButton"));

            tryVerify(() => !dialog.opened, 5000, "the dialog closes");
            verify(!findChild(page, "passwordLinkDialog").opened, "no link without need");
            tryVerify(() => userIdNamed(name) !== "", 5000);
            const stored = serverUser(userIdNamed(name));
            compare(stored.role, "member");
            compare(stored.has_password, true);
        }

        function test_6_an_empty_name_is_shown_at_the_name_field() {
            const dialog = openAddDialog();
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "addConfirmButton"));

            const error = findChild(dialog, "nameError");
            tryVerify(() => error.text !== "", 5000, "the server's objection reaches the field");
            verify(error.text.startsWith("The name"), error.text);
            verify(dialog.opened, "the dialog stays open");
            compare(findChild(dialog, "passwordError").text, "");
        }

        function test_6_a_name_in_use_is_shown_at_the_name_field() {
            const dialog = openAddDialog();
            Clicks.typeInto(testCase, findChild(dialog, "nameField"), "bob");
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "addConfirmButton"));

            const error = findChild(dialog, "nameError");
            tryVerify(() => error.text !== "", 5000, "the conflict reaches the name");
            verify(error.text.includes("exists already"), error.text);
            compare(findChild(dialog, "formProblem").message, "");
        }

        function test_6_a_short_password_is_shown_at_the_password_field() {
            const dialog = openAddDialog();
            Clicks.typeInto(testCase, findChild(dialog, "nameField"), "pat." + tail);
            findChild(dialog, "passwordField").text = "short";
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "addConfirmButton"));

            const error = findChild(dialog, "passwordError");
            tryVerify(() => error.text !== "", 5000);
            verify(error.text.includes("12"), error.text);
            compare(findChild(dialog, "nameError").text, "");
            compare(userIdNamed("pat." + tail), "");
        }

        function test_7_changing_a_role_reaches_the_server() {
            const id = makeUser("katherine." + tail, "member");
            const row = userRow(id);

            pickRole(row, 1);

            tryVerify(() => serverUser(id).role === "admin", 5000);
            tryCompare(findChild(userRow(id), "roleBox"), "currentText", "Admin", 3000);
            tryVerify(() => findChild(page, "statusLabel").text.includes("admin"), 3000);
        }

        function test_8_disabling_asks_first_and_reaches_the_server() {
            const id = makeUser("contractor." + tail, "member");
            const row = userRow(id);

            mouseClick(findChild(row, "disableButton"));
            const dialog = confirm();
            verify(dialog.message.includes("no longer be able to sign in"), dialog.message);
            compare(serverUser(id).disabled, false);
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "confirmButton"));

            tryVerify(() => serverUser(id).disabled === true, 5000);
            tryCompare(findChild(userRow(id), "statusChip"), "text", "Disabled", 3000);
            verify(!findChild(userRow(id), "roleBox").enabled);
        }

        function test_9_a_member_is_told_that_only_admins_manage_apps_and_users() {
            const memberPage = createTemporaryObject(memberPageComponent, root,
                                                     {client: harness.memberClient()});
            verify(memberPage);
            memberPage.reload();

            const explanation = findChild(memberPage, "notAdminState");
            tryVerify(() => explanation.visible, 5000, "an explanation, not an empty page");
            tryVerify(() => explanation.hint.includes("bob"), 5000, explanation.hint);
            verify(!findChild(memberPage, "appList").visible);
            verify(!findChild(memberPage, "addUserButton").visible);
            verify(!findChild(memberPage, "listProblem").visible);
        }

        function test_z_screenshots() {
            // Several users of each role; one was disabled in test_8.
            makeUser("maria.garcia." + tail, "owner");
            makeUser("li.wei." + tail, "admin");
            makeUser("ngozi.okafor." + tail, "member");

            const window = windowComponent.createObject(null, {
                client: harness.client, embeddedServer: null, remoteSignIn: null, secrets: null
            });
            verify(window);
            window.width = 1200;
            window.height = 760;
            window.showPage("people");
            const people = window.peoplePage;
            tryVerify(() => people.apps.count >= 3 && people.users.count >= 8 && !people.busy
                      && people.signedIn.loaded, 5000);

            const shoot = (name) => {
                wait(400); // lets the last binding changes reach a frame before the grab
                verify(harness.screenshot(window.contentItem, name) !== "", "saved " + name);
            };
            for (const dark of [false, true]) {
                const theme = dark ? "dark" : "light";
                Theme.dark = dark;
                people.currentTab = 0;
                shoot("apps-" + theme);
                const install = findChild(people, "installDialog");
                install.openFor(people.apps.get(people.apps.indexOf(minutesId)));
                shoot("apps-install-" + theme);
                install.close();
                people.currentTab = 1;
                shoot("users-" + theme);
            }
            Theme.dark = false;
            const add = findChild(people, "addUserDialog");
            add.openNew();
            findChild(add, "nameField").text = "bob";
            add.add();
            tryVerify(() => findChild(add, "nameError").text !== "", 5000);
            shoot("users-add-error-light");
            add.close();
            // Dark first: a modal dialog keeps the palette it opened with, and a host cannot
            // reach the theme switch while one is open anyway.
            Theme.dark = true;
            const link = findChild(people, "passwordLinkDialog");
            link.show("grace.hopper",
                      "http://127.0.0.1:8080/set-password?token=Xr4t9LmQ2vBn8KsW");
            shoot("users-link-dark");
            link.close();
            Theme.dark = false;
            window.destroy();
        }
    }
}
