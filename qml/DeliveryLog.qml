import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Quorum.Backend

// The deliveries of one subscription, newest first, each with its attempts; a finished one can
// be sent again. While a delivery is still on its way the log reads itself again every
// moment, and says so when they have all settled.
ColumnLayout {
    id: root

    property QtObject client
    property string webhookId
    property string url
    property bool subscriptionEnabled: true
    readonly property alias deliveries: deliveryModel
    readonly property bool hasPending: {
        for (let row = 0; row < deliveryModel.count; ++row) {
            if (deliveryModel.get(row).state === "pending")
                return true;
        }
        return false;
    }

    // Every delivery shown has finished: the subscription's state may have changed.
    signal settled
    signal problem(string message)
    signal redelivered

    spacing: Theme.spacing
    onHasPendingChanged: {
        if (!hasPending)
            root.settled();
    }

    DeliveryListModel {
        id: deliveryModel

        client: root.client
        webhookId: root.webhookId
        pageSize: 30
    }

    // A test or a redelivery queues a delivery that finishes within seconds; the log follows
    // it until it has.
    Timer {
        interval: 1000
        repeat: true
        running: root.visible && root.webhookId !== "" && root.hasPending
        onTriggered: {
            if (!deliveryModel.busy)
                deliveryModel.refresh();
        }
    }

    RowLayout {
        spacing: Theme.spacing
        Layout.fillWidth: true

        Label {
            text: qsTr("Deliveries")
            font.pixelSize: Theme.fontNormal + 2
            font.bold: true
            color: Theme.text
            Accessible.role: Accessible.Heading
        }
        Label {
            objectName: "deliveryLogTarget"
            text: root.url !== "" ? qsTr("to %1").arg(root.url) : ""
            color: Theme.mutedText
            elide: Text.ElideMiddle
            Layout.fillWidth: true
        }
        BusyIndicator {
            objectName: "deliveryBusyIndicator"
            running: deliveryModel.busy
            visible: running
            implicitWidth: 24
            implicitHeight: 24
            Accessible.name: qsTr("Loading deliveries")
        }
        Button {
            objectName: "refreshDeliveriesButton"
            text: qsTr("Refresh")
            enabled: root.webhookId !== ""
            Accessible.name: qsTr("Refresh the deliveries")
            onClicked: deliveryModel.refresh()
        }
    }

    ProblemBanner {
        message: root.webhookId !== "" ? deliveryModel.error : ""
        canRetry: true
        Layout.fillWidth: true
        onRetry: deliveryModel.refresh()
    }

    ListView {
        id: deliveryList

        objectName: "deliveryList"
        clip: true
        spacing: Theme.spacingSmall
        model: deliveryModel
        activeFocusOnTab: true
        keyNavigationEnabled: true
        Accessible.role: Accessible.List
        Accessible.name: qsTr("Deliveries")
        Layout.fillWidth: true
        Layout.fillHeight: true
        ScrollBar.vertical: ScrollBar {}

        delegate: DeliveryDelegate {
            width: deliveryList.width
            canRedeliver: root.subscriptionEnabled
            onRedeliverRequested: deliveryId => {
                const call = deliveryModel.redeliver(deliveryId);
                call.finished.connect(() => {
                    if (call.ok)
                        root.redelivered();
                    else
                        root.problem(call.message);
                });
            }
        }

        EmptyState {
            anchors.centerIn: parent
            width: Math.min(parent.width, 420)
            visible: deliveryModel.count === 0 && !deliveryModel.busy
                     && (root.webhookId === "" || deliveryModel.error === "")
            title: root.webhookId === "" ? qsTr("No subscription chosen")
                                         : qsTr("Nothing sent yet")
            hint: root.webhookId === "" ? qsTr("Choose a subscription above to see what was "
                                               + "sent to it.")
                                        : qsTr("Events appear here as they are sent. "
                                               + "“Send test” sends one now.")
        }
    }
}
