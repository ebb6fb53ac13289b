#include "image/disk_writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include "image/errors.hpp"

namespace netrun::image {

void DiskWriter::Free::operator()(archive* a) const {
    archive_write_free(a);
}

netlib::Expected<DiskWriter> DiskWriter::create(int extra_flags) {
    std::unique_ptr<archive, Free> a(archive_write_disk_new());
    if (!a) return netlib::fail(netlib::Code::Internal, "archive_write_disk_new: out of memory");
    // No archive_write_disk_set_standard_lookup: owners stay the archive's numeric ids,
    // never remapped through this host's passwd/group.
    int flags = ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT | extra_flags;
    if (archive_write_disk_set_options(a.get(), flags) != ARCHIVE_OK)
        return netlib::fail(netlib::Code::Internal, "archive_write_disk_set_options failed");
    return DiskWriter(std::move(a));
}

netlib::Error DiskWriter::error(const std::string& what) const {
    const char* msg = archive_error_string(a_.get());
    return netlib::Error{static_cast<int>(ImageCode::BadArchive),
                         what + ": " + (msg ? msg : "unknown libarchive error"),
                         {},
                         archive_errno(a_.get())};
}

netlib::Expected<void> DiskWriter::write(ArchiveReader& in, archive_entry* entry,
                                         const std::string& shown_name) {
    // ARCHIVE_WARN is e.g. "cannot restore time" on an odd filesystem: the entry is there.
    if (archive_write_header(a_.get(), entry) < ARCHIVE_WARN)
        return std::unexpected(error("extract " + shown_name));
    if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size(entry) > 0) {
        const void* buf = nullptr;
        size_t len = 0;
        la_int64_t offset = 0;
        for (;;) {
            int rc = archive_read_data_block(in.get(), &buf, &len, &offset);
            if (rc == ARCHIVE_EOF) break;
            if (rc < ARCHIVE_WARN) return std::unexpected(in.error("read data of " + shown_name));
            if (archive_write_data_block(a_.get(), buf, len, offset) < ARCHIVE_WARN)
                return std::unexpected(error("write " + shown_name));
        }
    }
    if (archive_write_finish_entry(a_.get()) < ARCHIVE_WARN)
        return std::unexpected(error("finish " + shown_name));
    return {};
}

netlib::Expected<void> DiskWriter::close() {
    if (archive_write_close(a_.get()) < ARCHIVE_WARN)
        return std::unexpected(error("finish extraction"));
    return {};
}

}  // namespace netrun::image
