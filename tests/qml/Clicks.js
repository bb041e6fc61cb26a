// Steps the page tests share. Clicking in popups: a dialog's footer buttons take their places
// a moment after `opened`, so a click waits until the button lies inside the popup. Typing
// into a field as a user would, replacing what it held. Reading every text under an item.
.pragma library

function clickInPopup(testCase, popup, button) {
    testCase.verify(button, "the button exists");
    testCase.tryVerify(() => {
        const point = button.mapToItem(null, 0, 0);
        return point.x >= popup.x && point.y >= popup.y;
    }, 3000, "the button is placed inside its popup");
    testCase.mouseClick(button);
}

function typeInto(testCase, field, text) {
    field.forceActiveFocus();
    field.selectAll();
    testCase.keyClick(Qt.Key_Delete);
    for (const character of text)
        testCase.keyClick(character);
}

function textsUnder(item) {
    const texts = [];
    if (typeof item.text === "string")
        texts.push(item.text);
    for (let i = 0; i < item.children.length; ++i)
        texts.push(...textsUnder(item.children[i]));
    return texts;
}
