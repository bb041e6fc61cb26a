// The Qt Quick tests of the app's pages (tst_*.qml in this folder), against a real quorumd
// that QmlTestHarness starts; each test file's engine sees it as `harness`.

#include "QmlTestHarness.h"

#include <QAccessible>
#include <QQmlContext>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(QuorumPlugin)
Q_IMPORT_QML_PLUGIN(Quorum_BackendPlugin)

class Setup : public QObject
{
    Q_OBJECT

public Q_SLOTS:
    void applicationAvailable()
    {
        QQuickStyle::setStyle(QStringLiteral("Basic"));
        // As a screen reader would: the controls then expose their accessible names.
        QAccessible::setActive(true);
        m_harness = std::make_unique<quorum::testing::QmlTestHarness>();
    }

    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
        engine->rootContext()->setContextProperty(QStringLiteral("harness"), m_harness.get());
    }

    void cleanupTestCase() { m_harness.reset(); }

private:
    std::unique_ptr<quorum::testing::QmlTestHarness> m_harness;
};

QUICK_TEST_MAIN_WITH_SETUP(qml, Setup)

#include "tst_qml.moc"
