// The simdjson anchor of bench/run (issue 23): a simdjson On-Demand walk of every field of every
// line of a JSON-lines file on one thread, the floor a JSON-to-anything pass cannot beat by much.
// The file is read in chunks into one padded buffer (as simdjson requires); each line is parsed on
// its own, so a malformed line is counted and skipped rather than ending the walk; every key is
// unescaped, every string unescaped (and UTF-8 validated), every number parsed.
//
//   simdjson_walk FILE       prints "lines=N fields=F rejected=R string_bytes=B"
//
// Built by bench/run against Debian's libsimdjson-dev: c++ -O2 -march=native -std=c++17 ...
// -lsimdjson. On-Demand is compiled into this program for the CPU the compiler targets (without
// -march it is simdjson's portable "fallback" kernel, several times slower): -march=native is how
// simdjson's documentation asks On-Demand users to build for their machine.
#include <cstdio>
#include <cstring>
#include <vector>

#include <simdjson.h>

using namespace simdjson;

struct tally {
    size_t fields = 0, string_bytes = 0;
    double numbers = 0;
};

static error_code walk(ondemand::value v, tally &t);

static error_code walk_object(ondemand::object o, tally &t) {
    for (auto field : o) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key))
            return e;
        t.fields++;
        t.string_bytes += key.size();
        ondemand::value v;
        if (auto e = field.value().get(v))
            return e;
        if (auto e = walk(v, t))
            return e;
    }
    return SUCCESS;
}

static error_code walk(ondemand::value v, tally &t) {
    ondemand::json_type type;
    if (auto e = v.type().get(type))
        return e;
    switch (type) {
    case ondemand::json_type::object: {
        ondemand::object o;
        if (auto e = v.get_object().get(o))
            return e;
        return walk_object(o, t);
    }
    case ondemand::json_type::array: {
        ondemand::array a;
        if (auto e = v.get_array().get(a))
            return e;
        for (auto item : a) {
            ondemand::value x;
            if (auto e = item.get(x))
                return e;
            if (auto e = walk(x, t))
                return e;
        }
        return SUCCESS;
    }
    case ondemand::json_type::string: {
        std::string_view s;
        if (auto e = v.get_string().get(s))
            return e;
        t.string_bytes += s.size();
        return SUCCESS;
    }
    case ondemand::json_type::number: {
        ondemand::number n;
        if (auto e = v.get_number().get(n))
            return e;
        t.numbers += n.as_double();
        return SUCCESS;
    }
    case ondemand::json_type::boolean: {
        bool b;
        return v.get_bool().get(b);
    }
    case ondemand::json_type::null: return v.is_null() ? SUCCESS : INCORRECT_TYPE;
    }
    return INCORRECT_TYPE;
}

// Walks the complete lines of data[0..size); data has SIMDJSON_PADDING readable bytes after size.
// Returns how many bytes it consumed (up to the last newline, or everything when last is set).
static size_t walk_lines(ondemand::parser &parser, const char *data, size_t size, bool last,
                         tally &t, size_t &lines, size_t &rejected) {
    size_t at = 0;
    while (at < size) {
        const char *nl = static_cast<const char *>(std::memchr(data + at, '\n', size - at));
        if (!nl && !last)
            break;
        size_t end = nl ? size_t(nl - data) : size;
        lines++;
        // The line is parsed in place: the rest of the chunk (and its padding) follows it.
        ondemand::document doc;
        ondemand::object o;
        error_code e = parser.iterate(data + at, end - at, size + SIMDJSON_PADDING - at).get(doc);
        if (!e)
            e = doc.get_object().get(o);
        if (!e)
            e = walk_object(o, t);
        if (e)
            rejected++;
        at = end + 1;
    }
    return at < size ? at : size;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: simdjson_walk FILE\n");
        return 2;
    }
    FILE *f = std::fopen(argv[1], "rb");
    if (!f) {
        std::perror(argv[1]);
        return 1;
    }
    // The file is read in 4 MiB chunks into one reused padded buffer, as a streaming reader
    // would (and as pinetl's reader does): loading the whole file first would add the faulting
    // in of a file-sized buffer to the anchor. A line longer than the buffer grows it.
    size_t cap = size_t(4) << 20, have = 0;
    std::vector<char> buf(cap + SIMDJSON_PADDING);
    ondemand::parser parser;
    tally t;
    size_t lines = 0, rejected = 0;
    for (;;) {
        if (have == cap) {
            cap *= 2;
            buf.resize(cap + SIMDJSON_PADDING);
        }
        size_t got = std::fread(buf.data() + have, 1, cap - have, f);
        if (got == 0 && std::ferror(f)) {
            std::perror(argv[1]);
            return 1;
        }
        have += got;
        bool last = got == 0;
        std::memset(buf.data() + have, 0, SIMDJSON_PADDING);
        size_t used = walk_lines(parser, buf.data(), have, last, t, lines, rejected);
        std::memmove(buf.data(), buf.data() + used, have - used);
        have -= used;
        if (last)
            break;
    }
    std::fclose(f);
    std::printf("lines=%zu fields=%zu rejected=%zu string_bytes=%zu\n", lines, t.fields, rejected,
                t.string_bytes);
    return t.numbers == -1.0 ? 3 : 0; // the numbers' sum is used, so their parsing stays
}
