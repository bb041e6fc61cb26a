import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum
import Quorum.Backend

// The webhook subscriptions: their state, adding one (its secret shown once), changing,
// turning off and on, test events, new secrets and deletion; below, the deliveries of the
// chosen one with each attempt's status code, and sending one again.
Item {
    id: root

    property QtObject client
    readonly property alias webhooks: webhookModel
    readonly property alias deliveryLog: deliveryLog
    // The subscription whose deliveries are shown; kept by id, so that a reload keeps it.
    property string selectedId
    readonly property var selectedItem: {
        const row = webhookModel.count >= 0 ? webhookModel.indexOf(selectedId) : -1;
        return row >= 0 ? webhookModel.get(row) : null;
    }

    function select(webhookId: string) {
        selectedId = webhookId;
    }

    // Moves the choice one subscription up or down (the list's arrow keys).
    function selectNext(step: int) {
        const row = Math.max(0, Math.min(webhookModel.count - 1,
                                         webhookModel.indexOf(selectedId) + step));
        if (row >= 0 && row < webhookModel.count) {
            select(webhookModel.get(row).id);
            webhookList.positionViewAtIndex(row, ListView.Contain);
        }
    }

    // Reports an action's outcome: `onDone` and a word of success, or the server's problem.
    function runAction(call: var, doneText: string, onDone: var) {
        actionProblem.message = "";
        call.finished.connect(() => {
            if (!call.ok) {
                actionProblem.message = call.message;
                return;
            }
            if (onDone)
                onDone(call);
            statusLabel.show(doneText);
        });
    }

    function setEnabled(webhookId: string, enabled: bool) {
        runAction(webhookModel.update(webhookId, {enabled: enabled}),
                  enabled ? qsTr("Turned on: new events will be sent (missed ones are not)")
                          : qsTr("Turned off: no events will be sent"),
                  null);
    }

    function sendTest(webhookId: string) {
        select(webhookId);
        runAction(webhookModel.sendTest(webhookId), qsTr("Test event sent"),
                  () => deliveryLog.deliveries.refresh());
    }

    function rotate(webhookId: string, url: string) {
        confirmDialog.ask(
            qsTr("Replace the signing secret?"),
            qsTr("A new secret for %1 will be made and shown once. The current one keeps "
                 + "signing deliveries for 24 hours, so that the receiving app can switch "
                 + "over.").arg(url),
            qsTr("Replace secret"),
            () => runAction(webhookModel.rotateSecret(webhookId), qsTr("Secret replaced"),
                            call => secretDialog.show(
                                call.result.secret, url,
                                whenText(call.result.previous_secret_expires_at))));
    }

    function remove(webhookId: string, url: string) {
        confirmDialog.ask(
            qsTr("Delete subscription?"),
            qsTr("Quorum will stop sending events to %1, and its deliveries will no longer "
                 + "be shown. This cannot be undone.").arg(url),
            qsTr("Delete"),
            () => runAction(webhookModel.remove(webhookId), qsTr("Subscription deleted"),
                            () => {
                                if (root.selectedId === webhookId)
                                    root.selectedId = "";
                            }));
    }

    function whenText(instant: var): string {
        return instant ? TimeZones.local(instant) : "";
    }

    WebhookListModel {
        id: webhookModel

        client: root.client
        // The first subscription is chosen until the host chooses another.
        onLoaded: {
            if (webhookModel.indexOf(root.selectedId) < 0)
                root.selectedId = webhookModel.count > 0 ? webhookModel.get(0).id : "";
        }
    }
    Connections {
        target: root.client
        function onTokenChanged() {
            root.selectedId = "";
            webhookModel.refresh();
        }
    }
    Component.onCompleted: {
        if (root.client && root.client.hasToken)
            webhookModel.refresh();
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.spacingHuge
        spacing: Theme.spacingLarge

        PageHeader {
            title: qsTr("Webhooks")
            subtitle: qsTr("Send meeting and recording events to other apps as they happen.")
            busy: webhookModel.busy
            Layout.fillWidth: true

            Button {
                objectName: "refreshButton"
                text: qsTr("Refresh")
                Accessible.name: qsTr("Refresh the subscriptions")
                onClicked: {
                    webhookModel.refresh();
                    deliveryLog.deliveries.refresh();
                }
            }
            Button {
                objectName: "addButton"
                text: qsTr("Add subscription")
                highlighted: true
                Accessible.name: text
                onClicked: webhookDialog.openNew()
            }
        }

        ProblemBanner {
            objectName: "listProblem"
            message: webhookModel.error
            canRetry: true
            Layout.fillWidth: true
            onRetry: webhookModel.refresh()
        }
        ProblemBanner {
            id: actionProblem

            objectName: "actionProblem"
            Layout.fillWidth: true
        }

        SplitView {
            id: splitView

            orientation: Qt.Vertical
            Layout.fillWidth: true
            Layout.fillHeight: true

            ListView {
                id: webhookList

                objectName: "webhookList"
                clip: true
                spacing: Theme.spacing
                model: webhookModel
                activeFocusOnTab: true
                Accessible.role: Accessible.List
                Accessible.name: qsTr("Webhook subscriptions")
                SplitView.preferredHeight: splitView.height * 0.55
                SplitView.minimumHeight: 120
                ScrollBar.vertical: ScrollBar {}
                Keys.onUpPressed: root.selectNext(-1)
                Keys.onDownPressed: root.selectNext(+1)

                delegate: WebhookDelegate {
                    width: webhookList.width
                    selected: item.id === root.selectedId
                    onChosen: webhookId => {
                        root.select(webhookId);
                        webhookList.forceActiveFocus();
                    }
                    onEditRequested: item => webhookDialog.openFor(item)
                    onEnableRequested: (webhookId, enabled) => root.setEnabled(webhookId,
                                                                               enabled)
                    onTestRequested: webhookId => root.sendTest(webhookId)
                    onRotateRequested: (webhookId, url) => root.rotate(webhookId, url)
                    onDeleteRequested: (webhookId, url) => root.remove(webhookId, url)
                }

                EmptyState {
                    anchors.centerIn: parent
                    width: Math.min(parent.width, 440)
                    visible: webhookModel.count === 0 && !webhookModel.busy
                             && webhookModel.error === ""
                    title: qsTr("No subscriptions yet")
                    hint: qsTr("Add one with “Add subscription” to send events, such as a "
                               + "meeting starting, to another app.")
                }
            }

            DeliveryLog {
                id: deliveryLog

                objectName: "deliveryLog"
                client: root.client
                webhookId: root.selectedId
                url: root.selectedItem ? root.selectedItem.url : ""
                subscriptionEnabled: root.selectedItem ? root.selectedItem.enabled : false
                SplitView.fillHeight: true
                SplitView.minimumHeight: 160
                onProblem: message => actionProblem.message = message
                onRedelivered: statusLabel.show(qsTr("Delivery queued again"))
                // Failures or a success may have changed the subscription's state.
                onSettled: {
                    if (root.selectedId !== "")
                        webhookModel.reload(root.selectedId);
                }
            }
        }

        Label {
            id: statusLabel

            objectName: "statusLabel"
            function show(text: string) {
                statusLabel.text = text;
                statusTimer.restart();
            }
            color: Theme.success
            Layout.fillWidth: true
            Timer {
                id: statusTimer

                interval: 4000
                onTriggered: statusLabel.text = ""
            }
        }
    }

    WebhookDialog {
        id: webhookDialog

        model: webhookModel
        onCreated: (webhookId, url, secret) => {
            root.select(webhookId);
            statusLabel.show(qsTr("Subscription added"));
            secretDialog.show(secret, url, "");
        }
        onSaved: url => statusLabel.show(qsTr("Saved %1").arg(url))
    }
    SecretDialog {
        id: secretDialog
    }
    ConfirmDialog {
        id: confirmDialog

        objectName: "webhookConfirmDialog"
    }
}
