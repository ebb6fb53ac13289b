#include "image/archive_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cerrno>

#include "image/errors.hpp"

namespace netrun::image {

namespace {

archive* new_tar_reader() {
    archive* a = archive_read_new();
    if (!a) return nullptr;
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_filter_all(a);
    return a;
}

}  // namespace

void ArchiveReader::Free::operator()(archive* a) const {
    archive_read_free(a);
}

netlib::Expected<ArchiveReader> ArchiveReader::open_file(const std::string& path) {
    std::unique_ptr<archive, Free> a(new_tar_reader());
    if (!a) return netlib::fail(netlib::Code::Internal, "archive_read_new: out of memory");
    ArchiveReader r(std::move(a), path);
    if (archive_read_open_filename(r.a_.get(), path.c_str(), 1 << 16) != ARCHIVE_OK)
        return std::unexpected(r.error("open"));
    return r;
}

netlib::Expected<ArchiveReader> ArchiveReader::open_memory(std::span<const unsigned char> bytes,
                                                           std::string label) {
    std::unique_ptr<archive, Free> a(new_tar_reader());
    if (!a) return netlib::fail(netlib::Code::Internal, "archive_read_new: out of memory");
    ArchiveReader r(std::move(a), std::move(label));
    if (archive_read_open_memory(r.a_.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
        return std::unexpected(r.error("open"));
    return r;
}

netlib::Expected<archive_entry*> ArchiveReader::next() {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a_.get(), &e);
    if (rc == ARCHIVE_EOF) return nullptr;
    // ARCHIVE_WARN covers harmless oddities (e.g. an unknown pax keyword): keep going.
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return std::unexpected(error("read entry header"));
    return e;
}

netlib::Error ArchiveReader::error(std::string_view what) const {
    const char* msg = archive_error_string(a_.get());
    std::string text =
        label_ + ": " + std::string(what) + ": " + (msg ? msg : "unknown libarchive error");
    // libarchive reports format problems as EILSEQ; its text alone ("Unrecognized archive
    // format") does not say what we expected.
    if (archive_errno(a_.get()) == EILSEQ)
        text += " (expected a tar archive, optionally compressed)";
    return netlib::Error{
        static_cast<int>(ImageCode::BadArchive), std::move(text), {}, archive_errno(a_.get())};
}

std::optional<std::string> clean_entry_path(std::string_view path) {
    std::string out;
    while (!path.empty()) {
        std::size_t slash = path.find('/');
        std::string_view comp = path.substr(0, slash);
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") return std::nullopt;
        if (!out.empty()) out.push_back('/');
        out.append(comp);
    }
    return out;
}

}  // namespace netrun::image
