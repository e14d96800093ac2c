// The loader's key-path API: what sweeps and sensitivity read of a file without touching YAML,
// and the key-path walks of the loader itself (--set overrides, the node an error points at).
#include "yaml_section.h"

namespace thesis {

namespace {

InputError flag_error(const std::string& flag, const std::string& message) {
    return InputError({"command line"}, flag, message);
}

YAML::Node parse_for(std::string_view yaml, const std::string& flag) {
    try {
        return YAML::Load(std::string(yaml));
    } catch (const YAML::Exception& e) {
        throw flag_error(flag, "the scenario file is not valid YAML: " + e.msg);
    }
}

// Walks a key path in a YAML tree; returns the node or explains what is wrong.
YAML::Node find_key(const YAML::Node& root, const std::string& key, const std::string& flag) {
    YAML::Node at = root;
    std::string walked;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = key.find('.', start);
        const std::string part = key.substr(start, dot == std::string::npos ? dot : dot - start);
        if (part.empty()) throw flag_error(flag, "expected a key path like plans.aggressive.stop");
        if (!at.IsMap()) throw flag_error(flag, fmt::format("'{}' is a value, not a section", walked));
        YAML::Node next;
        bool found = false;
        std::vector<std::string> siblings;
        for (const auto& kv : at) {
            siblings.push_back(kv.first.Scalar());
            if (kv.first.Scalar() == part) {
                next.reset(kv.second);
                found = true;
            }
        }
        if (!found) {
            const std::string hint = did_you_mean(part, siblings);
            std::string known;
            for (const auto& k : siblings) known += (known.empty() ? "" : ", ") + k;
            throw flag_error(flag,
                             fmt::format("unknown key '{}'{}{}", part, walked.empty() ? "" : " in " + walked,
                                         hint.empty() ? "; the file has: " + known
                                                      : fmt::format(" (did you mean '{}'?)", hint)));
        }
        walked += (walked.empty() ? "" : ".") + part;
        at.reset(next);
        if (dot == std::string::npos) return at;
        start = dot + 1;
    }
}

void collect_leaves(const YAML::Node& node, const std::string& path, std::vector<ScalarLeaf>& out) {
    if (!node.IsMap()) return;
    for (const auto& kv : node) {
        const std::string key = path.empty() ? kv.first.Scalar() : path + "." + kv.first.Scalar();
        if (kv.second.IsMap()) collect_leaves(kv.second, key, out);
        else if (kv.second.IsScalar()) out.push_back({key, kv.second.Scalar()});
    }
}

}  // namespace

std::string scalar_at(std::string_view yaml, const std::string& key_path, const std::string& flag) {
    const YAML::Node n = find_key(parse_for(yaml, flag), key_path, flag);
    if (n.IsMap() || n.IsSequence())
        throw flag_error(flag, fmt::format("{} is a {}, not a number; name one of its values (e.g. {}.…)",
                                           key_path, n.IsMap() ? "section" : "list", key_path));
    if (!n.IsScalar()) throw flag_error(flag, fmt::format("{} is empty, not a numeric field", key_path));
    return n.Scalar();
}

std::vector<ScalarLeaf> scalar_leaves(std::string_view yaml, const std::string& flag) {
    std::vector<ScalarLeaf> out;
    collect_leaves(parse_for(yaml, flag), "", out);
    return out;
}

namespace loader {

// --set and the loader's errors walk key paths in the tree too.
void apply_override(YAML::Node root, const Override& o, LoadContext& ctx) {
    YAML::Node at = root;
    std::string walked;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = o.key_path.find('.', start);
        const std::string key = o.key_path.substr(start, dot == std::string::npos ? dot : dot - start);
        if (key.empty())
            throw InputError({"command line"}, o.key_path, "expected a key path like stock.price");
        walked = join(walked, key);
        if (dot == std::string::npos) {
            at[key] = o.value;
            break;
        }
        YAML::Node next = at[key];
        if (!next.IsDefined() || next.IsNull()) {
            at[key] = YAML::Node(YAML::NodeType::Map);
            next = at[key];
        } else if (!next.IsMap()) {
            throw InputError({"command line"}, o.key_path,
                             fmt::format("'{}' is a value, not a section", walked));
        }
        at.reset(next);
        start = dot + 1;
    }
    ctx.overridden.insert(o.key_path);
}

// The node at a key path, or the deepest one on the way to it (for an error's position).
YAML::Node node_at(YAML::Node node, const std::string& key_path) {
    std::size_t start = 0;
    while (node.IsMap()) {
        const std::size_t dot = key_path.find('.', start);
        const std::string key = key_path.substr(start, dot == std::string::npos ? dot : dot - start);
        YAML::Node next;
        bool found = false;
        for (const auto& kv : node)
            if (kv.first.Scalar() == key) {
                next.reset(kv.second);
                found = true;
                break;
            }
        if (!found || next.IsNull()) break;
        node.reset(next);
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return node;
}

}  // namespace loader

}  // namespace thesis
