pragma Singleton
import QtQuick

// The app's sizes and colours, light or dark. The first choice follows the platform palette
// (Qt 6.4 has no colour-scheme hint, but a dark window colour says enough); the toggle in the
// side bar changes it.
QtObject {
    id: root

    readonly property SystemPalette systemPalette: SystemPalette {
        colorGroup: SystemPalette.Active
    }
    property bool dark: systemPalette.window.hslLightness < 0.5

    readonly property int spacingSmall: 4
    readonly property int spacing: 8
    readonly property int spacingLarge: 16
    readonly property int spacingHuge: 24
    readonly property int radius: 6
    readonly property int sideBarWidth: 200
    readonly property int fontSmall: 12
    readonly property int fontNormal: 14
    readonly property int fontTitle: 22

    readonly property color window: dark ? "#1e1f22" : "#f4f5f7"
    readonly property color surface: dark ? "#2b2d31" : "#ffffff"
    readonly property color sideBar: dark ? "#17181a" : "#e9ebef"
    readonly property color text: dark ? "#e8e9eb" : "#1d1f23"
    readonly property color mutedText: dark ? "#a3a7ad" : "#5d636b"
    readonly property color border: dark ? "#3c3f45" : "#d5d8dd"
    readonly property color accent: dark ? "#6ea8fe" : "#1f5fbf"
    readonly property color accentText: dark ? "#0c1a2e" : "#ffffff"
    readonly property color button: dark ? "#383a40" : "#e4e6ea"
    readonly property color danger: dark ? "#f28b82" : "#b3261e"
    readonly property color dangerSurface: dark ? "#3d2220" : "#fbe9e7"
    readonly property color success: dark ? "#81c995" : "#1e7b34"
    readonly property color warning: dark ? "#fdd663" : "#8a5a00"
    readonly property color live: dark ? "#ff6b6b" : "#d0312d"

    // The colour of a meeting's or a recording's state chip.
    function stateColor(state: string): color {
        switch (state) {
        case "LIVE":
        case "recording":
            return live;
        case "SCHEDULED":
        case "processing":
            return accent;
        case "completed":
            return success;
        case "failed":
        case "CANCELLED":
            return danger;
        default:
            return mutedText;
        }
    }
}
