#include "RecordingFileHandlers.h"

#include "ByteRange.h"
#include "FileStreamer.h"
#include "HandlerSupport.h"
#include "HeldResponder.h"
#include "ProblemMap.h"
#include "Router.h"
#include "core/Clock.h"
#include "crypto/SignedUrl.h"
#include "recording/PublishedFiles.h"
#include "server/Services.h"
#include "server/Settings.h"
#include "store/Database.h"
#include "store/RecordingRepository.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QLoggingCategory>

#include <memory>

using namespace Qt::StringLiterals;

namespace quorum {

Q_LOGGING_CATEGORY(lcRecordingFiles, "quorum.http.files")

namespace {

ApiResponse invalidSignature()
{
    return handlers::fromError(
        {ErrorCode::InvalidSignature, u"This download link is incomplete or was altered."_s});
}

ApiResponse urlExpired(const QString &recordingId)
{
    return handlers::fromError(
        {ErrorCode::UrlExpired,
         u"This download link has expired; GET /v1/recordings/%1 for a fresh one."_s.arg(
             recordingId)});
}

ApiResponse noSuchFile()
{
    return handlers::fromError({ErrorCode::NotFound, u"No such recording file."_s});
}

// The file of a row, if it lies inside the recordings directory (the row's path is relative).
std::unique_ptr<QFile> openFile(const QString &recordingsDir, const RecordingFile &file)
{
    const QDir root(recordingsDir);
    const QString absolute = QDir::cleanPath(root.absoluteFilePath(file.path));
    if (!absolute.startsWith(QDir::cleanPath(root.absolutePath()) + u'/'))
        return nullptr;

    auto opened = std::make_unique<QFile>(absolute);
    if (!opened->open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return nullptr;
    return opened;
}

// A strong validator: a published file never changes, so its id, size and modification time
// tell one version from another (a file rewritten in place gets a new one).
QByteArray entityTag(const RecordingFile &file, const QFile &opened)
{
    const qint64 modifiedMs = QFileInfo(opened).lastModified().toMSecsSinceEpoch();
    return '"' + file.id.toLatin1() + '-' + QByteArray::number(opened.size(), 16) + '-'
        + QByteArray::number(modifiedMs, 16) + '"';
}

// A name safe inside a quoted Content-Disposition filename.
QByteArray attachmentName(const QString &recordingId, const QString &format)
{
    QByteArray name = recordingId.toLatin1() + '.';
    for (const QChar c : format) {
        if (c.isLetterOrNumber() && c.unicode() < 0x80)
            name.append(char(c.unicode()));
    }
    return name;
}

// GET /v1/recordings/{id}/files/{fid}?expires=...&sig=...
ApiResponse download(ApiRequest &request, Services &services)
{
    const QString recordingId = request.param(u"id"_s);
    const QString fileId = request.param(u"fid"_s);
    const QString expires = request.query.queryItemValue(u"expires"_s, QUrl::FullyDecoded);
    const QString signature = request.query.queryItemValue(u"sig"_s, QUrl::FullyDecoded);
    const QDateTime now = services.clock.now();
    switch (services.fileUrls.verify(publishedfiles::path(recordingId, fileId), expires, signature,
                                     now)) {
    case crypto::SignedUrl::Check::BadSignature:
        qCDebug(lcRecordingFiles) << "refused a download link with a bad signature";
        return invalidSignature();
    case crypto::SignedUrl::Check::Expired:
        return urlExpired(recordingId);
    case crypto::SignedUrl::Check::Valid:
        break;
    }

    auto row = RecordingRepository(services.database.connection()).file(recordingId, fileId);
    if (!row)
        return handlers::fromError(row.error());
    if (!row->has_value())
        return noSuchFile();
    const RecordingFile &file = **row;
    std::unique_ptr<QFile> opened = openFile(services.settings.effectiveRecordingsDir(), file);
    if (!opened) {
        qCWarning(lcRecordingFiles) << "recording file" << file.id << "is missing on disk";
        return noSuchFile();
    }

    // The size the file has now, not the one its row was written with.
    const qint64 size = opened->size();
    const QByteArray tag = entityTag(file, *opened);
    const QByteArray ifRange = request.header("if-range");
    // A Range is honoured only for the version the client already holds part of.
    const ByteRange range = ByteRange::parse(
        ifRange.isEmpty() || ifRange == tag ? request.header("range") : QByteArray(), size);
    if (range.kind() == ByteRange::Kind::Unsatisfiable)
        return handlers::fromError(
                   {ErrorCode::RangeNotSatisfiable, u"The file has %1 bytes."_s.arg(size)})
            .withHeader("Content-Range", range.contentRange())
            .withHeader("Accept-Ranges", "bytes");

    // The link may be cached privately while it is valid, and no longer.
    const qint64 remaining = qMax<qint64>(0, expires.toLongLong() - now.toSecsSinceEpoch());
    ApiResponse head = ApiResponse::text(range.status(), file.contentType.toLatin1(), {});
    head.withHeader("Content-Length", QByteArray::number(range.length()))
        .withHeader("Accept-Ranges", "bytes")
        .withHeader("ETag", tag)
        .withHeader("Content-Disposition",
                    "attachment; filename=\"" + attachmentName(recordingId, file.format) + '"')
        .withHeader("Cache-Control", "private, max-age=" + QByteArray::number(remaining))
        .withHeader("X-Content-Type-Options", "nosniff");
    if (range.kind() == ByteRange::Kind::Partial)
        head.withHeader("Content-Range", range.contentRange());

    // std::function must be copyable: the file travels in a shared holder until it starts.
    auto holder = std::make_shared<std::unique_ptr<QFile>>(std::move(opened));
    head.stream = [holder, offset = range.offset(),
                   length = range.length()](std::shared_ptr<HeldResponder> held) {
        if (*holder)
            FileStreamer::start(std::move(held), std::move(*holder), offset, length);
    };
    return head;
}

} // namespace

void RecordingFileHandlers::registerRoutes(Router &router, Services &services)
{
    // No bearer token: the signed link is the credential.
    router.add({"GET", u"/v1/recordings/{id}/files/{fid}"_s, AuthMode::Signed, QString(), false,
                [&services](ApiRequest &request) { return download(request, services); }});
}

} // namespace quorum
