// Clicking in popups: a dialog's footer buttons take their places a moment after `opened`,
// so a click waits until the button lies inside the popup.
.pragma library

function clickInPopup(testCase, popup, button) {
    testCase.verify(button, "the button exists");
    testCase.tryVerify(() => {
        const point = button.mapToItem(null, 0, 0);
        return point.x >= popup.x && point.y >= popup.y;
    }, 3000, "the button is placed inside its popup");
    testCase.mouseClick(button);
}
