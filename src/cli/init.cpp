// `thesis init [FILE]`: writes the seed's thesis, every key commented, as a starting point.
#include "common.h"

#include "thesis/core/errors.h"
#include "thesis/io/output.h"
#include "thesis/io/seed_thesis.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

namespace thesis::cli {

namespace {
struct InitOptions {
    std::string file = "thesis.yaml";
    bool force = false;
};

void run_init(const InitOptions& o) {
    if (o.file == "-") {
        fmt::print("{}", seed_thesis_yaml());
        return;
    }
    if (std::filesystem::exists(o.file) && !o.force)
        throw InputError({"command line"}, o.file,
                         "already exists; pass --force to overwrite it, or name another file");
    write_output_file(o.file, seed_thesis_yaml(), "");
    fmt::print(stderr, "wrote {}: the seed's thesis, every key commented. Next: thesis run {}\n", o.file,
               o.file);
}
}  // namespace

void setup_init(CLI::App& app) {
    auto options = std::make_shared<InitOptions>();
    CLI::App* command =
        app.add_subcommand("init", "Write a commented starter scenario file (the seed's thesis) to edit");
    command->add_option("file", options->file, "Where to write it ('-' for stdout)")->capture_default_str();
    command->add_flag("--force", options->force, "Overwrite an existing file");
    command->callback([options] { run_init(*options); });
}

}  // namespace thesis::cli
