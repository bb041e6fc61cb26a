#pragma once

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace quorum::testing {

// A P-256 key and a self-signed certificate for 127.0.0.1, valid two days, made by the openssl
// command line in a temporary directory that lives as long as this object.
class SelfSignedCertificate final
{
public:
    SelfSignedCertificate() = default;
    Q_DISABLE_COPY_MOVE(SelfSignedCertificate)

    // Runs openssl; whether it wrote both files. error() says why not.
    bool create();
    QString error() const { return m_error; }

    QString certificatePath() const { return m_directory.filePath(QStringLiteral("cert.pem")); }
    QString keyPath() const { return m_directory.filePath(QStringLiteral("key.pem")); }
    // --tls-cert and --tls-key for quorumd.
    QStringList serverArguments() const;

private:
    QTemporaryDir m_directory;
    QString m_error;
};

} // namespace quorum::testing
