#pragma once
// RAII over libarchive's disk writer (archive_write_disk) with the secure-extraction flags.
#include <memory>
#include <string>

#include "image/archive_reader.hpp"

namespace netrun::image {

class DiskWriter {
  public:
    // extra_flags: ARCHIVE_EXTRACT_* bits added to the secure ones.
    static netlib::Expected<DiskWriter> create(int extra_flags);

    // Writes entry (pathname already absolute below the destination) and, for regular
    // files, its data read from in.
    netlib::Expected<void> write(ArchiveReader& in, archive_entry* entry,
                                 const std::string& shown_name);
    // Applies deferred directory metadata (modes, times); call once after the last entry.
    netlib::Expected<void> close();

  private:
    struct Free {
        void operator()(archive* a) const;
    };
    explicit DiskWriter(std::unique_ptr<archive, Free> a) : a_(std::move(a)) {}
    netlib::Error error(const std::string& what) const;
    std::unique_ptr<archive, Free> a_;
};

}  // namespace netrun::image
