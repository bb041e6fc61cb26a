#pragma once

#include <QHash>
#include <QString>

#include <functional>
#include <memory>

namespace quorum {

namespace media {
class MediaPlane;
}

// Media-plane adapters a build adds to the ones every quorumd has (builtin, janus), by their
// --media name. The test build of quorumd registers `test-capture` this way (DESIGN.md *Join
// tokens and the media-plane seam*); the product's own build registers none.
using MediaAdapterFactory = std::function<std::unique_ptr<media::MediaPlane>()>;
using MediaAdapters = QHash<QString, MediaAdapterFactory>;

} // namespace quorum
