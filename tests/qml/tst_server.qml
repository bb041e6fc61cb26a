import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// The Server page: the signing keys with the one signing now and the next rotation, the audit
// log with names for who acted and its older entries read as it scrolls, and a remote sign-in
// started from the address typed.
Item {
    id: root

    width: 1100
    height: 720

    ServerPage {
        id: page

        anchors.fill: parent
        client: harness.client
        embeddedServer: null
        remoteSignIn: harness.remoteSignIn
        secrets: null
    }

    TestCase {
        id: testCase

        name: "ServerPage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            page.refresh();
            tryVerify(() => !page.status.busy && !page.audit.busy, 5000);
        }

        function test_the_signing_keys_show_the_key_signing_now_and_the_next_rotation() {
            tryVerify(() => page.status.signingKeys.length > 0, 5000);
            const card = findChild(page, "signingKeysCard");
            const texts = Clicks.textsUnder(card);
            const kid = page.status.signingKeys[0].kid;
            verify(texts.includes(kid), "the newest key is listed: " + texts.join(" | "));
            verify(texts.includes("signing now"), texts.join(" | "));
            const next = findChild(page, "nextRotation");
            verify(next.visible);
            verify(Clicks.textsUnder(next).some(text => /\d{4}, \d\d:\d\d/.test(text)),
                   "the next rotation is a time: " + Clicks.textsUnder(next).join(" | "));
        }

        function test_the_audit_log_names_who_acted_and_reads_older_entries_on_scrolling() {
            // More entries than the list's view holds.
            for (let i = 1; i <= 16; ++i)
                compare(harness.post("/v1/users", {name: "guest" + i, role: "member"}), 201);
            compare(harness.post("/v1/users", {name: "tara", role: "member"}), 201);
            page.audit.pageSize = 3;
            page.refresh();
            // The list reads pages until its view is full, and no further.
            tryVerify(() => !page.audit.busy && page.audit.count >= 3, 5000);
            const rows = findChild(page, "auditRows");
            wait(200);
            verify(page.audit.hasMore, "older entries wait for the scroll");
            const shown = page.audit.count;
            const newest = Clicks.textsUnder(rows.itemAtIndex(0));
            verify(newest.includes("User added"), newest.join(" | "));
            tryVerify(() => Clicks.textsUnder(rows.itemAtIndex(0)).includes("by admin"), 5000,
                      "the actor is named: " + Clicks.textsUnder(rows.itemAtIndex(0)).join(" | "));
            verify(Clicks.textsUnder(rows.itemAtIndex(0)).includes("tara"), "the user it is about");

            rows.positionViewAtEnd();
            tryVerify(() => page.audit.count > shown, 5000, "scrolling down reads older entries");
            page.audit.pageSize = 30;
        }

        function test_signing_in_elsewhere_starts_at_the_address_typed_and_can_be_cancelled() {
            const field = findChild(page, "remoteAddressField");
            const button = findChild(page, "remoteSignInButton");
            verify(!button.enabled, "nothing to sign in to yet");
            const address = String(harness.client.baseUrl).replace(/\/$/, "");
            Clicks.typeInto(testCase, field, address);

            mouseClick(button);

            tryVerify(() => harness.lastBrowserUrl().startsWith(address + "/oauth/authorize?"),
                      5000, "the browser would open " + harness.lastBrowserUrl());
            verify(harness.remoteSignIn.busy);
            verify(!button.enabled, "one sign-in at a time");
            verify(Clicks.textsUnder(page).includes("Waiting for the sign-in in your browser…"));
            harness.remoteSignIn.cancel();
            tryVerify(() => !harness.remoteSignIn.busy, 2000);
            verify(button.enabled);
        }
    }
}
