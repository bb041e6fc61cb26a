#pragma once

#include "Settings.h"
#include "core/Result.h"

#include <QCommandLineParser>
#include <QProcessEnvironment>

namespace quorum {

// Reads Settings from flags, QUORUM_* environment variables and the INI file, in that
// order. The option table is the single source of `quorumd --help`.
// http(s)://HOST:PORT of the listen address (the port as set: 0 until the server is bound).
QString listenBaseUrl(const Settings &settings, bool tls);

class SettingsLoader final
{
public:
    SettingsLoader();

    void addOptionsTo(QCommandLineParser &parser) const;
    // `extraMediaAdapters`: --media names a test build adds to builtin, janus and auto.
    Result<Settings> load(const QCommandLineParser &parser, const QProcessEnvironment &environment,
                          const QStringList &extraMediaAdapters = {}) const;

private:
    struct Option
    {
        QString name; // flag name, INI key, and QUORUM_<NAME> in upper snake case
        QString valueName; // empty for a switch
        QString description;
    };
    QList<Option> m_options;
};

} // namespace quorum
