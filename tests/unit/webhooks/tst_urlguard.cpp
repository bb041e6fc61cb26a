// The URL guard (DESIGN.md *Webhooks*, case C05): which webhook targets are refused, with the
// private-networks switch off and on. Nothing here connects anywhere; addresses are only judged.

#include "webhooks/UrlGuard.h"

#include <QtTest>

using namespace quorum;
using namespace Qt::StringLiterals;

class tst_UrlGuard : public QObject
{
    Q_OBJECT

private:
    enum class Expect { Refused, Allowed };

    // One row judged twice: with private networks off, then on.
    static void row(const char *name, const QString &url, Expect off, Expect on)
    {
        QTest::newRow(name) << url << (off == Expect::Allowed) << (on == Expect::Allowed);
    }

private Q_SLOTS:
    void checkUrl_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("allowedWhenOff");
        QTest::addColumn<bool>("allowedWhenOn");
        const auto refused = Expect::Refused;
        const auto allowed = Expect::Allowed;

        // C05's inputs.
        row("C05 the metadata service is refused even with private networks",
            u"https://169.254.169.254/latest/meta-data/"_s, refused, refused);
        row("C05 IPv4 loopback with a port is refused unless private networks are allowed",
            u"https://127.0.0.1:8443/h"_s, refused, allowed);
        row("C05 IPv6 loopback is refused unless private networks are allowed",
            u"https://[::1]/h"_s, refused, allowed);
        row("C05 the metadata service behind an IPv4-mapped address is refused always",
            u"https://[::ffff:169.254.169.254]/h"_s, refused, refused);
        row("C05 a private 10/8 address is refused unless private networks are allowed",
            u"https://10.1.2.3/h"_s, refused, allowed);
        row("C05 plain http is refused while private networks are off",
            u"http://hooks.example.com/h"_s, refused, allowed);
        row("C05 credentials in the URL are refused always",
            u"https://user:pw@hooks.example.com/h"_s, refused, refused);

        // The rest of the reserved space.
        row("the unspecified IPv4 address is refused always", u"https://0.0.0.0/h"_s, refused,
            refused);
        row("an address in 0/8 is refused always", u"https://0.1.2.3/h"_s, refused, refused);
        row("the shared 100.64/10 space counts as private", u"https://100.64.0.1/h"_s, refused,
            allowed);
        row("the top of the shared space counts as private", u"https://100.127.255.254/h"_s,
            refused, allowed);
        row("just past the shared space is public", u"https://100.128.0.1/h"_s, allowed, allowed);
        row("172.16/12 is private", u"https://172.31.255.1/h"_s, refused, allowed);
        row("just past 172.16/12 is public", u"https://172.32.0.1/h"_s, allowed, allowed);
        row("192.168/16 is private", u"https://192.168.1.1/h"_s, refused, allowed);
        row("link-local IPv4 is refused always", u"https://169.254.1.1/h"_s, refused, refused);
        row("the ECS metadata address is refused always", u"https://169.254.170.2/h"_s, refused,
            refused);
        row("the Alibaba metadata address in the shared space is refused always",
            u"https://100.100.100.200/h"_s, refused, refused);
        row("benchmarking 198.18/15 is refused always", u"https://198.19.0.1/h"_s, refused,
            refused);
        row("documentation 192.0.2/24 is refused always", u"https://192.0.2.10/h"_s, refused,
            refused);
        row("documentation 203.0.113/24 is refused always", u"https://203.0.113.7/h"_s, refused,
            refused);
        row("IPv4 multicast is refused always", u"https://224.0.0.1/h"_s, refused, refused);
        row("240/4 future use is refused always", u"https://240.0.0.1/h"_s, refused, refused);
        row("the broadcast address is refused always", u"https://255.255.255.255/h"_s, refused,
            refused);
        row("the unspecified IPv6 address is refused always", u"https://[::]/h"_s, refused,
            refused);
        row("unique local fc00::/7 is private", u"https://[fd12:3456::1]/h"_s, refused, allowed);
        row("the AWS IPv6 metadata address is refused always", u"https://[fd00:ec2::254]/h"_s,
            refused, refused);
        row("IPv6 link-local is refused always", u"https://[fe80::1]/h"_s, refused, refused);
        row("IPv6 multicast is refused always", u"https://[ff02::1]/h"_s, refused, refused);
        row("IPv6 documentation 2001:db8::/32 is refused always", u"https://[2001:db8::1]/h"_s,
            refused, refused);
        row("an IPv4-mapped loopback is judged as loopback", u"https://[::ffff:127.0.0.1]/h"_s,
            refused, allowed);
        row("an IPv4-mapped private address is judged as private", u"https://[::ffff:10.0.0.1]/h"_s,
            refused, allowed);
        row("an IPv4-compatible metadata address is refused always",
            u"https://[::169.254.169.254]/h"_s, refused, refused);
        row("a NAT64 metadata address is refused always", u"https://[64:ff9b::a9fe:a9fe]/h"_s,
            refused, refused);
        row("IPv6 outside global unicast is refused always", u"https://[4000::1]/h"_s, refused,
            refused);
        row("a password without a user name is refused", u"https://:pw@hooks.example.com/h"_s,
            refused, refused);
        row("a user name alone is refused", u"https://user@hooks.example.com/h"_s, refused,
            refused);
        row("another scheme is refused always", u"ftp://hooks.example.com/h"_s, refused, refused);
        row("a relative URL is refused", u"/hooks"_s, refused, refused);
        row("a URL without a host is refused", u"https:///h"_s, refused, refused);

        // What passes.
        row("a public IPv4 literal is allowed", u"https://93.184.216.34/h"_s, allowed, allowed);
        row("a public IPv4 literal with a port is allowed", u"https://8.8.8.8:8443/h"_s, allowed,
            allowed);
        row("a public IPv6 literal is allowed", u"https://[2606:4700::1111]/h"_s, allowed, allowed);
        row("an IPv4-mapped public address is allowed", u"https://[::ffff:93.184.216.34]/h"_s,
            allowed, allowed);
        row("a name is allowed until it resolves", u"https://hooks.example.com/h?x=1"_s, allowed,
            allowed);
        row("an upper-case https scheme is allowed", u"HTTPS://hooks.example.com/h"_s, allowed,
            allowed);
    }

    void checkUrl()
    {
        QFETCH(QString, url);
        QFETCH(bool, allowedWhenOff);
        QFETCH(bool, allowedWhenOn);

        const auto off = UrlGuard(false).checkUrl(QUrl(url));
        const auto on = UrlGuard(true).checkUrl(QUrl(url));

        QVERIFY2(off.has_value() != allowedWhenOff,
                 qPrintable(u"private networks off: "_s + off.value_or(u"allowed"_s)));
        QVERIFY2(on.has_value() != allowedWhenOn,
                 qPrintable(u"private networks on: "_s + on.value_or(u"allowed"_s)));
    }

    void refusalNamesTheAddress()
    {
        const auto refusal = UrlGuard(false).checkUrl(QUrl(u"https://[::ffff:169.254.169.254]/"_s));

        QVERIFY(refusal);
        QVERIFY2(refusal->contains(u"metadata"_s), qPrintable(*refusal));
    }

    void checkAddresses_data()
    {
        QTest::addColumn<QStringList>("addresses");
        QTest::addColumn<bool>("allowed");

        QTest::newRow("one public address passes") << QStringList{u"93.184.216.34"_s} << true;
        QTest::newRow("a name resolving to public addresses of both families passes")
            << QStringList{u"93.184.216.34"_s, u"2606:2800:220:1::1"_s} << true;
        QTest::newRow("one loopback address among public ones is refused")
            << QStringList{u"93.184.216.34"_s, u"127.0.0.1"_s} << false;
        QTest::newRow("a name resolving to the metadata service is refused")
            << QStringList{u"169.254.169.254"_s} << false;
        QTest::newRow("a name resolving to nothing is refused") << QStringList{} << false;
    }

    void checkAddresses()
    {
        QFETCH(QStringList, addresses);
        QFETCH(bool, allowed);
        QList<QHostAddress> parsed;
        for (const QString &text : std::as_const(addresses))
            parsed << QHostAddress(text);

        const auto refusal = UrlGuard(false).checkAddresses(parsed);

        QCOMPARE(!refusal.has_value(), allowed);
    }

    void privateNetworksStillRefuseMetadataAfterResolution()
    {
        const UrlGuard guard(true);

        QVERIFY(guard.checkAddresses({QHostAddress(u"fd00:ec2::254"_s)}));
        QVERIFY(!guard.checkAddresses({QHostAddress(u"127.0.0.1"_s), QHostAddress(u"::1"_s)}));
        QVERIFY(guard.allowsPrivateNetworks());
    }
};

QTEST_GUILESS_MAIN(tst_UrlGuard)
#include "tst_urlguard.moc"
