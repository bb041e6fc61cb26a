import QtQuick
import QtTest
import Quorum
import "Clicks.js" as Clicks

// The Webhooks page against a real quorumd that delivers to receivers on loopback: adding a
// subscription through the dialog (its secret shown once), the server's objections at their
// field, test events and their attempts in the delivery log, sending again, a new secret,
// turning off and on, and deletion; then the whole window with realistic data, light and dark.
Item {
    id: root

    width: 1100
    height: 720

    WebhooksPage {
        id: page

        anchors.fill: parent
        client: harness.client
    }

    // Waits for an action's call (which ends its own life once finished) and gives back what
    // it said.
    function outcomeOf(call: var, timeoutMs: int): var {
        const outcome = {done: false, ok: false, result: null, message: ""};
        call.finished.connect(() => {
            outcome.ok = call.ok;
            outcome.result = call.result;
            outcome.message = call.message;
            outcome.done = true;
        });
        testCase.tryVerify(() => outcome.done, timeoutMs, "the call finishes");
        return outcome;
    }

    TestCase {
        id: testCase

        property string okId
        property string firstSecret

        function openDialog(): var {
            const dialog = findChild(page, "webhookDialog");
            mouseClick(findChild(page, "addButton"));
            tryVerify(() => dialog.opened, 3000, "the dialog opens");
            return dialog;
        }

        function rowOf(webhookId: string): var {
            return findChild(page, "webhook_" + webhookId);
        }

        function subscription(webhookId: string): var {
            const row = page.webhooks.indexOf(webhookId);
            return row >= 0 ? page.webhooks.get(row) : null;
        }

        function idOfUrl(url: string): string {
            for (let row = 0; row < page.webhooks.count; ++row) {
                if (page.webhooks.get(row).url === url)
                    return page.webhooks.get(row).id;
            }
            return "";
        }

        // The newest test event in the log once it has finished, else null. Events of meetings
        // that other test files left behind may show beside it.
        function settledTest(): var {
            const log = page.deliveryLog.deliveries;
            for (let row = 0; row < log.count; ++row) {
                const item = log.get(row);
                if (item.event === "webhook.test")
                    return item.state === "pending" ? null : item;
            }
            return null;
        }

        function clickConfirm() {
            const confirm = findChild(page, "webhookConfirmDialog");
            tryVerify(() => confirm.opened, 3000, "the page asks first");
            Clicks.clickInPopup(testCase, confirm, findChild(confirm, "confirmButton"));
        }

        name: "WebhooksPage"
        when: windowShown

        function initTestCase() {
            verify(harness.ready, harness.problem);
            tryVerify(() => !page.webhooks.busy, 5000);

        }

        function test_1_adding_lists_the_subscription_and_shows_its_secret_once() {
            const url = harness.webhookUrl("ok", "/crm/events");
            const dialog = openDialog();
            Clicks.typeInto(testCase, findChild(dialog, "urlField"), url);
            // The event boxes come from a Repeater: found among the grid's items.
            const choices = findChild(dialog, "eventChoices");
            Clicks.clickInPopup(testCase, dialog, findChild(choices, "event_participant.joined"));
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "saveButton"));

            const secretDialog = findChild(page, "secretDialog");
            tryVerify(() => secretDialog.opened, 10000, "the secret is shown: "
                      + findChild(dialog, "problemText").text);
            verify(!dialog.opened);
            const secret = findChild(secretDialog, "secretField").text;
            verify(secret.startsWith("whsec_"), secret);
            verify(findChild(secretDialog, "secretNote").text.includes("not show"));

            okId = idOfUrl(url);
            verify(okId !== "", "the subscription is listed");
            const item = subscription(okId);
            compare(item.secret, undefined, "the list never holds the secret");
            compare(item.events.slice().sort(),
                    ["meeting.ended", "meeting.started", "participant.joined"]);
            compare(findChild(rowOf(okId), "stateLabel").text, "Active");
            compare(page.selectedId, okId, "the new subscription's deliveries are shown");

            Clicks.clickInPopup(testCase, secretDialog,
                                findChild(secretDialog, "secretDoneButton"));
            tryVerify(() => !secretDialog.opened, 3000);
            compare(secretDialog.secret, "", "the secret is forgotten once closed");
            firstSecret = secret;
        }

        function test_2_a_refused_address_is_shown_at_the_address_field_data() {
            return [{tag: "not an address", url: "not a url"},
                    {tag: "a cloud metadata address", url: "http://169.254.169.254/latest"}];
        }

        function test_2_a_refused_address_is_shown_at_the_address_field(data) {
            const before = page.webhooks.count;
            const dialog = openDialog();
            Clicks.typeInto(testCase, findChild(dialog, "urlField"), data.url);
            Clicks.clickInPopup(testCase, dialog, findChild(dialog, "saveButton"));

            const error = findChild(dialog, "urlError");
            tryVerify(() => error.text !== "", 10000, "the server's objection reaches the field");
            verify(error.visible);
            verify(!error.text.startsWith("must"), "a sentence, not the server's fragment");
            compare(findChild(dialog, "eventsError").text, "");
            verify(dialog.opened, "the dialog stays open");
            compare(page.webhooks.count, before);
            findChild(dialog, "dialogCancelButton").clicked();
            tryVerify(() => !dialog.opened, 3000);
        }

        function test_3_a_test_event_shows_in_the_log_with_its_status_code() {
            const received = harness.webhookRequestCount("ok");
            mouseClick(findChild(rowOf(okId), "testButton"));

            tryVerify(() => harness.webhookRequestCount("ok") > received, 10000,
                      "the receiver gets the test event");
            tryVerify(() => settledTest() !== null, 10000, "the log shows it");
            const delivery = settledTest();
            compare(delivery.event, "webhook.test");
            compare(delivery.state, "succeeded");
            compare(delivery.attempt_log.length, 1);
            compare(delivery.attempt_log[0].status_code, 200);
            const row = findChild(page, "delivery_" + delivery.id);
            verify(row);
            verify(findChild(row, "attempt_1").text.includes("HTTP 200"));
            compare(findChild(row, "deliveryStateLabel").text, "Delivered");
        }

        function test_4_sending_again_adds_an_attempt() {
            const delivery = settledTest();
            const received = harness.webhookRequestCount("ok");
            mouseClick(findChild(findChild(page, "delivery_" + delivery.id), "redeliverButton"));

            tryVerify(() => harness.webhookRequestCount("ok") > received, 10000,
                      "the receiver gets it again");
            tryVerify(() => {
                const item = settledTest();
                return item !== null && item.attempt_log.length === 2;
            }, 10000, "the log shows the second attempt");
            const again = settledTest();
            compare(again.id, delivery.id);
            compare(again.attempt_log[1].status_code, 200);
            compare(findChild(page, "actionProblem").message, "");
        }

        function test_5_a_failing_receiver_shows_its_status_codes() {
            const created = root.outcomeOf(page.webhooks.create(
                harness.webhookUrl("failing", "/broken"), ["recording.stopped"]), 5000);
            verify(created.ok, created.message);
            const failingId = created.result.id;
            mouseClick(findChild(rowOf(failingId), "testButton"));
            compare(page.selectedId, failingId, "testing chooses the subscription");

            // Three attempts a second apart, each answered 500.
            tryVerify(() => settledTest() !== null, 15000, "the delivery ends after its retries");
            const delivery = settledTest();
            compare(delivery.state, "failed");
            compare(delivery.attempt_log.length, 3);
            for (const attempt of delivery.attempt_log)
                compare(attempt.status_code, 500);
            const row = findChild(page, "delivery_" + delivery.id);
            verify(findChild(row, "attempt_3").text.includes("HTTP 500"));
            compare(findChild(row, "deliveryStateLabel").text, "Failed");
            page.webhooks.remove(failingId);
            tryVerify(() => page.webhooks.indexOf(failingId) < 0, 5000);
        }

        function test_6_a_new_secret_is_shown_once_after_confirming() {
            page.select(okId);
            mouseClick(findChild(rowOf(okId), "rotateButton"));
            clickConfirm();

            const secretDialog = findChild(page, "secretDialog");
            tryVerify(() => secretDialog.opened, 10000, "the new secret is shown: "
                      + findChild(page, "actionProblem").message);
            const secret = findChild(secretDialog, "secretField").text;
            verify(secret.startsWith("whsec_"), secret);
            verify(secret !== firstSecret, "a new secret");
            verify(secretDialog.previousValidUntil !== "", "the old one's grace is told");
            compare(subscription(okId).secret, undefined);
            Clicks.clickInPopup(testCase, secretDialog,
                                findChild(secretDialog, "secretDoneButton"));
            tryVerify(() => !secretDialog.opened, 3000);
        }

        function test_7_turning_off_and_on_again() {
            const row = rowOf(okId);
            mouseClick(findChild(row, "enableButton"));
            tryVerify(() => subscription(okId).state === "disabled", 5000);
            compare(subscription(okId).disabled_reason, "client");
            tryCompare(findChild(rowOf(okId), "stateLabel"), "text", "Turned off");
            verify(!findChild(rowOf(okId), "testButton").enabled, "no test while off");

            mouseClick(findChild(rowOf(okId), "enableButton"));
            tryVerify(() => subscription(okId).state === "active", 5000);
            tryCompare(findChild(rowOf(okId), "stateLabel"), "text", "Active");
            verify(findChild(rowOf(okId), "testButton").enabled);
        }

        function test_8_deleting_asks_first_and_then_deletes() {
            mouseClick(findChild(rowOf(okId), "deleteButton"));
            clickConfirm();

            tryVerify(() => page.webhooks.indexOf(okId) < 0, 5000);
            compare(page.selectedId === okId, false, "its deliveries are no longer shown");
        }
    }

    Component {
        id: windowComponent

        Main {}
    }

    // The whole window with a few subscriptions: one that delivers (a 500 then a 200 among its
    // attempts), one the server stopped after failures, one turned off by hand, and one new.
    TestCase {
        id: shotCase

        property var window: null

        function shoot(name: string) {
            wait(400); // lets the last binding changes reach a frame before the grab
            verify(harness.screenshot(window.contentItem, name) !== "", "saved " + name);
        }

        function create(model: var, url: string, events: var): string {
            const created = root.outcomeOf(model.create(url, events), 5000);
            verify(created.ok, created.message);
            return created.result.id;
        }

        name: "WebhookScreenshots"
        when: windowShown && testCase.completed

        function initTestCase() {
            window = windowComponent.createObject(null, {
                client: harness.client, embeddedServer: null, remoteSignIn: null, secrets: null
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

        function test_webhooks_light_and_dark() {
            window.showPage("webhooks");
            const page = window.webhooksPage;
            const model = page.webhooks;
            model.refresh();
            tryVerify(() => !model.busy, 5000);
            while (model.count > 0)
                verify(root.outcomeOf(model.remove(model.get(0).id), 5000).ok);

            const crm = create(model, harness.webhookUrl("ok", "/crm/quorum-events"),
                               ["meeting.started", "meeting.ended", "participant.joined",
                                "participant.left"]);
            const archive = create(model, harness.webhookUrl("failing", "/archive/recordings"),
                                   ["recording.completed", "recording.failed"]);
            const chat = create(model, harness.webhookUrl("ok", "/chat-bridge/notify"),
                                ["meeting.started"]);
            create(model, harness.webhookUrl("ok", "/analytics/attendance"),
                   ["meeting.ended", "recording.completed"]);

            compare(harness.pingWebhookUntil(archive, "disabled", 20000), "disabled");
            verify(root.outcomeOf(model.update(chat, {enabled: false}), 5000).ok);

            // Real events: a meeting goes live as people join; the receiver answers the first
            // delivery with a 500 and its retry with a 200. Then a test event.
            harness.queueWebhookAnswers("ok", [500]);
            const meeting = harness.scheduleMeeting("Weekly planning", 1);
            verify(harness.join("admin", meeting) !== "");
            verify(harness.join("bob", meeting) !== "");
            compare(harness.post("/v1/webhooks/" + crm + ":test"), 202);

            page.select(crm);
            tryVerify(() => {
                const log = page.deliveryLog.deliveries;
                if (log.count < 4)
                    return false;
                for (let row = 0; row < log.count; ++row) {
                    if (log.get(row).state === "pending")
                        return false;
                }
                return true;
            }, 20000, "the deliveries have settled");
            model.refresh();
            tryVerify(() => !model.busy && model.count === 4, 5000);
            shoot("webhooks-light");
            Theme.dark = true;
            shoot("webhooks-dark");

            const dialog = findChild(page, "webhookDialog");
            dialog.openNew();
            findChild(dialog, "urlField").text = "http://169.254.169.254/hooks";
            dialog.save();
            tryVerify(() => findChild(dialog, "urlError").text !== "", 5000);
            shoot("webhook-dialog-error-dark");
            dialog.close();
            Theme.dark = false;

            // A subscription added through the dialog, and its secret.
            dialog.openNew();
            findChild(dialog, "urlField").text = harness.webhookUrl("ok", "/billing/meetings");
            dialog.save();
            const secretDialog = findChild(page, "secretDialog");
            tryVerify(() => secretDialog.opened, 5000);
            shoot("webhook-secret-light");
            secretDialog.close();
        }
    }
}
