#include "axtrain/data/numpy_file.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"
#include "axtrain/util/zip_archive.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

namespace axtrain {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY", kZipMagic = "PK";

struct TypeInfo {
  char kind;  // 'b', 'i', 'u', 'f'
  std::size_t size;
  NumpyType type;
  const char* name;
};

constexpr TypeInfo kTypes[] = {
    {'b', 1, NumpyType::kBool, "bool"},       {'i', 1, NumpyType::kInt8, "int8"},
    {'u', 1, NumpyType::kUInt8, "uint8"},     {'i', 2, NumpyType::kInt16, "int16"},
    {'u', 2, NumpyType::kUInt16, "uint16"},   {'i', 4, NumpyType::kInt32, "int32"},
    {'u', 4, NumpyType::kUInt32, "uint32"},   {'i', 8, NumpyType::kInt64, "int64"},
    {'u', 8, NumpyType::kUInt64, "uint64"},   {'f', 4, NumpyType::kFloat32, "float32"},
    {'f', 8, NumpyType::kFloat64, "float64"},
};

const TypeInfo& info_of(NumpyType type) {
  for (const TypeInfo& t : kTypes)
    if (t.type == type) return t;
  AXT_ASSERT(false);
  return kTypes[0];
}

// The header: a Python dict literal with the keys 'descr', 'fortran_order' and 'shape'.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<std::vector<std::int64_t>> shape;
};

// A cursor over the header text; each step skips the spaces before it and returns nothing when the text there
// is not what it reads.
struct HeaderParser {
  std::string_view text;
  std::size_t at = 0;

  void skip() {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\n' || text[at] == '\t')) ++at;
  }
  bool eat(char c) {
    skip();
    if (at < text.size() && text[at] == c) return ++at, true;
    return false;
  }
  std::optional<std::string> string() {
    skip();
    if (at >= text.size() || (text[at] != '\'' && text[at] != '"')) return std::nullopt;
    const char quote = text[at++];
    const std::size_t end = text.find(quote, at);
    if (end == std::string_view::npos) return std::nullopt;
    std::string s(text.substr(at, end - at));
    at = end + 1;
    return s;
  }
  std::optional<bool> boolean() {
    skip();
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, {std::string_view("False"), false}})
      if (text.substr(at, word.size()) == word) return at += word.size(), value;
    return std::nullopt;
  }
  std::optional<std::vector<std::int64_t>> tuple() {
    if (!eat('(')) return std::nullopt;
    std::vector<std::int64_t> dims;
    while (!eat(')')) {
      skip();
      std::int64_t d = 0;
      std::size_t digits = 0;
      while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
        if (d > (std::numeric_limits<std::int64_t>::max() - 9) / 10) return std::nullopt;
        d = d * 10 + (text[at++] - '0');
        ++digits;
      }
      if (digits == 0) return std::nullopt;
      dims.push_back(d);
      if (!eat(',')) {
        if (!eat(')')) return std::nullopt;
        break;
      }
    }
    return dims;
  }
};

Header parse_header(std::string_view text, std::string_view what) {
  HeaderParser p{text};
  Header h;
  const auto malformed = [&](std::string_view problem) {
    AXT_FAIL("{} has a malformed .npy header ({}): '{}'; write it again with numpy.save", what, problem,
             printable(std::string(text.substr(0, 120))));
  };
  if (!p.eat('{')) malformed("it is not a dict");
  while (!p.eat('}')) {
    const auto key = p.string();
    if (!key || !p.eat(':')) malformed("a key is not a quoted name followed by ':'");
    if (*key == "descr") {
      p.skip();
      if (p.at < text.size() && text[p.at] == '[')
        AXT_FAIL("{} holds a structured array (named fields); save each field as its own array", what);
      h.descr = p.string();
      if (!h.descr) malformed("'descr' is not a string");
    } else if (*key == "fortran_order") {
      h.fortran_order = p.boolean();
      if (!h.fortran_order) malformed("'fortran_order' is not True or False");
    } else if (*key == "shape") {
      h.shape = p.tuple();
      if (!h.shape) malformed("'shape' is not a tuple of non-negative integers");
    } else {
      malformed(fmt::format("unknown key '{}'", printable(*key)));
    }
    if (!p.eat(',')) {
      if (!p.eat('}')) malformed("the entries are not separated by ','");
      break;
    }
  }
  if (!h.descr || !h.fortran_order || !h.shape) malformed("it needs 'descr', 'fortran_order' and 'shape'");
  return h;
}

TypeInfo dtype_of(const std::string& descr, std::string_view what, bool& swap) {
  const auto refuse = [&](std::string_view kind) {
    AXT_FAIL("{} holds {} (dtype '{}'); save features as float32 or float64 and labels as integers", what, kind,
             printable(descr));
  };
  if (descr.size() < 2) refuse("an unknown dtype");
  const char order = descr[0], kind = descr[1];
  if (order != '<' && order != '>' && order != '|' && order != '=') refuse("an unknown dtype");
  swap = order == '>';
  if (kind == 'c') refuse("complex numbers");
  if (kind == 'U' || kind == 'S' || kind == 'a') refuse("strings");
  if (kind == 'O') refuse("Python objects");
  if (kind == 'M' || kind == 'm') refuse("dates or times");
  if (kind == 'f' && descr.substr(2) == "2") refuse("float16 values");
  for (const TypeInfo& t : kTypes)
    if (t.kind == kind && descr.substr(2) == std::to_string(t.size)) return t;
  refuse("an unsupported dtype");
  return kTypes[0];
}

// Fortran-order data (first index fastest) of `shape` rewritten in C order (last index fastest).
std::string to_c_order(const std::string& data, const std::vector<std::int64_t>& shape, std::size_t item) {
  std::string out(data.size(), '\0');
  const std::size_t dims = shape.size(), n = data.size() / item;
  std::vector<std::int64_t> index(dims, 0);
  for (std::size_t c = 0; c < n; ++c) {  // c: the C-order position of `index`
    std::size_t f = 0, stride = 1;
    for (std::size_t d = 0; d < dims; ++d) {
      f += static_cast<std::size_t>(index[d]) * stride;
      stride *= static_cast<std::size_t>(shape[d]);
    }
    std::memcpy(out.data() + c * item, data.data() + f * item, item);
    for (std::size_t d = dims; d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace

std::int64_t NumpyArray::numel() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::size_t NumpyArray::item_size() const {
  return info_of(type).size;
}

bool NumpyArray::is_integer() const {
  return info_of(type).kind != 'f';
}

double NumpyArray::value(std::size_t i) const {
  const char* p = data.data() + i * item_size();
  const auto read = [p]<typename T>(T) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return static_cast<double>(v);
  };
  switch (type) {
    case NumpyType::kBool: return *p != 0 ? 1.0 : 0.0;
    case NumpyType::kInt8: return read(std::int8_t{});
    case NumpyType::kUInt8: return read(std::uint8_t{});
    case NumpyType::kInt16: return read(std::int16_t{});
    case NumpyType::kUInt16: return read(std::uint16_t{});
    case NumpyType::kInt32: return read(std::int32_t{});
    case NumpyType::kUInt32: return read(std::uint32_t{});
    case NumpyType::kInt64: return read(std::int64_t{});
    case NumpyType::kUInt64: return read(std::uint64_t{});
    case NumpyType::kFloat32: return read(float{});
    case NumpyType::kFloat64: return read(double{});
  }
  return 0;
}

std::string NumpyArray::shape_text() const {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

std::string NumpyArray::dtype_text() const {
  return info_of(type).name;
}

NumpyArray parse_npy(std::string_view bytes, std::string_view what) {
  AXT_CHECK(!bytes.starts_with(kZipMagic), "{} is an .npz archive, not a .npy file; give it as dataset = npz:PATH",
            what);
  AXT_CHECK(bytes.size() >= 10 && bytes.substr(0, 6) == kMagic,
            "{} is not a .npy file (it does not start with \\x93NUMPY); write it with numpy.save", what);
  const int major = static_cast<unsigned char>(bytes[6]);
  AXT_CHECK(major >= 1 && major <= 3, "{} is a .npy file of format version {}, which is unknown here (1 to 3 are read)",
            what, major);
  const std::size_t length_bytes = major == 1 ? 2 : 4, start = 8 + length_bytes;
  AXT_CHECK(bytes.size() >= start, "{} ends inside its .npy header; the file is truncated", what);
  std::size_t header_length = 0;
  for (std::size_t i = length_bytes; i-- > 0;)
    header_length = header_length * 256 + static_cast<unsigned char>(bytes[8 + i]);
  AXT_CHECK(header_length <= bytes.size() - start, "{} ends inside its .npy header; the file is truncated", what);
  const Header header = parse_header(bytes.substr(start, header_length), what);
  bool swap = false;
  const TypeInfo t = dtype_of(*header.descr, what, swap);
  NumpyArray a;
  a.shape = *header.shape;
  a.type = t.type;
  const std::string_view data = bytes.substr(start + header_length);
  std::size_t n = 1;  // the values the shape holds: 0 if a dimension is 0, else checked against the data's size
  if (std::find(a.shape.begin(), a.shape.end(), 0) != a.shape.end()) {
    n = 0;
  } else {
    for (std::int64_t d : a.shape) {
      AXT_CHECK(static_cast<std::size_t>(d) <= data.size() / t.size / n,
                "{} holds {} bytes of data, fewer than its shape {} of {} needs; the file is truncated", what,
                data.size(), a.shape_text(), t.name);
      n *= static_cast<std::size_t>(d);
    }
  }
  AXT_CHECK(n * t.size == data.size(), "{} holds {} bytes of data, but its shape {} of {} takes {}; the file is {}",
            what, data.size(), a.shape_text(), t.name, n * t.size,
            data.size() < n * t.size ? "truncated" : "padded or corrupt");
  a.data = std::string(data);
  if (swap && t.size > 1)
    for (std::size_t i = 0; i < n; ++i) std::reverse(a.data.begin() + i * t.size, a.data.begin() + (i + 1) * t.size);
  if (*header.fortran_order && a.shape.size() > 1) a.data = to_c_order(a.data, a.shape, t.size);
  return a;
}

std::vector<std::pair<std::string, NumpyArray>> parse_npz(std::string_view bytes, std::string_view what) {
  AXT_CHECK(!bytes.starts_with(kMagic),
            "{} is a .npy file, not an .npz archive; give features and targets as dataset = npy:X.npy,Y.npy", what);
  std::vector<std::pair<std::string, NumpyArray>> arrays;
  for (ZipEntry& e : zip_archive_entries(bytes, what)) {
    AXT_CHECK(e.name.ends_with(".npy"), "{} holds entry '{}', which is not a .npy array; write it with numpy.savez",
              what, printable(e.name));
    std::string name = e.name.substr(0, e.name.size() - 4);
    NumpyArray a = parse_npy(e.contents, fmt::format("array '{}' of {}", printable(name), what));
    arrays.emplace_back(std::move(name), std::move(a));
  }
  return arrays;
}

}  // namespace axtrain
