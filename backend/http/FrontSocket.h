#pragma once

#include "http/FrontConnection.h"

#include <QPointer>

namespace quorum {

// Lets the front find the connection state of a socket QHttpServer hands back to it.
class FrontSocketHooks
{
public:
    virtual ~FrontSocketHooks() = default;

    FrontConnection *frontConnection() const { return m_connection; }
    void setFrontConnection(FrontConnection *connection) { m_connection = connection; }

    static FrontConnection *connectionOf(QObject *socket)
    {
        auto *hooks = dynamic_cast<FrontSocketHooks *>(socket);
        return hooks ? hooks->frontConnection() : nullptr;
    }

protected:
    QPointer<FrontConnection> m_connection;
};

// A socket of the front: the plain or TLS socket class with its writes shown to the
// connection's response tracker first (see FrontResponseTracker).
template<typename Base>
class FrontSocket final
    : public Base
    , public FrontSocketHooks
{
public:
    using Base::Base;

protected:
    qint64 writeData(const char *data, qint64 size) override
    {
        if (!m_connection)
            return Base::writeData(data, size);
        if (m_connection->holdWrite(QByteArrayView(data, size)))
            return size;

        const QByteArray rewritten = m_connection->observeWrite(QByteArrayView(data, size));
        if (rewritten.isNull())
            return Base::writeData(data, size);

        const qint64 written = Base::writeData(rewritten.constData(), rewritten.size());
        return written < 0 ? written : size;
    }
};

} // namespace quorum
