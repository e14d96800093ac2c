#include "thesis/io/output.h"

#include "thesis/core/errors.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace thesis {

namespace {
bool same_file(const std::string& a, const std::string& b) {
    struct stat sa {
    }, sb{};
    if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
}  // namespace

void write_file_atomically(const std::string& path, std::string_view content, const std::string& protect) {
    if (!protect.empty() && same_file(path, protect))
        throw InputError({"command line"}, "-o",
                         fmt::format("refusing to overwrite the input file {}", path));
    const std::filesystem::path target(path);
    const std::filesystem::path folder =
        target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string temp = (folder / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    const auto fail = [&](const char* what) {
        const int err = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        throw std::runtime_error(fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
    };
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        written += static_cast<std::size_t>(n);
    }
    // Readable like any file the user makes (mkstemp creates 0600).
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
    if (::fsync(fd) != 0) fail("flush");
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
}

}  // namespace thesis
