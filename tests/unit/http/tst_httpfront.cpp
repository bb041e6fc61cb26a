#include <QTest>
class TestHttpFront : public QObject { Q_OBJECT };
QTEST_MAIN(TestHttpFront)
#include "tst_httpfront.moc"
