#include "SelfSignedCertificate.h"

#include <QProcess>

using namespace Qt::StringLiterals;

namespace quorum::testing {

bool SelfSignedCertificate::create()
{
    if (!m_directory.isValid()) {
        m_error = u"no temporary directory: "_s + m_directory.errorString();
        return false;
    }

    QProcess openssl;
    openssl.start(u"openssl"_s,
                  {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                   u"ec_paramgen_curve:prime256v1"_s, u"-nodes"_s, u"-days"_s, u"2"_s, u"-subj"_s,
                   u"/CN=127.0.0.1"_s, u"-keyout"_s, keyPath(), u"-out"_s, certificatePath()});
    if (!openssl.waitForFinished(30000)) {
        m_error = u"openssl did not finish: "_s + openssl.errorString();
        return false;
    }
    if (openssl.exitStatus() != QProcess::NormalExit || openssl.exitCode() != 0) {
        m_error = u"openssl failed: "_s + QString::fromLocal8Bit(openssl.readAllStandardError());
        return false;
    }
    return true;
}

QStringList SelfSignedCertificate::serverArguments() const
{
    return {u"--tls-cert"_s, certificatePath(), u"--tls-key"_s, keyPath()};
}

} // namespace quorum::testing
