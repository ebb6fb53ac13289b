#pragma once
// RAII over a libarchive reader restricted to tar (any tar dialect, any compression filter
// libarchive knows: gzip, zstd, xz, bzip2). Other archive formats are refused on purpose:
// every input netrun imports is a tar or a directory.
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "netlib/error.hpp"

struct archive;
struct archive_entry;

namespace netrun::image {

class ArchiveReader {
  public:
    static netlib::Expected<ArchiveReader> open_file(const std::string& path);
    // bytes must outlive the reader; label names the source in error messages.
    static netlib::Expected<ArchiveReader> open_memory(std::span<const unsigned char> bytes,
                                                       std::string label);

    // The next entry, or nullptr at the end of the archive. The entry is owned by the reader
    // and valid until the next call.
    netlib::Expected<archive_entry*> next();
    archive* get() const { return a_.get(); }
    const std::string& label() const { return label_; }
    // "<label>: <libarchive's message>" as a BadArchive error.
    netlib::Error error(std::string_view what) const;

  private:
    struct Free {
        void operator()(archive* a) const;
    };
    ArchiveReader(std::unique_ptr<archive, Free> a, std::string label)
        : a_(std::move(a)), label_(std::move(label)) {}
    std::unique_ptr<archive, Free> a_;
    std::string label_;
};

// Entry path made relative and clean: leading "/" and "./" dropped, "." components removed.
// "" is the archive's root. A ".." component is refused (nullopt): extraction must never
// leave the destination directory.
std::optional<std::string> clean_entry_path(std::string_view path);

}  // namespace netrun::image
